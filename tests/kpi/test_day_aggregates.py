"""Aggregates kept by production day (mfgplatform/sql/day_aggregate): after any writes, an incremental pass
leaves exactly the rows a rebuild computes and writes only the rows that changed; what invalidates
which days (facts, orders, dimensions, the calendar, TRUNCATE, the clock); a failed pass keeps its
invalidations."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfgplatform.models import DimShift
from production.models import FactProduction
from reliability.models import DowntimeReason, FactDowntime

from .factories import (
    add_downtime,
    add_run,
    aggregate_pass,
    aggregate_rows,
    at,
    date_key,
    make_equipment,
    make_reason,
    make_shift,
    only_shifts,
)

AGGREGATES = ("agg_time_model", "agg_downtime_by_reason")
FIRST_DAY = dt.date(2025, 3, 17)  # Monday
DAYS = 5
ORIGIN = dt.datetime.combine(FIRST_DAY, dt.time(0), tzinfo=dt.UTC)
SPAN_SECONDS = DAYS * 24 * 3600


@pytest.fixture
def plant(refresh):
    only_shifts(
        make_shift("DA", dt.time(6), dt.time(14), break_minutes=30, order=1),
        make_shift("DB", dt.time(14), dt.time(22), weekdays=[1, 2, 3, 4, 5], order=2),
        make_shift("DC", dt.time(22), dt.time(6), break_minutes=45, order=3),
    )
    # Out of service after the test's days: no occurrence runs now, so the clock moves no row.
    units = [make_equipment(f"D-M{i}", decommissioned_on=FIRST_DAY + dt.timedelta(days=DAYS)) for i in (1, 2)]
    reasons = [make_reason("D-PLAN", "planned_downtime"), make_reason("D-FAIL", "delay", failure=True, mode="BRD"),
               make_reason("D-SETUP", "setup"), make_reason("D-IDLE", "idle"),
               make_reason("D-MINOR", "delay", minor=True)]
    refresh("mv_shift_occurrence", "mv_shift_segment_hour")
    return units, reasons



def _assert_pass_equals_rebuild() -> dict[str, tuple[int, int, int]]:
    """Runs the incremental pass of each aggregate, then a rebuild, and compares the rows."""
    passes, incremental = {}, {}
    for name in AGGREGATES:
        passes[name] = aggregate_pass(name)
        incremental[name] = aggregate_rows(name)
    for name in AGGREGATES:
        aggregate_pass(name, rebuild=True)
        assert incremental[name] == aggregate_rows(name), name
    return passes


def _instant(seconds: int) -> dt.datetime:
    return ORIGIN + dt.timedelta(seconds=seconds)


stop = st.tuples(st.integers(0, 1), st.integers(0, 4), st.integers(0, SPAN_SECONDS - 1), st.integers(60, 16 * 3600),
                 st.integers(0, 40))
run = st.tuples(st.integers(0, 1), st.integers(0, SPAN_SECONDS - 1), st.integers(60, 12 * 3600), st.integers(0, 400),
                st.sampled_from(["", "PO-1", "PO-2"]))
change = st.one_of(
    st.tuples(st.just("stop"), stop),
    st.tuples(st.just("run"), run),
    st.tuples(st.just("delete"), st.integers(0, 10 ** 6)),
    st.tuples(st.just("move"), st.tuples(st.integers(0, 10 ** 6), st.integers(-12 * 3600, 12 * 3600))),
)


def _add_stop(units, reasons, spec):
    unit, reason, start, length, open_roll = spec
    end = None if open_roll == 0 else _instant(start + length)  # about one stop in forty is still open
    add_downtime(units[unit], reasons[reason], _instant(start), end)


def _add_run(units, spec):
    unit, start, length, produced, order = spec
    add_run(units[unit], _instant(start), _instant(start + length), pq=produced, gq=produced, pri="2", order=order)


def _apply(units, reasons, kind, spec):
    facts = list(FactDowntime.objects.order_by("pk")) + list(FactProduction.objects.order_by("pk"))
    if kind == "stop":
        _add_stop(units, reasons, spec)
    elif kind == "run":
        _add_run(units, spec)
    elif facts and kind == "delete":
        target = facts[spec % len(facts)]
        type(target).objects.filter(pk=target.pk).delete()
    elif facts and kind == "move":
        target = facts[spec[0] % len(facts)]
        delta = dt.timedelta(seconds=spec[1])
        type(target).objects.filter(pk=target.pk).update(started_at=F("started_at") + delta,
                                                         ended_at=F("ended_at") + delta)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stops=st.lists(stop, max_size=8), runs=st.lists(run, max_size=6), changes=st.lists(change, min_size=1,
                                                                                            max_size=6))
def test_an_incremental_pass_after_any_writes_equals_a_rebuild(plant, stops, runs, changes):
    units, reasons = plant
    with transaction.atomic():
        for spec in stops:
            _add_stop(units, reasons, spec)
        for spec in runs:
            _add_run(units, spec)
        for name in AGGREGATES:
            aggregate_pass(name)  # the first pass computes every day
        for kind, spec in changes:
            _apply(units, reasons, kind, spec)
        _assert_pass_equals_rebuild()
        transaction.set_rollback(True)


def test_a_pass_writes_only_the_rows_that_changed(plant):
    units, reasons = plant
    for day in range(DAYS):
        start = at(FIRST_DAY + dt.timedelta(days=day), 8)
        add_run(units[0], start, start + dt.timedelta(hours=4), pq=100, gq=95, order=f"PO-{day}")
        add_downtime(units[0], reasons[1], start + dt.timedelta(hours=4), start + dt.timedelta(hours=5))
    for name in AGGREGATES:
        aggregate_pass(name)
    assert aggregate_pass("agg_time_model") == (0, 0, 0)  # nothing written, nothing recomputed
    last_day = FIRST_DAY + dt.timedelta(days=DAYS - 1)
    add_downtime(units[1], reasons[2], at(last_day, 15), at(last_day, 16))
    before = {name: aggregate_rows(name) for name in AGGREGATES}
    passes = _assert_pass_equals_rebuild()
    # Only what changed is written: unit 2's first fact gives it that day's three occurrences, and
    # downtime by reason one row for the new stop; no row of unit 1 is rewritten.
    assert passes == {"agg_time_model": (1, 0, 3), "agg_downtime_by_reason": (1, 0, 1)}
    for name in AGGREGATES:
        assert before[name] < aggregate_rows(name)


def test_a_run_added_to_an_order_recomputes_the_day_the_order_started(plant):
    units, _ = plant
    add_run(units[0], at(FIRST_DAY, 8), at(FIRST_DAY, 10), pq=50, gq=50, order="PO-LONG")
    aggregate_pass("agg_time_model")
    third_day = FIRST_DAY + dt.timedelta(days=2)
    add_run(units[0], at(third_day, 9), at(third_day, 11), pq=50, gq=50, order="PO-LONG")
    _assert_pass_equals_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("SELECT orders, aoet_s FROM agg_time_model WHERE equipment_id = %s AND date_key = %s "
                       "AND orders > 0", [units[0].pk, date_key(FIRST_DAY)])
        assert cursor.fetchall() == [(1, Decimal(2 * 24 * 3600 + 3 * 3600))]  # first start to last end


def test_a_changed_time_category_recomputes_every_day(plant):
    units, reasons = plant
    add_downtime(units[0], reasons[3], at(FIRST_DAY, 8), at(FIRST_DAY, 9))  # before DA's break (09:45)
    aggregate_pass("agg_time_model")
    reason = DowntimeReason.objects.get(pk=reasons[3].pk)
    reason.name = "renamed"  # a column the time model does not read: nothing to recompute
    reason.save()
    assert aggregate_pass("agg_time_model")[0] == 0
    reason.time_category = "setup"
    reason.save()
    passes = _assert_pass_equals_rebuild()
    assert passes["agg_time_model"][0] == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(aust_s) FROM agg_time_model")
        assert cursor.fetchone() == (3600,)  # was idle time (ADOT)


def test_a_changed_commissioning_date_recomputes_every_day(plant):
    units, reasons = plant
    fourth_day = FIRST_DAY + dt.timedelta(days=3)
    add_downtime(units[0], reasons[0], at(FIRST_DAY, 9), at(FIRST_DAY, 10))
    add_downtime(units[0], reasons[0], at(fourth_day, 9), at(fourth_day, 10))
    aggregate_pass("agg_time_model")
    unit = units[0]
    unit.commissioned_on = FIRST_DAY + dt.timedelta(days=2)
    unit.save()
    _assert_pass_equals_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(production_date) FROM agg_time_model WHERE equipment_id = %s", [unit.pk])
        assert cursor.fetchone()[0] == unit.commissioned_on


def test_a_changed_calendar_recomputes_every_day(plant, refresh):
    units, reasons = plant
    add_run(units[0], at(FIRST_DAY, 7), at(FIRST_DAY, 13), pq=10, gq=10)
    aggregate_pass("agg_time_model")
    DimShift.objects.filter(code="DA").update(end_time=dt.time(15))
    refresh("mv_shift_occurrence", "mv_shift_segment_hour")
    assert aggregate_pass("agg_time_model")[0] == 0  # no fact written: the calendar's fingerprint changed
    with connection.cursor() as cursor:
        cursor.execute("SELECT pot_s FROM agg_time_model s JOIN dim_shift d ON d.id = s.shift_id "
                       "WHERE d.code = 'DA' AND s.date_key = %s AND s.equipment_id = %s",
                       [date_key(FIRST_DAY), units[0].pk])
        assert cursor.fetchone()[0] == 9 * 3600
    _assert_pass_equals_rebuild()


def test_truncate_empties_the_days(plant):
    units, reasons = plant
    add_downtime(units[0], reasons[1], at(FIRST_DAY, 9), at(FIRST_DAY, 10))
    aggregate_pass("agg_downtime_by_reason")
    assert aggregate_rows("agg_downtime_by_reason")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred checks
        cursor.execute("TRUNCATE fact_downtime CASCADE")
    aggregate_pass("agg_downtime_by_reason")
    assert aggregate_rows("agg_downtime_by_reason") == set()


def test_the_days_the_clock_moved_are_recomputed(plant):
    """Each pass recomputes from the day of the earliest occurrence running since its previous pass (the
    occurrence running then grew); the days before stay as they were."""
    units, reasons = plant
    for day in range(DAYS):
        add_downtime(units[0], reasons[1], at(FIRST_DAY + dt.timedelta(days=day), 9),
                     at(FIRST_DAY + dt.timedelta(days=day), 10))
    aggregate_pass("agg_downtime_by_reason")
    previous_pass = at(FIRST_DAY + dt.timedelta(days=3), 12)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE agg_downtime_by_reason SET stop_s = 0")
        cursor.execute("UPDATE agg_day_state SET computed_at = %s WHERE aggregate_name = 'agg_downtime_by_reason'",
                       [previous_pass])
    aggregate_pass("agg_downtime_by_reason")
    with connection.cursor() as cursor:
        cursor.execute("SELECT production_date, stop_s FROM agg_downtime_by_reason ORDER BY production_date")
        recomputed = dict(cursor.fetchall())
    assert recomputed == {FIRST_DAY + dt.timedelta(days=day): (3600 if day >= 3 else 0) for day in range(DAYS)}


def test_a_write_recomputes_from_the_day_of_the_occurrence_containing_it(plant):
    """A stop at 02:00 lies in the night shift DC of the production day before (22:00–06:00): that day
    is recomputed from, not the one before it; a stop in the afternoon shift, its own day."""
    units, reasons = plant
    for day in range(DAYS):
        add_downtime(units[0], reasons[1], at(FIRST_DAY + dt.timedelta(days=day), 9),
                     at(FIRST_DAY + dt.timedelta(days=day), 10))
    aggregate_pass("agg_downtime_by_reason")

    def recomputed_after(*stops) -> set[dt.date]:
        # Stored rows zeroed: the days a pass recomputes come back.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE agg_downtime_by_reason SET stop_s = 0")
        for start, end in stops:
            add_downtime(units[1], reasons[1], start, end)
        aggregate_pass("agg_downtime_by_reason")
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT production_date FROM agg_downtime_by_reason WHERE stop_s > 0")
            return {row[0] for row in cursor.fetchall()}

    night_of_day_2 = FIRST_DAY + dt.timedelta(days=3)  # 02:00 on the calendar day after day 2
    assert recomputed_after((at(night_of_day_2, 2), at(night_of_day_2, 3))) == {
        FIRST_DAY + dt.timedelta(days=day) for day in (2, 3, 4)}
    assert recomputed_after((at(FIRST_DAY + dt.timedelta(days=4), 15), at(FIRST_DAY + dt.timedelta(days=4), 16))) == {
        FIRST_DAY + dt.timedelta(days=4)}


def test_a_refresh_that_changes_no_occurrence_recomputes_nothing(plant, refresh):
    """The calendar check: a refresh writes new row versions (a plain one a new file), the fingerprint of
    the occurrences stays the same, so no day is recomputed."""
    units, reasons = plant
    add_downtime(units[0], reasons[1], at(FIRST_DAY, 9), at(FIRST_DAY, 10))
    aggregate_pass("agg_downtime_by_reason")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE agg_downtime_by_reason SET stop_s = 0")
    refresh("mv_shift_occurrence")  # concurrently: no row changes
    with connection.cursor() as cursor:
        cursor.execute("REFRESH MATERIALIZED VIEW mv_shift_occurrence")  # a new file, the same rows
    assert aggregate_pass("agg_downtime_by_reason") == (0, 0, 0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(stop_s) FROM agg_downtime_by_reason")
        assert cursor.fetchone()[0] == 0  # nothing recomputed


def test_a_failed_pass_leaves_rows_and_invalidations_as_they_were(plant, refresh):
    from mfgplatform.aggregates.registry import refresh_views

    units, reasons = plant
    add_downtime(units[0], reasons[1], at(FIRST_DAY, 9), at(FIRST_DAY, 10))
    refresh("agg_downtime_by_reason")
    stored = aggregate_rows("agg_downtime_by_reason")
    add_downtime(units[0], reasons[1], at(FIRST_DAY, 11), at(FIRST_DAY, 12))
    with connection.cursor() as cursor:
        # The table no longer matches its SELECT: the pass fails.
        cursor.execute("ALTER TABLE agg_downtime_by_reason ADD COLUMN broken integer NOT NULL DEFAULT 0")
    [entry] = refresh_views(["agg_downtime_by_reason"], triggered_by="test")
    assert entry.outcome == "failed"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM agg_day_invalidation WHERE aggregate_name = 'agg_downtime_by_reason'")
        assert cursor.fetchone()[0] == 1
        cursor.execute("ALTER TABLE agg_downtime_by_reason DROP COLUMN broken")
    assert aggregate_rows("agg_downtime_by_reason") == stored
    refresh("agg_downtime_by_reason")  # retried: the invalidation is still there
    assert aggregate_rows("agg_downtime_by_reason") != stored
    _assert_pass_equals_rebuild()
