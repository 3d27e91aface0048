"""Default shifts and named date ranges loaded by mfgplatform 0006."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from mfgplatform.models import DimDateRange, DimShift

pytestmark = pytest.mark.django_db


def test_three_shifts():
    rows = [
        (shift.code, shift.name, shift.start_time, shift.end_time, shift.crosses_midnight, shift.weekdays,
         shift.planned_break_minutes, shift.sort_order)
        for shift in DimShift.objects.all()
    ]
    assert rows == [
        ("A", "Early", dt.time(6), dt.time(14), False, [1, 2, 3, 4, 5], 30, 1),
        ("B", "Late", dt.time(14), dt.time(22), False, [1, 2, 3, 4, 5], 30, 2),
        ("C", "Night", dt.time(22), dt.time(6), True, [1, 2, 3, 4, 5], 30, 3),
    ]


def test_shifts_cover_the_production_day_without_gaps():
    day, zone = dt.date(2024, 6, 4), ZoneInfo("UTC")
    windows = [shift.window(day, zone) for shift in DimShift.objects.all()]
    assert [window.duration for window in windows] == [dt.timedelta(hours=8)] * 3
    assert windows[0].start == dt.datetime(2024, 6, 4, 6, tzinfo=zone)
    assert windows[0].end == windows[1].start
    assert windows[1].end == windows[2].start
    assert windows[2].end == dt.datetime(2024, 6, 5, 6, tzinfo=zone)


def test_shifts_pass_model_validation():
    for shift in DimShift.objects.all():
        shift.full_clean()


def test_named_date_ranges():
    rows = {
        code: (rule, length)
        for code, rule, length in DimDateRange.objects.values_list("code", "rule", "length_days")
    }
    assert rows == {
        "today": ("today", None), "yesterday": ("yesterday", None),
        "last_7_days": ("last_n_days", 7), "last_14_days": ("last_n_days", 14),
        "last_30_days": ("last_n_days", 30), "last_90_days": ("last_n_days", 90),
        "this_week": ("this_week", None), "last_week": ("last_week", None),
        "this_month": ("this_month", None), "last_month": ("last_month", None),
        "this_quarter": ("this_quarter", None), "last_quarter": ("last_quarter", None),
        "this_year": ("this_year", None), "last_year": ("last_year", None),
        "this_fiscal_year": ("this_fiscal_year", None), "last_fiscal_year": ("last_fiscal_year", None),
        "this_fiscal_quarter": ("this_fiscal_quarter", None), "last_fiscal_quarter": ("last_fiscal_quarter", None),
    }


@pytest.mark.parametrize(
    ("code", "start", "end", "partial"),
    [
        pytest.param("last_7_days", dt.date(2024, 3, 6), dt.date(2024, 3, 12), False, id="last_7_days_case"),
        pytest.param("last_week", dt.date(2024, 3, 4), dt.date(2024, 3, 10), False, id="last_week_case"),
        pytest.param("this_month", dt.date(2024, 3, 1), dt.date(2024, 3, 13), True, id="this_month_case"),
        pytest.param("last_quarter", dt.date(2023, 10, 1), dt.date(2023, 12, 31), False, id="last_quarter_case"),
    ],
)
def test_date_ranges_resolve(code, start, end, partial):
    resolved = DimDateRange.objects.get(code=code).resolve(today=dt.date(2024, 3, 13))  # a Wednesday
    assert (resolved.start, resolved.end, resolved.is_partial) == (start, end, partial)


def test_date_ranges_pass_model_validation():
    for row in DimDateRange.objects.all():
        row.full_clean()
