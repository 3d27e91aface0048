"""The day-kept aggregates under a moving clock (mfgplatform/sql/day_aggregate): facts are written in steps
around the real current time, each step committed, and after each step an incremental pass must leave
exactly the rows that a rebuild computes at the same clock (compared row by row in the pass's own
transaction; the rebuild is rolled back so the next step starts from the incremental rows). Between the
steps the clock moves the running occurrence, an open stop and a run ending in the future; a pass with
nothing written recomputes only what the clock moved."""

import datetime as dt
import time

import pytest
from django.db import transaction
from django.utils import timezone

from production.models import FactProduction
from reliability.models import FactDowntime
from tests.ops.conftest import keep_reference_data  # noqa: F401 (a fixture: the tables come back after the module)

from .factories import (
    add_downtime,
    add_run,
    aggregate_pass,
    aggregate_rows,
    ensure_dates,
    make_equipment,
    make_reason,
    make_shift,
    only_shifts,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("keep_reference_data")]

AGGREGATES = ("agg_time_model", "agg_downtime_by_reason")
EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]



def _pass_equals_rebuild() -> dict[str, tuple[int, int, int]]:
    """One transaction, one clock: each aggregate's incremental pass, then a rebuild compared with its rows
    and rolled back, so that what stays is the incremental pass."""
    passes = {}
    with transaction.atomic():
        for name in AGGREGATES:
            passes[name] = aggregate_pass(name)
        incremental = {name: aggregate_rows(name) for name in AGGREGATES}
        rebuilt = transaction.savepoint()
        for name in AGGREGATES:
            aggregate_pass(name, rebuild=True)
            assert aggregate_rows(name) == incremental[name], name
        transaction.savepoint_rollback(rebuilt)
    time.sleep(0.05)  # the next transaction's clock is later in any case; a visible step
    return passes


def test_incremental_passes_under_a_moving_clock_equal_a_rebuild(refresh):
    now = timezone.now()
    ensure_dates(now.date() - dt.timedelta(days=4), now.date() + dt.timedelta(days=2))
    # Every day: a shift that began up to two hours ago and runs four hours (a break in its first hour),
    # one that ended two hours before it, and off-shift time in between.
    start = (now - dt.timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    running = make_shift("MC-RUN", start.time(), (start + dt.timedelta(hours=4)).time(), weekdays=EVERY_DAY,
                         breaks=[((start + dt.timedelta(minutes=40)).time(), 15)], order=1)
    earlier = make_shift("MC-EARLY", (start - dt.timedelta(hours=6)).time(), (start - dt.timedelta(hours=2)).time(),
                         weekdays=EVERY_DAY, order=2)
    only_shifts(running, earlier)
    units = [make_equipment(f"MC-M{i}") for i in (1, 2)]
    fail, setup, plan = (make_reason("MC-FAIL", "delay", failure=True, mode="BRD"), make_reason("MC-SETUP", "setup"),
                         make_reason("MC-PLAN", "planned_downtime"))
    refresh("mv_shift_occurrence", "mv_shift_segment_hour")

    def ago(minutes: float) -> dt.datetime:
        return now - dt.timedelta(minutes=minutes)

    # The days before: a run and a stop per unit each day, one order across two days.
    for back in (3, 2, 1):
        day = start - dt.timedelta(days=back)
        for unit in units:
            add_run(unit, day - dt.timedelta(hours=5), day - dt.timedelta(hours=3), pq=120, gq=118, pri="60",
                    order=f"PO-{unit.code}" if back > 1 else "")
            add_downtime(unit, fail, day + dt.timedelta(minutes=30), day + dt.timedelta(minutes=55))
    _pass_equals_rebuild()

    # Today in the earlier shift and off shift (a run through the gap), then nothing written.
    add_run(units[0], start - dt.timedelta(hours=5), start - dt.timedelta(hours=2, minutes=30), pq=150, gq=149,
            pri="60", order=f"PO-{units[0].code}")
    add_run(units[1], start - dt.timedelta(hours=2, minutes=20), start - dt.timedelta(hours=1), pq=40, gq=40, pri="60")
    add_downtime(units[1], setup, start - dt.timedelta(hours=4), start - dt.timedelta(hours=3, minutes=30))
    _pass_equals_rebuild()
    passes = _pass_equals_rebuild()
    # Only the running occurrence moved (its POT): one row per unit, rewritten; no stop changed.
    assert passes["agg_time_model"] == (0, len(units), len(units))
    assert passes["agg_downtime_by_reason"] == (0, 0, 0)

    # In the running occurrence: a run, a stop still open, a run that ends in the future.
    add_run(units[0], max(start, ago(50)), ago(5), pq=45, gq=44, pri="60")
    open_stop = add_downtime(units[1], fail, ago(3), None)
    add_run(units[1], max(start, ago(90)), now + dt.timedelta(minutes=20), pq=80, gq=80, pri="60")
    _pass_equals_rebuild()
    _pass_equals_rebuild()  # the open stop and the future run grow with the clock

    # The stop ends, a correction two days back moves a run and deletes a stop.
    FactDowntime.objects.filter(pk=open_stop.pk).update(ended_at=timezone.now())
    two_days_back = FactProduction.objects.filter(equipment=units[0], started_at__lt=start - dt.timedelta(days=1)
                                                  ).order_by("-started_at").first()
    FactProduction.objects.filter(pk=two_days_back.pk).update(
        started_at=two_days_back.started_at + dt.timedelta(hours=1))
    FactDowntime.objects.filter(equipment=units[1], started_at__lt=start - dt.timedelta(days=2)).delete()
    add_downtime(units[0], plan, start - dt.timedelta(days=2, hours=1), start - dt.timedelta(days=2))
    _pass_equals_rebuild()
    _pass_equals_rebuild()
