"""SQL objects as files (docs/sql.md): released files are never edited, versions are complete, and
runtime code gets an object's SQL by name."""

import pytest
from django.core.management import CommandError, call_command

from mfgplatform import sql_objects
from mfgplatform.sql_objects import ManifestError, apps_with_sql, manifest_differences, release, sql_object

PROJECT_APPS_WITH_SQL = ["mfgplatform", "production", "quality", "reliability"]


def test_the_apps_that_own_sql_objects_are_found():
    assert set(PROJECT_APPS_WITH_SQL) <= set(apps_with_sql())


@pytest.mark.parametrize("app_label", PROJECT_APPS_WITH_SQL)
def test_every_version_file_is_released_unchanged(app_label):
    differences = manifest_differences(app_label)
    assert (differences.changed, differences.missing, differences.unreleased) == ((), (), ())


@pytest.mark.parametrize("app_label", PROJECT_APPS_WITH_SQL)
def test_every_object_has_its_versions_from_one_without_gaps(app_label):
    for obj in sql_objects.sql_objects(app_label):
        assert obj.versions == tuple(range(1, obj.current_version + 1)), obj.name


def test_the_released_sql_check_passes_on_the_repository():
    call_command("release_sql", check=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def scratch_app(tmp_path, monkeypatch):
    """An app whose sql/ directory is a scratch directory."""
    root = tmp_path / "sql"
    (root / "mv_thing").mkdir(parents=True)
    monkeypatch.setattr(sql_objects, "sql_root", lambda app_label: root)
    return root / "mv_thing"


def test_release_records_new_versions_and_refuses_an_edited_release(scratch_app):
    (scratch_app / "v1.sql").write_text("CREATE MATERIALIZED VIEW mv_thing AS\nSELECT 1 AS one\nWITH NO DATA;\n")
    assert manifest_differences("scratch").unreleased == ("mv_thing/v1.sql",)

    assert release("scratch") == ["mv_thing/v1.sql"]
    assert not manifest_differences("scratch")

    (scratch_app / "v2.sql").write_text("CREATE MATERIALIZED VIEW mv_thing AS\nSELECT 2 AS two\nWITH NO DATA;\n")
    (scratch_app / "v1.sql").write_text("CREATE MATERIALIZED VIEW mv_thing AS\nSELECT 10 AS one\nWITH NO DATA;\n")
    assert manifest_differences("scratch").changed == ("mv_thing/v1.sql",)
    with pytest.raises(ManifestError, match="mv_thing/v1.sql"):
        release("scratch")


def test_the_check_command_names_an_unreleased_file(scratch_app, monkeypatch):
    monkeypatch.setattr(sql_objects, "apps_with_sql", lambda: ["scratch"])
    monkeypatch.setattr("mfgplatform.management.commands.release_sql.apps_with_sql", lambda: ["scratch"])
    (scratch_app / "v1.sql").write_text("SELECT 1;\n")
    with pytest.raises(CommandError, match=r"scratch/sql/mv_thing/v1.sql: not released"):
        call_command("release_sql", check=True)


def test_an_object_is_asked_for_by_name_and_gives_its_current_version():
    time_model = sql_object("production", "mv_time_model")
    assert time_model.versions == (1, 2)
    assert time_model.text() == time_model.path(2).read_text()
    with pytest.raises(LookupError):
        sql_object("production", "no_such_object")


def test_placeholders_are_filled_and_other_braces_kept():
    text = sql_object("mfgplatform", "plant_calendar_settings").text(time_zone="Europe/Berlin", day_start="06:00:00")
    assert "text 'Europe/Berlin'" in text
    assert "time '06:00:00'" in text
    assert sql_objects.render("'{1,2}' {schema}.f()", schema="public") == "'{1,2}' public.f()"


def test_a_views_select_and_a_day_kept_aggregates_select_open_to_every_day():
    view_select = sql_object("quality", "mv_quality_by_defect").defining_select()
    assert "CREATE" not in view_select
    assert "WITH NO DATA" not in view_select
    day_kept_select = sql_object("production", "agg_time_model").defining_select()
    assert "$1" not in day_kept_select
    assert "$2" not in day_kept_select
    assert "'-infinity'::date" in day_kept_select
    query_object = sql_object("production", "time_model_select")
    assert query_object.defining_select() == sql_objects.every_day(query_object.text())
    assert "$1" in query_object.text()
