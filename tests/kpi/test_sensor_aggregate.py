"""The hourly sensor aggregate: every ingest path invalidates what it wrote, the pass re-aggregates
exactly those hours, retention never touches the history, and a failed pass changes nothing."""

import datetime as dt
import json
import math
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from io import BytesIO, StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from devdata.simulation.reference import ensure_reference
from equipment.models import Equipment
from mfgplatform.aggregates.registry import refresh_views
from mfgplatform.ingest.loader import load_csv
from mfgplatform.models import IngestToken
from mfgplatform.operations.chunks import drop_old_sensor_chunks
from production.models import PlannedRunTime, Product
from reliability.sensor_aggregate import record_sensor_writes, refresh_sensor_hourly

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 1, 7)
UNIT = "AGG-UNIT-1"
GOOD, BAD = 192, 0
AGGREGATE_COLUMNS = ("equipment_id, tag, bucket, readings, good_readings, value_mean, value_dev_sum, value_m2, "
                     "value_min, value_max")


def at(hour: int, minute: int = 0, *, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def unit(settings):
    settings.PLANT_TIME_ZONE = "UTC"
    settings.PRODUCTION_DAY_START = "06:00"
    reference = ensure_reference(DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1))
    unit = Equipment.objects.create(code=UNIT, name="Press", taxonomy_level=6, path=UNIT,
                                    equipment_class=reference.classes["XP"])
    product = Product.objects.create(code="AGG-P1", name="Bracket", unit=reference.piece)
    PlannedRunTime.objects.create(product=product, equipment=unit, valid_from=DAY, pri_seconds=Decimal("4.5"))
    return unit


def _execute(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _insert_raw(rows: list[tuple]) -> None:
    """Readings written around the ingest paths: no invalidation."""
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality) "
                           "VALUES (%s, %s, %s, %s, %s)", rows)


def expected_aggregate() -> dict[tuple, tuple]:
    """The hourly statistics computed in Python from the raw readings."""
    groups: dict[tuple, list[tuple[float, int]]] = defaultdict(list)
    for time, equipment_id, tag, value, quality in _execute(
            "SELECT time, equipment_id, tag, value, quality FROM fact_sensor_event"):
        groups[(equipment_id, tag, time.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0))].append(
            (value, quality))
    result = {}
    for key, readings in groups.items():
        good = [Fraction(value) for value, quality in readings if quality == GOOD]
        mean = sum(good) / len(good) if good else None
        result[key] = (len(readings), len(good), float(mean) if good else None,
                       float(sum((v - mean) ** 2 for v in good)) if good else None,
                       float(min(good)) if good else None, float(max(good)) if good else None)
    return result


def stored_aggregate() -> dict[tuple, tuple]:
    """Count, good count, exact mean (mean + residual / n), m2, min and max per hour."""
    return {(e, t, b.astimezone(dt.UTC)): (readings, good, None if mean is None else mean + residual / good,
                                          m2, low, high)
            for e, t, b, readings, good, mean, residual, m2, low, high in _execute(
                f"SELECT {AGGREGATE_COLUMNS} FROM agg_sensor_hourly")}  # noqa: S608


def assert_same(stored: dict, expected: dict) -> None:
    assert sorted(stored) == sorted(expected)
    for key, values in expected.items():
        for got, want in zip(stored[key], values, strict=True):
            assert (got is None and want is None) or math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12), (
                key, stored[key], values)


def invalidations() -> list[tuple[dt.datetime, dt.datetime]]:
    return _execute("SELECT low, high FROM agg_sensor_hourly_invalidation ORDER BY id")


# --- each ingest path -----------------------------------------------------------------------------


def _csv(rows: list[tuple[dt.datetime, str, float, int]]) -> BytesIO:
    lines = ["time,equipment,tag,value,quality"] + [f"{t.isoformat()},{UNIT},{tag},{v},{q}" for t, tag, v, q in rows]
    return BytesIO(("\n".join(lines) + "\n").encode())


def test_load_facts_invalidates_its_range_and_late_data_redoes_only_the_old_hour(unit):
    first = [(at(8, 5), "temperature", 20.5, GOOD), (at(8, 40), "temperature", 21.5, GOOD),
             (at(9, 10), "temperature", 99.0, BAD), (at(9, 20), "vibration", 0.25, GOOD),
             (at(10, 59), "vibration", -1.5, GOOD)]
    assert load_csv("sensor_event", _csv(first)).inserted == 5
    assert invalidations() == [(at(8, 5), at(10, 59))]
    assert refresh_sensor_hourly().rows_written == 4
    assert invalidations() == []
    assert_same(stored_aggregate(), expected_aggregate())

    # A late reading for 08:00, in a file written in +02:00: only that hour is re-aggregated.
    late = _csv([(at(8, 50).astimezone(dt.timezone(dt.timedelta(hours=2))), "temperature", 19.0, GOOD)])
    assert load_csv("sensor_event", late).inserted == 1
    assert invalidations() == [(at(8, 50), at(8, 50))]
    run = refresh_sensor_hourly()
    assert (run.invalidations, run.rows_deleted, run.rows_written) == (1, 1, 1)
    assert_same(stored_aggregate(), expected_aggregate())
    assert stored_aggregate()[(unit.id, "temperature", at(8))][:2] == (3, 3)


def test_a_rejected_file_records_no_invalidation(unit):
    result = load_csv("sensor_event", BytesIO(
        f"time,equipment,tag,value\n2026-01-07T08:00:00Z,{UNIT},temperature,1\n"
        f"2026-01-07T09:00:00Z,{UNIT},temperature,warm\n".encode()))
    assert not result.ok
    assert invalidations() == []


def test_the_ingest_api_invalidates_what_it_lands_and_a_resent_batch_nothing(unit, client):
    _, token = IngestToken.issue("gateway")

    def post(events):
        response = client.post("/api/ingest/v1/events", data=json.dumps({"events": events}),
                               content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200
        return response.json()

    events = [{"event_id": f"e{i}", "kind": "sensor", "equipment": UNIT, "tag": tag, "time": time.isoformat(),
               "value": value, "quality": quality}
              for i, (time, tag, value, quality) in enumerate([
                  (at(6, 1), "current", 4.0, GOOD), (at(6, 2), "current", 6.0, GOOD),
                  (at(7, 30), "current", 5.0, 64), (at(7, 31), "pressure", 2.5, GOOD)])]
    assert post(events)["accepted"] == 4
    assert invalidations() == [(at(6, 1), at(7, 31))]
    refresh_sensor_hourly()
    assert_same(stored_aggregate(), expected_aggregate())

    assert post(events)["duplicates"] == 4
    assert invalidations() == []
    # A batch partly replayed (its unique violation takes the careful path) invalidates its new readings.
    late = {"event_id": "late", "kind": "sensor", "equipment": UNIT, "tag": "current",
            "time": at(6, 30).isoformat(), "value": 8.0}
    assert post([*events, late])["accepted"] == 1
    assert invalidations() == [(at(6, 30), at(6, 30))]
    refresh_sensor_hourly()
    assert_same(stored_aggregate(), expected_aggregate())


def test_the_seed_invalidates_what_it_writes_and_reset_empties_the_aggregate(settings):
    settings.PLANT_TIME_ZONE = "UTC"
    settings.PRODUCTION_DAY_START = "06:00"
    args = ["seed_iso_compliant", "--size", "tiny", "--days", "1", "--start", "2026-01-08", "--no-progress"]
    call_command(*args, stdout=StringIO())
    assert invalidations()
    assert refresh_sensor_hourly().rows_written == 4 * 4 * 24  # units × tags × hours
    assert_same(stored_aggregate(), expected_aggregate())

    call_command(*args, "--reset", "--seed", "2", stdout=StringIO())
    assert stored_aggregate() == {}
    refresh_sensor_hourly()
    assert_same(stored_aggregate(), expected_aggregate())


# --- the pass ---------------------------------------------------------------------------------------


def test_overlapping_invalidations_merge_into_whole_hours(unit):
    _insert_raw([(at(h, m), unit.id, "temperature", float(h * 60 + m), GOOD) for h in range(9, 15) for m in (0, 30)])
    record_sensor_writes(at(10, 15), at(12, 30))
    record_sensor_writes(at(11, 45), at(13, 5))
    run = refresh_sensor_hourly()
    # 10:00 to 14:00 (the end of the hour of 13:05); 09:00 and 14:00 were not invalidated.
    assert (run.invalidations, run.rows_deleted, run.rows_written) == (2, 0, 4)
    assert sorted(bucket.hour for _, _, bucket in stored_aggregate()) == [10, 11, 12, 13]
    expected = expected_aggregate()
    assert_same(stored_aggregate(), {key: value for key, value in expected.items() if 10 <= key[2].hour <= 13})


def test_the_pass_is_a_no_op_when_nothing_is_invalidated(unit):
    _insert_raw([(at(8), unit.id, "temperature", 1.0, GOOD)])
    record_sensor_writes(at(8), at(8))
    refresh_sensor_hourly()
    before = _execute("SELECT ctid, xmin::text FROM agg_sensor_hourly")
    run = refresh_sensor_hourly()
    assert (run.invalidations, run.rows_deleted, run.rows_written) == (0, 0, 0)
    assert _execute("SELECT ctid, xmin::text FROM agg_sensor_hourly") == before


def test_a_failing_pass_leaves_the_aggregate_and_the_invalidations_as_they_were(unit):
    _insert_raw([(at(8), unit.id, "temperature", 1.0, GOOD), (at(9), unit.id, "temperature", 2.0, GOOD)])
    record_sensor_writes(at(8), at(8))
    refresh_sensor_hourly()
    record_sensor_writes(at(8), at(9))
    aggregate, pending = stored_aggregate(), invalidations()
    # Any new row now violates a constraint, halfway through the pass (after its DELETE).
    _execute("ALTER TABLE agg_sensor_hourly ADD CONSTRAINT agg_test_refuses CHECK (readings < 0) NOT VALID")
    [entry] = refresh_views(["agg_sensor_hourly"], triggered_by="test")
    assert entry.outcome == "failed"
    assert "agg_test_refuses" in entry.error
    assert (stored_aggregate(), invalidations()) == (aggregate, pending)

    _execute("ALTER TABLE agg_sensor_hourly DROP CONSTRAINT agg_test_refuses")
    [entry] = refresh_views(["agg_sensor_hourly"], triggered_by="test")
    assert (entry.outcome, entry.row_count, entry.concurrently) == ("success", 2, True)
    assert invalidations() == []
    assert_same(stored_aggregate(), expected_aggregate())


def test_retention_leaves_the_aggregate_unchanged():
    now = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
    old, recent = now - dt.timedelta(days=500), now - dt.timedelta(days=1)
    _insert_raw([(old, 1, "temperature", 3.0, GOOD), (old + dt.timedelta(minutes=10), 1, "temperature", 5.0, GOOD),
                 (recent, 1, "temperature", 7.0, GOOD)])
    record_sensor_writes(old, recent)
    refresh_sensor_hourly()
    history = stored_aggregate()
    assert len(history) == 2

    # A late write into the old hour is pending when retention drops its chunk.
    _insert_raw([(old + dt.timedelta(minutes=20), 1, "temperature", 9.0, GOOD)])
    record_sensor_writes(old + dt.timedelta(minutes=20), recent)
    assert drop_old_sensor_chunks(retention_days=400, now=now).dropped_rows == 3
    refresh_sensor_hourly()
    assert stored_aggregate() == history
    refresh_sensor_hourly(rebuild=True)
    assert stored_aggregate() == history


def test_rebuild_catches_writes_that_bypassed_the_ingest_paths_and_keeps_older_rows(unit):
    _insert_raw([(at(8, day=DAY - dt.timedelta(days=30)), unit.id, "temperature", 4.0, GOOD)])
    record_sensor_writes(at(8, day=DAY - dt.timedelta(days=30)), at(8, day=DAY - dt.timedelta(days=30)))
    refresh_sensor_hourly()
    # Its chunk goes (as retention would drop it); its hour stays in the aggregate.
    _execute("SELECT drop_chunks('fact_sensor_event', older_than => %s::timestamptz)",
             [at(0, day=DAY - dt.timedelta(days=29))])
    history = stored_aggregate()
    _insert_raw([(at(8), unit.id, "temperature", 1.0, GOOD), (at(8, 30), unit.id, "temperature", 3.0, BAD)])
    # A row for an hour the hypertable holds without readings there (a bypassing delete, say).
    _execute(f"INSERT INTO agg_sensor_hourly ({AGGREGATE_COLUMNS}) VALUES (%s, 'temperature', %s, 1, 1, 1, 0, 0, 1, 1)",  # noqa: S608
             [unit.id, at(12)])
    assert refresh_sensor_hourly().rows_written == 0  # nothing was invalidated

    run = refresh_sensor_hourly(rebuild=True)
    assert (run.rows_deleted, run.rows_written) == (1, 1)
    assert stored_aggregate() == {**history, **expected_aggregate()}
    assert stored_aggregate()[(unit.id, "temperature", at(8))] == (2, 1, 1.0, 0.0, 1.0, 1.0)


def test_an_hour_cut_by_the_oldest_chunk_keeps_its_row():
    """With a chunk interval that is not whole hours, retention can drop half of an hour: that hour's
    row stays as it was (it counted the dropped readings too); the hours held entirely are redone."""
    _execute("SELECT set_chunk_time_interval('fact_sensor_event', interval '90 minutes')")
    _insert_raw([(at(h, m), 1, "pressure", float(h * 100 + m), GOOD) for h in range(0, 3) for m in (0, 20, 40)])
    record_sensor_writes(at(0), at(2, 40))
    refresh_sensor_hourly()
    before = stored_aggregate()
    assert [values[0] for _, values in sorted(before.items())] == [3, 3, 3]

    _execute("SELECT drop_chunks('fact_sensor_event', older_than => %s::timestamptz)", [at(1, 30)])
    assert [time.minute for (time,) in _execute("SELECT time FROM fact_sensor_event WHERE time < %s", [at(2)])] == [40]
    _insert_raw([(at(2, 50), 1, "pressure", 1.0, GOOD)])
    record_sensor_writes(at(1, 40), at(2, 50))
    refresh_sensor_hourly(rebuild=True)
    after = stored_aggregate()
    assert after[(1, "pressure", at(0))] == before[(1, "pressure", at(0))]
    assert after[(1, "pressure", at(1))] == before[(1, "pressure", at(1))]
    assert after[(1, "pressure", at(2))][0] == 4


def test_passes_wait_for_each_other_and_never_block_readers():
    settings_dict = connection.settings_dict
    url = (f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/"
           f"{settings_dict['NAME']}")
    with psycopg.connect(url) as running:
        running.execute("SELECT * FROM agg_sensor_hourly_refresh(true)")  # holds its lock until commit
        with psycopg.connect(url, autocommit=True) as other:
            assert other.execute("SELECT count(*) FROM agg_sensor_hourly").fetchone() == (0,)
            other.execute("SET lock_timeout = '200ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("SELECT * FROM agg_sensor_hourly_refresh()")
        running.rollback()


# --- the registry's other users ------------------------------------------------------------------


def test_the_scheduled_refresh_runs_the_pass_on_every_run(unit):
    from mfgplatform.aggregates.refresh import refresh_changed_views

    _insert_raw([(at(8), unit.id, "temperature", 1.0, GOOD), (at(9), unit.id, "temperature", 2.0, GOOD)])
    record_sensor_writes(at(8), at(9))
    first = refresh_changed_views(triggered_by="test")
    assert "agg_sensor_hourly" in first.passed
    assert "agg_sensor_hourly" not in first.refreshed + first.unchanged
    assert_same(stored_aggregate(), expected_aggregate())
    second = refresh_changed_views(triggered_by="test")
    assert "agg_sensor_hourly" in second.passed
    assert second.rows == 0  # no aggregate had anything to write


def test_the_installation_check_needs_the_table_its_function_and_a_recent_pass():
    from mfgplatform.compliance.verification import check_views_fresh, check_views_indexed

    assert check_views_indexed().passed
    assert "agg_sensor_hourly last refreshed never" in check_views_fresh().detail
    refresh_views(["agg_sensor_hourly"], triggered_by="test")
    assert "agg_sensor_hourly" not in check_views_fresh().detail
    _execute("DROP FUNCTION agg_sensor_hourly_refresh(boolean)")
    result = check_views_indexed()
    assert (result.passed, result.detail) == (False, "missing agg_sensor_hourly")
