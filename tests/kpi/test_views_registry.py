"""The view registry: dependency order, first population plain then concurrent, incremental
aggregates beside the materialized views, refresh log, failures skip the dependents; the SQL shift
calendar follows the settings."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from mfgplatform.aggregates import registry as views_registry
from mfgplatform.aggregates.registry import (
    IncrementalAggregate,
    MaterializedView,
    is_populated,
    refresh_order,
    refresh_plan,
    refresh_views,
)
from mfgplatform.models import MaterializedViewRefresh

from .factories import make_shift, only_shifts

EXPECTED_VIEWS = {"mv_shift_occurrence", "mv_shift_segment_hour", "mv_quality_by_defect", "mv_quality_by_occurrence",
                  "mv_quality_measurement", "mv_reliability_event"}
EXPECTED_AGGREGATES = {"agg_sensor_hourly", "agg_time_model", "agg_downtime_by_reason"}


def test_every_view_is_registered_and_ordered_after_its_dependencies():
    order = [view.name for view in refresh_order()]
    assert set(order) == EXPECTED_VIEWS
    assert order.index("mv_shift_occurrence") < order.index("mv_reliability_event")
    assert "mv_reliability_event" in [v.name for v in refresh_order(["mv_shift_occurrence"])]
    assert "agg_time_model" in [v.name for v in refresh_plan(["mv_shift_segment_hour"])]
    plan = refresh_plan()
    assert [view.name for view in plan] == order + sorted(EXPECTED_AGGREGATES)  # materialized views first
    assert all(isinstance(view, IncrementalAggregate) for view in plan[len(order):])
    assert [v.name for v in refresh_plan(["agg_sensor_hourly"])] == ["agg_sensor_hourly"]
    assert refresh_order(["agg_sensor_hourly"]) == []


def test_a_view_reading_an_incremental_aggregate_refreshes_after_its_pass(monkeypatch):
    reader = MaterializedView("mv_test_reader", "tests", "reads the aggregate", depends_on=("agg_sensor_hourly",))
    views = {**views_registry.registered_views(), reader.name: reader}
    monkeypatch.setattr(views_registry, "registered_views", lambda: views)
    assert [v.name for v in refresh_plan(["agg_sensor_hourly"])] == ["agg_sensor_hourly", "mv_test_reader"]
    assert refresh_order(["agg_sensor_hourly"]) == [reader]
    assert is_populated("agg_sensor_hourly")


def test_every_view_has_a_unique_index_on_non_null_columns():
    with connection.cursor() as cursor:
        for name in EXPECTED_VIEWS:
            cursor.execute(
                """SELECT array_agg(a.attname::text), bool_and(a.attnotnull) FROM pg_index AS i
                   JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                   WHERE i.indrelid = %s::regclass AND i.indisunique GROUP BY i.indexrelid""",
                [name],
            )
            assert cursor.fetchall(), f"{name} has no unique index"


def test_first_refresh_is_plain_then_concurrent_and_logged():
    assert not is_populated("mv_reliability_event")  # created WITH NO DATA
    first = {entry.view_name: entry for entry in refresh_views(triggered_by="test")}
    assert set(first) == EXPECTED_VIEWS | EXPECTED_AGGREGATES
    assert all(first[name].outcome == "success" and not first[name].concurrently for name in EXPECTED_VIEWS)
    # An incremental pass never blocks readers, the first one neither.
    assert (first["agg_sensor_hourly"].outcome, first["agg_sensor_hourly"].concurrently) == ("success", True)
    second = refresh_views(["mv_reliability_event"], triggered_by="test")
    assert [(e.view_name, e.concurrently, e.outcome) for e in second] == [("mv_reliability_event", True, "success")]
    logged = MaterializedViewRefresh.objects.filter(view_name="mv_shift_occurrence").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM mv_shift_occurrence")
        assert logged.row_count == cursor.fetchone()[0]
    assert logged.duration_seconds >= 0
    assert logged.triggered_by == "test"


def test_a_failed_view_is_logged_and_its_dependents_skipped(monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("CREATE MATERIALIZED VIEW mv_test_broken AS SELECT 1 / (count(*) - count(*)) AS x "
                       "FROM dim_shift WITH NO DATA")
        cursor.execute("CREATE MATERIALIZED VIEW mv_test_after AS SELECT 1 AS x WITH NO DATA")
    views = {**views_registry.registered_views(),
             "mv_test_broken": MaterializedView("mv_test_broken", "tests", "fails"),
             "mv_test_after": MaterializedView("mv_test_after", "tests", "depends", depends_on=("mv_test_broken",))}
    monkeypatch.setattr(views_registry, "registered_views", lambda: views)
    log = {e.view_name: e for e in refresh_views(["mv_test_broken"], triggered_by="test")}
    assert log["mv_test_broken"].outcome == "failed"
    assert "division by zero" in log["mv_test_broken"].error
    assert log["mv_test_after"].outcome == "skipped"


def test_refresh_views_command():
    out = StringIO()
    call_command("refresh_views", "mv_shift_occurrence", stdout=out)
    assert out.getvalue().startswith("mv_shift_occurrence")
    assert "plain" in out.getvalue()


def test_refresh_views_command_runs_the_incremental_pass_or_with_full_the_rebuild():
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality) "
                       "VALUES ('2025-03-01T10:15Z', 1, 'temp', 1.5, 192), ('2025-03-01T11:15Z', 1, 'temp', 2.5, 192)")
    out = StringIO()
    call_command("refresh_views", "agg_sensor_hourly", stdout=out)
    assert out.getvalue().split() == ["agg_sensor_hourly", out.getvalue().split()[1], "s", "0", "rows", "written",
                                      "incremental"]
    out = StringIO()
    call_command("refresh_views", "agg_sensor_hourly", "--full", stdout=out)
    assert out.getvalue().split()[3:] == ["2", "rows", "written", "rebuilt"]
    entry = MaterializedViewRefresh.objects.filter(view_name="agg_sensor_hourly").first()
    assert (entry.row_count, entry.triggered_by) == (2, "manage.py refresh_views --full")
    out = StringIO()
    call_command("refresh_views", "--list", stdout=out)
    listed = {line.split()[0]: line.split()[1:] for line in out.getvalue().splitlines()}
    assert listed["agg_sensor_hourly"] == ["reliability", "incremental", "after:", "-"]


def test_sql_shift_windows_follow_the_plant_zone_across_daylight_saving(settings):
    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    every_day = range(1, 8)
    shifts = [make_shift("DA", dt.time(6), dt.time(14), weekdays=every_day),
              make_shift("DB", dt.time(14), dt.time(22), weekdays=every_day),
              make_shift("DC", dt.time(22), dt.time(6), weekdays=every_day)]
    only_shifts(*shifts)
    refresh_views(["mv_shift_occurrence"], triggered_by="test")
    berlin = ZoneInfo("Europe/Berlin")
    with connection.cursor() as cursor:
        cursor.execute("SELECT production_date, shift_id, lower(occurrence), upper(occurrence) FROM mv_shift_occurrence"
                       " WHERE production_date BETWEEN '2025-03-27' AND '2025-03-31'"
                       " OR production_date BETWEEN '2025-10-23' AND '2025-10-27'")
        rows = cursor.fetchall()
    assert rows
    by_id = {s.id: s for s in shifts}
    for day, shift_id, start, end in rows:
        window = by_id[shift_id].window(day, berlin)
        assert (start, end) == (window.start, window.end)
    night_lengths = {day: end - start for day, shift_id, start, end in rows if by_id[shift_id].code == "DC"}
    assert night_lengths[dt.date(2025, 3, 29)] == dt.timedelta(hours=7)  # into the spring change (30 March)
    assert night_lengths[dt.date(2025, 10, 25)] == dt.timedelta(hours=9)  # into the autumn change (26 October)
    assert night_lengths[dt.date(2025, 3, 28)] == dt.timedelta(hours=8)


def test_shift_weekday_rules(refresh):
    listed = make_shift("WL", dt.time(6), dt.time(14), weekdays=[6])  # Saturdays only
    every_working_day = make_shift("WW", dt.time(14), dt.time(22))
    only_shifts(listed, every_working_day)
    refresh("mv_shift_occurrence")
    with connection.cursor() as cursor:
        cursor.execute("SELECT shift_id, production_date FROM mv_shift_occurrence"
                       " WHERE production_date BETWEEN '2025-03-10' AND '2025-03-16'")
        occurrences = cursor.fetchall()
    assert sorted(day.isoweekday() for shift_id, day in occurrences if shift_id == listed.id) == [6]
    assert sorted(day.isoweekday() for shift_id, day in occurrences if shift_id == every_working_day.id) == [
        1, 2, 3, 4, 5]


@pytest.mark.parametrize("view", sorted(EXPECTED_VIEWS))
def test_concurrent_refresh_needs_the_first_population(view):
    refresh_views([view], triggered_by="test")
    assert is_populated(view)
