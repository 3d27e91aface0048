"""Calendar semantics: fiscal periods, named date ranges, production days and shifts."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from mfgplatform import calendar
from mfgplatform.choices import DateRangeRule as R

D = dt.date
BERLIN = ZoneInfo("Europe/Berlin")
SIX = dt.time(6, 0)


@pytest.mark.parametrize(
    ("day", "start_month", "expected"),
    [
        (D(2025, 1, 1), 1, (2025, 1, 1, D(2025, 1, 1))),
        (D(2025, 12, 31), 1, (2025, 4, 12, D(2025, 1, 1))),
        # April start: FY2026 runs 2025-04-01 .. 2026-03-31 and is named after the year it ends in.
        (D(2025, 3, 31), 4, (2025, 4, 12, D(2024, 4, 1))),
        (D(2025, 4, 1), 4, (2026, 1, 1, D(2025, 4, 1))),
        (D(2026, 1, 15), 4, (2026, 4, 10, D(2025, 4, 1))),
        # October start (US federal style): 2025-10-01 opens FY2026.
        (D(2025, 9, 30), 10, (2025, 4, 12, D(2024, 10, 1))),
        (D(2025, 10, 1), 10, (2026, 1, 1, D(2025, 10, 1))),
    ],
)
def test_fiscal_period(day, start_month, expected):
    period = calendar.fiscal_period(day, start_month)
    assert (period.year, period.quarter, period.month, period.year_start) == expected


def test_fiscal_start_month_must_be_a_month():
    with pytest.raises(ValueError, match="1..12"):
        calendar.fiscal_period(D(2025, 1, 1), 13)


@pytest.mark.parametrize(
    ("rule", "today", "kwargs", "expected"),
    [
        (R.TODAY, D(2025, 1, 1), {}, (D(2025, 1, 1), D(2025, 1, 1), True)),
        (R.YESTERDAY, D(2025, 1, 1), {}, (D(2024, 12, 31), D(2024, 12, 31), False)),
        (R.LAST_N_DAYS, D(2025, 1, 3), {"length_days": 7}, (D(2024, 12, 27), D(2025, 1, 2), False)),
        # ISO week: 2025-01-01 is a Wednesday in week 1 that started on Monday 2024-12-30.
        (R.THIS_WEEK, D(2025, 1, 1), {}, (D(2024, 12, 30), D(2025, 1, 1), True)),
        (R.LAST_WEEK, D(2025, 1, 1), {}, (D(2024, 12, 23), D(2024, 12, 29), False)),
        (R.LAST_WEEK, D(2025, 1, 6), {}, (D(2024, 12, 30), D(2025, 1, 5), False)),
        (R.THIS_MONTH, D(2025, 2, 14), {}, (D(2025, 2, 1), D(2025, 2, 14), True)),
        (R.LAST_MONTH, D(2025, 1, 15), {}, (D(2024, 12, 1), D(2024, 12, 31), False)),
        (R.LAST_MONTH, D(2024, 3, 31), {}, (D(2024, 2, 1), D(2024, 2, 29), False)),
        (R.THIS_QUARTER, D(2025, 5, 20), {}, (D(2025, 4, 1), D(2025, 5, 20), True)),
        (R.LAST_QUARTER, D(2025, 2, 1), {}, (D(2024, 10, 1), D(2024, 12, 31), False)),
        (R.THIS_YEAR, D(2025, 1, 1), {}, (D(2025, 1, 1), D(2025, 1, 1), True)),
        (R.LAST_YEAR, D(2025, 1, 1), {}, (D(2024, 1, 1), D(2024, 12, 31), False)),
        (R.THIS_FISCAL_YEAR, D(2025, 3, 31), {"fiscal_start_month": 4}, (D(2024, 4, 1), D(2025, 3, 31), True)),
        (R.THIS_FISCAL_YEAR, D(2025, 4, 1), {"fiscal_start_month": 4}, (D(2025, 4, 1), D(2025, 4, 1), True)),
        (R.LAST_FISCAL_YEAR, D(2025, 4, 1), {"fiscal_start_month": 4}, (D(2024, 4, 1), D(2025, 3, 31), False)),
        (R.LAST_FISCAL_YEAR, D(2025, 1, 10), {"fiscal_start_month": 10}, (D(2023, 10, 1), D(2024, 9, 30), False)),
        (R.THIS_FISCAL_QUARTER, D(2025, 1, 10), {"fiscal_start_month": 10}, (D(2025, 1, 1), D(2025, 1, 10), True)),
        (R.LAST_FISCAL_QUARTER, D(2025, 1, 10), {"fiscal_start_month": 10}, (D(2024, 10, 1), D(2024, 12, 31), False)),
        (R.LAST_FISCAL_QUARTER, D(2025, 5, 1), {"fiscal_start_month": 4}, (D(2025, 1, 1), D(2025, 3, 31), False)),
        (
            R.FIXED,
            D(2025, 1, 1),
            {"fixed_start": D(2024, 6, 1), "fixed_end": D(2024, 6, 30)},
            (D(2024, 6, 1), D(2024, 6, 30), False),
        ),
    ],
)
def test_named_ranges_resolve_to_concrete_dates(rule, today, kwargs, expected):
    resolved = calendar.resolve_date_range(rule, today, **kwargs)
    assert (resolved.start, resolved.end, resolved.is_partial) == expected


def test_last_n_days_is_n_complete_days():
    resolved = calendar.resolve_date_range(R.LAST_N_DAYS, D(2025, 3, 1), length_days=30)
    assert resolved.days == 30
    assert resolved.end == D(2025, 2, 28)


@pytest.mark.parametrize(
    ("rule", "kwargs", "message"),
    [
        (R.LAST_N_DAYS, {}, "positive length_days"),
        (R.FIXED, {"fixed_start": D(2025, 2, 1), "fixed_end": D(2025, 1, 1)}, "start <= end"),
        ("fortnight", {}, "unknown date range rule"),
    ],
)
def test_incomplete_ranges_are_refused(rule, kwargs, message):
    with pytest.raises(ValueError, match=message):
        calendar.resolve_date_range(rule, D(2025, 1, 1), **kwargs)


def test_production_day_starts_at_six_local_time():
    before_six = dt.datetime(2025, 3, 12, 4, 59, tzinfo=dt.UTC)  # 05:59 in Berlin (UTC+1)
    at_six = dt.datetime(2025, 3, 12, 5, 0, tzinfo=dt.UTC)
    assert calendar.production_date(before_six, BERLIN, SIX) == D(2025, 3, 11)
    assert calendar.production_date(at_six, BERLIN, SIX) == D(2025, 3, 12)


def test_a_night_shift_crossing_midnight_belongs_to_the_day_it_starts():
    window = calendar.shift_window(dt.time(22), dt.time(6), D(2025, 3, 11), BERLIN, SIX)  # a Tuesday
    assert window.production_date == D(2025, 3, 11)
    assert window.start == dt.datetime(2025, 3, 11, 22, tzinfo=BERLIN)
    assert window.end == dt.datetime(2025, 3, 12, 6, tzinfo=BERLIN)
    assert window.duration == dt.timedelta(hours=8)
    # 02:00 on Wednesday is still Tuesday's production day.
    assert calendar.production_date(dt.datetime(2025, 3, 12, 2, tzinfo=BERLIN), BERLIN, SIX) == D(2025, 3, 11)


def test_a_shift_starting_before_the_day_start_runs_on_the_next_calendar_day():
    window = calendar.shift_window(dt.time(2), dt.time(6), D(2025, 3, 11), BERLIN, SIX)
    assert window.start == dt.datetime(2025, 3, 12, 2, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("night_of", "hours"),
    [
        (D(2025, 3, 29), 7),  # clocks spring forward on Sunday 2025-03-30 at 02:00
        (D(2025, 10, 25), 9),  # clocks fall back on Sunday 2025-10-26 at 03:00
        (D(2025, 6, 14), 8),
    ],
)
def test_a_night_shift_on_a_daylight_saving_change_lasts_its_real_elapsed_time(night_of, hours):
    window = calendar.shift_window(dt.time(22), dt.time(6), night_of, BERLIN, SIX)
    assert window.duration == dt.timedelta(hours=hours)


def test_date_rows_carry_iso_week_fiscal_period_and_working_day():
    rows = list(
        calendar.date_rows(D(2024, 12, 30), D(2025, 1, 6), fiscal_start_month=4, holidays={D(2025, 1, 1): "New Year"})
    )
    assert len(rows) == 8
    new_year = rows[2]
    assert new_year["date_key"] == 20250101
    assert (new_year["iso_year"], new_year["iso_week"], new_year["week_start"]) == (2025, 1, D(2024, 12, 30))
    assert (new_year["fiscal_year"], new_year["fiscal_quarter"], new_year["fiscal_month"]) == (2025, 4, 10)
    assert new_year["is_holiday"]
    assert not new_year["is_working_day"]
    saturday = rows[5]
    assert saturday["is_weekend"]
    assert not saturday["is_working_day"]
    assert [r["is_working_day"] for r in rows] == [True, True, False, True, True, False, False, True]


def test_time_rows_cover_every_minute_once():
    rows = list(calendar.time_rows())
    assert len(rows) == 1440
    assert rows[0]["time"] == dt.time(0, 0)
    assert rows[-1]["time"] == dt.time(23, 59)
    assert rows[22 * 60 + 15]["hour_label"] == "22:00"
    assert rows[22 * 60 + 15]["quarter_hour"] == 2
