"""Shift occurrences against the configured plant time zone and production-day start."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from mfgplatform.models import DimDateRange, DimShift, shift_occurrence_at

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def shifts(settings):
    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    settings.PRODUCTION_DAY_START = "06:00"
    return [
        DimShift.objects.create(code="XA", name="Early", start_time=dt.time(6), end_time=dt.time(14), sort_order=1),
        DimShift.objects.create(code="XB", name="Late", start_time=dt.time(14), end_time=dt.time(22), sort_order=2),
        DimShift.objects.create(code="XC", name="Night", start_time=dt.time(22), end_time=dt.time(6), sort_order=3),
    ]


@pytest.mark.parametrize(
    ("local_time", "shift_code", "production_day"),
    [
        (dt.datetime(2025, 3, 11, 6, 0), "XA", dt.date(2025, 3, 11)),
        (dt.datetime(2025, 3, 11, 13, 59), "XA", dt.date(2025, 3, 11)),
        (dt.datetime(2025, 3, 11, 14, 0), "XB", dt.date(2025, 3, 11)),
        (dt.datetime(2025, 3, 11, 23, 30), "XC", dt.date(2025, 3, 11)),
        # After midnight the Tuesday night shift is still running and still Tuesday's.
        (dt.datetime(2025, 3, 12, 2, 0), "XC", dt.date(2025, 3, 11)),
        (dt.datetime(2025, 3, 12, 5, 59), "XC", dt.date(2025, 3, 11)),
        (dt.datetime(2025, 3, 12, 6, 0), "XA", dt.date(2025, 3, 12)),
        # New Year's Eve night shift belongs to the old year.
        (dt.datetime(2026, 1, 1, 1, 0), "XC", dt.date(2025, 12, 31)),
    ],
)
def test_an_instant_falls_in_the_right_shift_occurrence(shifts, local_time, shift_code, production_day):
    shift, window = shift_occurrence_at(local_time.replace(tzinfo=BERLIN), shifts)
    assert shift.code == shift_code
    assert window.production_date == production_day


def test_no_shift_outside_the_shift_pattern(settings):
    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    day_only = DimShift.objects.create(code="XD", name="Day only", start_time=dt.time(8), end_time=dt.time(16))
    assert shift_occurrence_at(dt.datetime(2025, 3, 11, 20, tzinfo=BERLIN), [day_only]) is None


def test_the_default_pattern_runs_three_shifts_around_the_clock(settings):
    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    shift, window = shift_occurrence_at(dt.datetime(2025, 3, 12, 3, tzinfo=BERLIN))
    assert (shift.code, window.production_date) == ("C", dt.date(2025, 3, 11))


def test_shift_window_uses_the_plant_zone(shifts):
    night = shifts[2]
    window = night.window(dt.date(2025, 3, 29))  # spring-forward night
    assert window.start.astimezone(dt.UTC) == dt.datetime(2025, 3, 29, 21, tzinfo=dt.UTC)
    assert window.duration == dt.timedelta(hours=7)


def test_named_range_resolves_with_the_configured_fiscal_year(settings):
    settings.FISCAL_YEAR_START_MONTH = 4
    fiscal = DimDateRange.objects.create(code="xfy", name="FY to date", rule="this_fiscal_year")
    resolved = fiscal.resolve(dt.date(2026, 2, 10))
    assert (resolved.start, resolved.end, resolved.is_partial) == (dt.date(2025, 4, 1), dt.date(2026, 2, 10), True)


def test_named_range_defaults_to_the_current_production_day(settings, shifts):
    from django.utils import timezone

    from mfgplatform import calendar

    today = calendar.production_date(timezone.now(), BERLIN, dt.time(6))
    resolved = DimDateRange.objects.create(code="xtoday", name="Today", rule="today").resolve()
    assert resolved.start == resolved.end == today
