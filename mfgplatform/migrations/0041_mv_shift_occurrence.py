"""The plant calendar in SQL (time zone, production-day start, helper functions) and the
shift-occurrence materialized view every KPI view joins to (mfgplatform/sql/). Created WITH NO DATA:
the first `manage.py refresh_views` populates it."""

from pathlib import Path

from django.conf import settings
from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str, **placeholders: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order, `{name}` placeholders filled in (docs/sql.md)."""
    text = "".join((SQL / f"{name}.sql").read_text() for name in files)
    for name, value in placeholders.items():
        text = text.replace("{" + name + "}", value)
    return text


DROP_HELPER_FUNCTIONS = """
DROP FUNCTION IF EXISTS mfg_seconds(tstzmultirange);
DROP FUNCTION IF EXISTS mfg_date_key(date);
DROP FUNCTION IF EXISTS mfg_production_date(timestamptz);
DROP FUNCTION IF EXISTS mfg_production_day_start();
DROP FUNCTION IF EXISTS mfg_plant_time_zone();
"""
DROP_SHIFT_OCCURRENCE = "DROP MATERIALIZED VIEW IF EXISTS mv_shift_occurrence;\n"
DROP_OCCURRENCE_AT = "DROP FUNCTION IF EXISTS mfg_occurrence_at(timestamptz);\n"


def _schema(schema_editor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]


def create_calendar_settings(apps, schema_editor):
    # The settings as the migration finds them; the aggregate registry rewrites the functions whenever
    # the settings change later.
    hours, minutes = settings.PRODUCTION_DAY_START.split(":")
    schema_editor.execute(sql("plant_calendar_settings/v1", time_zone=settings.PLANT_TIME_ZONE.replace("'", "''"),
                              day_start=f"{int(hours):02d}:{int(minutes):02d}:00"))


def create_helper_functions(apps, schema_editor):
    schema_editor.execute(sql("calendar_functions/v1", schema=_schema(schema_editor)))


def drop_helper_functions(apps, schema_editor):
    schema_editor.execute(DROP_HELPER_FUNCTIONS)


def create_occurrence_at(apps, schema_editor):
    schema_editor.execute(sql("mfg_occurrence_at/v1", schema=_schema(schema_editor)))


def drop_occurrence_at(apps, schema_editor):
    schema_editor.execute(DROP_OCCURRENCE_AT)


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0040_view_refresh_log")]

    operations = [
        migrations.RunPython(create_calendar_settings, migrations.RunPython.noop),
        migrations.RunPython(create_helper_functions, drop_helper_functions),
        migrations.RunSQL(sql=sql("mv_shift_occurrence/v1"), reverse_sql=DROP_SHIFT_OCCURRENCE),
        migrations.RunPython(create_occurrence_at, drop_occurrence_at),
    ]
