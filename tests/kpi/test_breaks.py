"""Positioned shift breaks, worked by hand: a break window is planned downtime where the unit did not
run, production time where it ran through, and a stop inside it is planned downtime."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mfgplatform.models import ShiftBreak

from .factories import add_downtime, add_run, date_key, make_equipment, make_reason, make_shift, only_shifts

DAY = dt.date(2025, 3, 11)  # a Tuesday
MINUTE = 60


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def elements(unit, shift, day: dt.date = DAY) -> dict[str, float]:
    """The row of agg_time_model, time elements in minutes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pot_s, planned_downtime_s, pbt_s, adot_s, adet_s, aust_s, apt_s FROM agg_time_model "
                       "WHERE equipment_id = %s AND date_key = %s AND shift_id = %s",
                       [unit.pk, date_key(day), shift.pk])
        row = cursor.fetchone()
    return dict(zip(("POT", "PDT", "PBT", "ADOT", "ADET", "AUST", "APT"), (float(v) / MINUTE for v in row),
                    strict=True))


@pytest.fixture
def early_shift():
    """06:00–14:00 with one 30-minute break at 10:00."""
    shift = make_shift("BRK", dt.time(6), dt.time(14), break_minutes=30, break_at=dt.time(10))
    only_shifts(shift)
    return shift


@pytest.fixture
def unit():
    return make_equipment("BRK-M1", decommissioned_on=DAY + dt.timedelta(days=1))


def test_runs_around_the_break_leave_the_break_as_planned_downtime(early_shift, unit, refresh):
    add_run(unit, at(6), at(10), pq=240, gq=240)
    add_run(unit, at(10, 30), at(14), pq=210, gq=210)
    refresh()
    # POT 480 = PDT 30 (the break) + APT 450 (240 + 210 min of runs); nothing is left as ADOT.
    assert elements(unit, early_shift) == {"POT": 480, "PDT": 30, "PBT": 450, "ADOT": 0, "ADET": 0, "AUST": 0,
                                           "APT": 450}


def test_a_run_through_the_break_is_production_time(early_shift, unit, refresh):
    add_run(unit, at(6), at(14), pq=480, gq=480)
    refresh()
    # The plant ran through the break: all 480 min are APT, no planned downtime.
    assert elements(unit, early_shift) == {"POT": 480, "PDT": 0, "PBT": 480, "ADOT": 0, "ADET": 0, "AUST": 0,
                                           "APT": 480}


def test_a_failure_over_the_break_is_planned_inside_it_and_adet_outside(early_shift, unit, refresh):
    add_run(unit, at(6), at(10), pq=230, gq=230)
    add_run(unit, at(10, 40), at(14), pq=200, gq=200)
    add_downtime(unit, make_reason("BRK-FAIL", "delay", failure=True, mode="BRD"), at(9, 50), at(10, 40))
    refresh()
    # Failure 09:50–10:40 = 50 min: 10 before the break and 10 after it are ADET, the 30 inside it are
    # planned (the break). APT = 06:00–09:50 (230) + 10:40–14:00 (200) = 430. 480 = 30 + 20 + 430.
    assert elements(unit, early_shift) == {"POT": 480, "PDT": 30, "PBT": 450, "ADOT": 0, "ADET": 20, "AUST": 0,
                                           "APT": 430}


def test_part_of_a_run_in_the_break_counts_and_the_rest_of_the_break_is_planned(early_shift, unit, refresh):
    add_run(unit, at(6), at(10, 10), pq=250, gq=250)
    add_run(unit, at(10, 30), at(13), pq=150, gq=150)
    refresh()
    # The unit ran 10 min into the break: APT = 250 + 150 = 400; PDT = the 20 break minutes it did
    # not run; ADOT = 13:00–14:00 = 60 (available, no order). 480 = 20 + 400 + 60.
    assert elements(unit, early_shift) == {"POT": 480, "PDT": 20, "PBT": 460, "ADOT": 60, "ADET": 0, "AUST": 0,
                                           "APT": 400}


def test_the_night_shift_break_after_midnight(unit, refresh):
    night = make_shift("BRKN", dt.time(22), dt.time(6), break_minutes=30, break_at=dt.time(1, 45))
    only_shifts(night)
    next_day = DAY + dt.timedelta(days=1)
    add_run(unit, at(22), at(1, 45, next_day), pq=100, gq=100)
    add_run(unit, at(2, 15, next_day), at(6, 0, next_day), pq=100, gq=100)
    refresh()
    # The break is 01:45–02:15 of the next calendar day: 225 + 225 min of runs around it.
    assert elements(unit, night) == {"POT": 480, "PDT": 30, "PBT": 450, "ADOT": 0, "ADET": 0, "AUST": 0, "APT": 450}


def test_moving_a_break_recomputes_the_time_model(early_shift, unit, refresh):
    add_run(unit, at(6), at(10), pq=240, gq=240)
    add_run(unit, at(10, 30), at(14), pq=210, gq=210)
    refresh()
    shift_break = early_shift.breaks.get()
    shift_break.start_time = dt.time(12)
    shift_break.save()
    refresh()
    # Now the unit ran through 12:00–12:30 and stood still 10:00–10:30 outside any break.
    assert elements(unit, early_shift) == {"POT": 480, "PDT": 0, "PBT": 480, "ADOT": 30, "ADET": 0, "AUST": 0,
                                           "APT": 450}


def test_break_windows_are_validated_and_kept_in_the_shift_total(early_shift):
    assert early_shift.planned_break_minutes == 30
    outside = ShiftBreak(shift=early_shift, start_time=dt.time(13, 45), minutes=30)
    with pytest.raises(ValidationError, match="does not lie within the shift"):
        outside.full_clean()
    overlapping = ShiftBreak(shift=early_shift, start_time=dt.time(10, 15), minutes=10)
    with pytest.raises(ValidationError, match="overlaps the break"):
        overlapping.full_clean()
    ShiftBreak.objects.create(shift=early_shift, start_time=dt.time(12), minutes=15)
    early_shift.refresh_from_db()
    assert early_shift.planned_break_minutes == 45
    assert early_shift.history.count() >= 1
    assert ShiftBreak.history.filter(shift_id=early_shift.pk).count() == 2
