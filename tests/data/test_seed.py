"""seed_iso_compliant: determinism, the plant's invariants on loaded data, reset and if-empty."""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.management.base import CommandError
from django.db import connection

from devdata.simulation.catalog import SEED_CHANGE_REASON
from devdata.simulation.fingerprint import fact_fingerprint
from devdata.simulation.layout import SITE_CODE, plant_layout
from devdata.simulation.profiles import MODE_CAUSES, PROFILES
from devdata.simulation.seed import physical_memory_bytes, sensor_chunk_interval
from equipment.models import Equipment
from mfgplatform.models import DimShift
from production.models import FactProduction
from reliability.models import FactDowntime

from .conftest import HOLIDAY, WEEK_DAYS, WEEK_START, seed

pytestmark = pytest.mark.django_db

TINY_UNITS = 4
SHIFTS_PER_DAY = 3
# Thu, Fri, Mon and Wed work; Sat and Sun are weekend days, Tue 13th a holiday.
WORKING_DAYS = [dt.date(2026, 1, 8), dt.date(2026, 1, 9), dt.date(2026, 1, 12), dt.date(2026, 1, 14)]
SHIFT_SECONDS, BREAK_SECONDS = 8 * 3600, 30 * 60


def _fetch(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _scalar(sql: str, params=()):
    return _fetch(sql, params)[0][0]


def test_the_same_seed_gives_the_same_data(plant_in_utc):
    options = ("--size", "tiny", "--seed", "5", "--start", "2026-02-02")
    seed(*options)
    first = fact_fingerprint()
    seed(*options, "--reset")
    assert fact_fingerprint() == first
    seed("--size", "tiny", "--seed", "6", "--start", "2026-02-02", "--reset")
    assert fact_fingerprint() != first


def test_no_two_downtimes_of_one_unit_overlap(seeded_week):
    overlaps = _scalar(
        """SELECT count(*) FROM fact_downtime a JOIN fact_downtime b
             ON a.equipment_id = b.equipment_id AND a.id < b.id
            AND a.started_at < b.ended_at AND b.started_at < a.ended_at"""
    )
    assert _scalar("SELECT count(*) FROM fact_downtime") > 0
    assert overlaps == 0


def test_production_never_overlaps_downtime(seeded_week):
    overlaps = _scalar(
        """SELECT count(*) FROM fact_production p JOIN fact_downtime d
             ON p.equipment_id = d.equipment_id AND p.started_at < d.ended_at AND d.started_at < p.ended_at"""
    )
    assert overlaps == 0


def _break(window) -> tuple[dt.datetime, dt.datetime]:
    start = window.start + dt.timedelta(seconds=(SHIFT_SECONDS - BREAK_SECONDS) // 2)
    return start, start + dt.timedelta(seconds=BREAK_SECONDS)


def _occurrence(shifts, date_key: int, shift_id: int):
    return shifts[shift_id].window(dt.date(date_key // 10000, date_key // 100 % 100, date_key % 100))


_FAILURE_ROWS = """SELECT d.date_key, d.shift_id, d.started_at, d.ended_at, d.work_order, d.active_repair_minutes
                     FROM fact_downtime d JOIN dim_downtime_reason r ON r.id = d.reason_id WHERE r.is_failure"""


def test_every_row_but_a_repair_lies_in_its_shift_occurrence_outside_the_break(seeded_week):
    shifts = {shift.id: shift for shift in DimShift.objects.all()}
    rows = _fetch(
        """SELECT date_key, shift_id, started_at, ended_at FROM fact_production
           UNION ALL SELECT d.date_key, d.shift_id, d.started_at, d.ended_at
                       FROM fact_downtime d JOIN dim_downtime_reason r ON r.id = d.reason_id
                      WHERE NOT r.is_failure"""
    )
    assert rows
    for date_key, shift_id, started, ended in rows:
        window = _occurrence(shifts, date_key, shift_id)
        break_start, break_end = _break(window)
        assert window.start <= started < ended <= window.end
        assert ended <= break_start or started >= break_end


def test_a_failure_starts_in_its_shift_occurrence_outside_the_break(seeded_week):
    shifts = {shift.id: shift for shift in DimShift.objects.all()}
    rows = _fetch(_FAILURE_ROWS)
    assert rows
    for date_key, shift_id, started, ended, *_ in rows:
        window = _occurrence(shifts, date_key, shift_id)
        break_start, break_end = _break(window)
        assert window.start <= started < window.end
        assert not break_start <= started < break_end
        assert ended > started


@pytest.fixture
def seeded_fortnight(plant_in_utc, db):
    """Twelve units over two weeks: enough failures that several repairs outlast their shift."""
    return seed("--size", "small", "--days", "14", "--seed", "1", "--start", str(WEEK_START))


def test_a_failure_is_one_row_from_the_stop_until_the_unit_is_restored(seeded_fortnight):
    shifts = {shift.id: shift for shift in DimShift.objects.all()}
    rows = _fetch(_FAILURE_ROWS)
    work_orders = Counter(work_order for _, _, _, _, work_order, _ in rows)
    assert len(rows) >= 5
    assert set(work_orders.values()) == {1}
    # The repair goes on in calendar time: some rows end after the shift occurrence they are booked to.
    crossing = [row for row in rows if row[3] > _occurrence(shifts, row[0], row[1]).end]
    assert crossing
    for _, _, started, ended, _, active_minutes in rows:
        # Active repair time is 60–90 % of the whole restoration time, rounded to 0.01 min.
        repair_minutes = Decimal((ended - started).total_seconds()) / 60
        assert Decimal("0.6") * repair_minutes - Decimal("0.01") <= active_minutes
        assert active_minutes <= Decimal("0.9") * repair_minutes + Decimal("0.01")


def _covered_seconds(window, intervals) -> int:
    """Seconds of the occurrence covered by the union of the intervals, cut to it."""
    pieces = sorted(
        (max(start, window.start), min(end, window.end))
        for start, end in intervals if start < window.end and end > window.start
    )
    covered, reach = 0, window.start
    for start, end in pieces:
        if end > reach:
            covered += (end - max(start, reach)).total_seconds()
            reach = end
    return int(covered)


def test_production_downtime_and_the_break_fill_every_shift_occurrence_of_working_days(seeded_week):
    shifts = list(DimShift.objects.all())
    booked = defaultdict(list)
    for code, started, ended in _fetch(
        """SELECT e.code, f.started_at, f.ended_at
             FROM (SELECT equipment_id, started_at, ended_at FROM fact_production
                   UNION ALL SELECT equipment_id, started_at, ended_at FROM fact_downtime) f
             JOIN dim_equipment e ON e.id = f.equipment_id"""
    ):
        booked[code].append((started, ended))
    producing = [unit.code for unit in plant_layout(TINY_UNITS, 11).units if unit.produces]
    windows = [shift.window(day) for day in WORKING_DAYS for shift in shifts]
    assert len(windows) == len(WORKING_DAYS) * SHIFTS_PER_DAY
    for code in producing:
        covered = [_covered_seconds(window, [*booked[code], _break(window)]) for window in windows]
        assert covered == [SHIFT_SECONDS] * len(windows)
    days = {row[0] for row in _fetch("SELECT DISTINCT date_key FROM fact_production")}
    assert days == {int(day.strftime("%Y%m%d")) for day in WORKING_DAYS}
    assert int(HOLIDAY.strftime("%Y%m%d")) not in days


def test_quantities_partition_and_quality_records_add_up(seeded_week):
    pq, gq, sq, rq, psq = _fetch(
        "SELECT sum(produced_qty), sum(good_qty), sum(scrap_qty), sum(rework_qty), sum(planned_scrap_qty) "
        "FROM fact_production"
    )[0]
    assert _scalar("SELECT count(*) FROM fact_production WHERE produced_qty <> good_qty + scrap_qty + rework_qty") == 0
    inspected, defective, first_pass = _fetch(
        "SELECT sum(inspected_qty), sum(defective_qty), sum(first_pass_good_qty) FROM fact_quality "
        "WHERE kind = 'attribute'"
    )[0]
    scrap, planned_scrap = _fetch(
        "SELECT sum(quantity), sum(quantity) FILTER (WHERE is_planned) FROM fact_scrap"
    )[0]
    assert pq > 0
    assert sq > 0
    assert (inspected, defective, first_pass) == (pq, sq + rq, gq)
    assert (scrap, planned_scrap) == (sq, psq)
    assert _scalar(
        "SELECT count(*) FROM fact_scrap s JOIN fact_production p ON p.id = s.production_run_id "
        "WHERE s.equipment_id <> p.equipment_id OR s.occurred_at <> p.ended_at"
    ) == 0


def test_failures_carry_plausible_iso_14224_codes_for_their_class(seeded_week):
    rows = _fetch(
        """SELECT c.code, r.code, m.code, mc.code, fc.code, d.work_order
             FROM fact_downtime d JOIN dim_downtime_reason r ON r.id = d.reason_id
             JOIN dim_equipment e ON e.id = d.equipment_id
             JOIN ref_iso14224_equipment_class c ON c.id = e.equipment_class_id
             JOIN ref_iso14224_failure_mode m ON m.id = d.failure_mode_id
             JOIN ref_iso14224_failure_mechanism mc ON mc.id = d.failure_mechanism_id
             JOIN ref_iso14224_failure_cause fc ON fc.id = d.failure_cause_id
            WHERE r.is_failure"""
    )
    assert rows
    for class_code, reason, mode, mechanism, cause, work_order in rows:
        assert reason == f"FAIL-{mode}"
        assert mode in PROFILES[class_code].failure_modes
        assert (mechanism, cause) in {(m, c) for m, c, _ in MODE_CAUSES[mode]}
        assert work_order.startswith("WO-")
    assert _scalar(
        "SELECT count(*) FROM fact_downtime d JOIN dim_downtime_reason r ON r.id = d.reason_id "
        "WHERE NOT r.is_failure AND d.failure_mode_id IS NOT NULL"
    ) == 0


def test_sensor_readings_cover_every_tag_around_the_clock(seeded_week):
    readings_per_tag = WEEK_DAYS * 24 * 60  # one a minute for tiny
    counts = _fetch("SELECT equipment_id, tag, count(*) FROM fact_sensor_event GROUP BY 1, 2")
    assert len(counts) == TINY_UNITS * 4
    assert {count for *_, count in counts} == {readings_per_tag}


def test_the_chunk_interval_is_set_for_the_expected_rate(seeded_week):
    interval = _scalar(
        "SELECT time_interval FROM timescaledb_information.dimensions WHERE hypertable_name = 'fact_sensor_event'"
    )
    assert interval == sensor_chunk_interval(TINY_UNITS * 4 / 60, physical_memory_bytes())


@pytest.mark.parametrize(
    ("rows_per_second", "memory", "expected"),
    [
        pytest.param(4, 24 * 2**30, dt.timedelta(days=7), id="slow_rate_capped_at_a_week"),
        pytest.param(1_000, 24 * 2**30, dt.timedelta(seconds=6442), id="1k_rows_per_second"),
        pytest.param(30_000, 24 * 2**30, dt.timedelta(hours=1), id="fast_rate_floored_at_an_hour"),
    ],
)
def test_sensor_chunk_interval_keeps_active_indexes_small(rows_per_second, memory, expected):
    # 24 GiB × 2.5 % / (1,000 rows/s × 100 B) = 6,442 s
    assert sensor_chunk_interval(rows_per_second, memory) == expected


def test_seeded_master_data_has_history_with_the_seed_reason(seeded_week):
    layout = plant_layout(TINY_UNITS, 11)
    expected = 1 + len(layout.areas) + len(layout.lines) + len(layout.units)
    seeded = Equipment.history.filter(history_type="+", history_change_reason=SEED_CHANGE_REASON)
    assert seeded.count() == expected
    site = Equipment.objects.get(code=SITE_CODE)
    assert Equipment.objects.filter(path__startswith=f"{site.path}/", taxonomy_level=6).count() == TINY_UNITS


def test_reset_replaces_facts_and_keeps_master_data_people_entered(seeded_week):
    manual = Equipment.objects.create(code="MANUAL-1", name="Entered by hand", taxonomy_level=3, path="MANUAL-1")
    before = FactDowntime.objects.count()
    seed("--size", "tiny", "--days", "2", "--seed", "11", "--start", str(WEEK_START), "--reset")
    assert Equipment.objects.filter(pk=manual.pk).exists()
    assert FactDowntime.objects.count() < before
    deleted = Equipment.history.filter(history_type="-", history_change_reason=f"{SEED_CHANGE_REASON} --reset")
    assert deleted.count() == 1 + 1 + 1 + TINY_UNITS


def test_existing_facts_block_a_seed_without_reset(seeded_week):
    with pytest.raises(CommandError, match="already hold data"):
        seed("--size", "tiny", "--start", str(WEEK_START))


def test_if_empty_skips_when_facts_exist(seeded_week):
    runs = FactProduction.objects.count()
    output = seed("--size", "tiny", "--start", "2026-03-02", "--if-empty")
    assert output == "Facts already loaded; nothing to do (--if-empty).\n"
    assert FactProduction.objects.count() == runs
