"""dim_date / dim_time reference data and the load_calendar command."""

import datetime as dt
import time
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from mfgplatform.calendar import fiscal_period
from mfgplatform.models import DimDate, DimTime
from mfgplatform.system_account import SYSTEM_USERNAME

pytestmark = pytest.mark.django_db

ONE_DAY = dt.timedelta(days=1)


def configured_range() -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(settings.CALENDAR_START_DATE), dt.date.fromisoformat(settings.CALENDAR_END_DATE)


def test_dim_date_has_one_row_per_day_of_the_configured_range():
    start, end = configured_range()
    expected = {start + dt.timedelta(days=n) for n in range((end - start).days + 1)}

    rows = list(DimDate.objects.values_list("date_key", "date"))

    assert len(rows) == len(expected)
    assert {day for _key, day in rows} == expected
    assert all(key == int(day.strftime("%Y%m%d")) for key, day in rows)


def test_default_range_is_2020_to_2030():
    if (settings.CALENDAR_START_DATE, settings.CALENDAR_END_DATE) != ("2020-01-01", "2030-12-31"):
        pytest.skip("calendar range overridden in the environment")
    assert DimDate.objects.count() == 4018  # 11 years, 3 of them leap years


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(
            dt.date(2021, 1, 3),
            {"date_key": 20210103, "day_of_week": 7, "day_name": "Sunday", "iso_year": 2020, "iso_week": 53,
             "week_start": dt.date(2020, 12, 28), "is_weekend": True, "is_working_day": False, "quarter": 1},
            id="sunday_in_iso_week_53_of_previous_year_case",
        ),
        pytest.param(
            dt.date(2024, 2, 29),
            {"date_key": 20240229, "day_of_week": 4, "day_name": "Thursday", "day_of_year": 60,
             "month_name": "February", "iso_week": 9, "is_weekend": False, "quarter": 1},
            id="leap_day_case",
        ),
        pytest.param(
            dt.date(2025, 12, 29),
            {"date_key": 20251229, "day_of_week": 1, "iso_year": 2026, "iso_week": 1, "quarter": 4,
             "week_start": dt.date(2025, 12, 29)},
            id="monday_in_iso_week_1_of_next_year_case",
        ),
    ],
)
def test_dim_date_row_values(day, expected):
    row = DimDate.objects.values().get(date=day)
    assert {field: row[field] for field in expected} == expected


def test_fiscal_columns_follow_the_fiscal_year_start_setting():
    fiscal = fiscal_period(dt.date(2024, 5, 15), settings.FISCAL_YEAR_START_MONTH)
    row = DimDate.objects.get(date=dt.date(2024, 5, 15))
    assert (row.fiscal_year, row.fiscal_quarter, row.fiscal_month, row.fiscal_year_start) == (
        fiscal.year, fiscal.quarter, fiscal.month, fiscal.year_start,
    )


def test_working_days_are_exactly_the_weekdays_without_holidays():
    assert not DimDate.objects.filter(is_working_day=True, is_weekend=True).exists()
    assert not DimDate.objects.filter(is_working_day=True, is_holiday=True).exists()
    assert not DimDate.objects.filter(is_working_day=False, is_weekend=False, is_holiday=False).exists()


def test_dim_time_has_every_minute_of_the_day():
    assert DimTime.objects.count() == 1440
    assert list(DimTime.objects.order_by("minute_of_day").values_list("minute_of_day", flat=True)) == list(range(1440))
    last = DimTime.objects.get(minute_of_day=1439)
    assert (last.time, last.hour, last.minute, last.hour_label, last.quarter_hour) == (
        dt.time(23, 59), 23, 59, "23:00", 4,
    )


def _run_load_calendar(**options) -> str:
    out = StringIO()
    call_command("load_calendar", stdout=out, **options)
    return out.getvalue()


def test_load_calendar_extends_the_range_idempotently():
    _, end = configured_range()
    first, last = end + ONE_DAY, end + dt.timedelta(days=40)

    first_run = _run_load_calendar(start=first.isoformat(), end=last.isoformat())
    second_run = _run_load_calendar(start=first.isoformat(), end=last.isoformat())

    assert "40 day(s) inserted, 0 already present" in first_run
    assert "0 day(s) inserted, 40 already present" in second_run
    assert DimDate.objects.filter(date__range=(first, last)).count() == 40
    history = DimDate.history.filter(date__range=(first, last))
    assert history.count() == 40
    assert set(history.values_list("history_type", "history_change_reason", "history_user__username")) == {
        ("+", "reference data: load_calendar", SYSTEM_USERNAME)
    }


def test_load_calendar_inserts_only_missing_days_of_an_overlapping_range():
    _, end = configured_range()
    first, last = end - dt.timedelta(days=9), end + dt.timedelta(days=5)
    output = _run_load_calendar(start=first.isoformat(), end=last.isoformat())
    assert "5 day(s) inserted, 10 already present" in output


def test_load_calendar_marks_holidays_of_the_configured_country(settings):
    settings.CALENDAR_HOLIDAY_COUNTRY = "DE"
    _run_load_calendar(start="2040-10-01", end="2040-10-31")
    unity_day = DimDate.objects.get(date=dt.date(2040, 10, 3))  # a Wednesday
    assert (unity_day.is_holiday, unity_day.holiday_name, unity_day.is_working_day) == (True, "German Unity Day", False)
    assert DimDate.objects.filter(date__range=("2040-10-01", "2040-10-31"), is_holiday=True).count() == 1


def test_load_calendar_loads_eleven_years_well_under_ten_seconds():
    started = time.perf_counter()
    output = _run_load_calendar(start="2040-01-01", end="2050-12-31")
    elapsed = time.perf_counter() - started
    assert "4018 day(s) inserted" in output
    assert elapsed < 10


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"start": "2031-02-01", "end": "2031-01-01"}, "is before --start", id="reversed_range_case"),
        pytest.param({"start": "2031-13-01", "end": "2031-12-31"}, "not an ISO date", id="invalid_date_case"),
    ],
)
def test_load_calendar_rejects_bad_ranges(options, message):
    with pytest.raises(CommandError, match=message):
        _run_load_calendar(**options)
