"""Calendar semantics shared by dimensions, KPIs, date ranges and questions.

Pure functions, no database: the dim_date loader, the date-range resolver and the shift
calendar all call these, so one definition of "production day", "fiscal year" and "last week"
holds everywhere (docs/kpi.md, "Calendar").

Conventions:
- A production day starts at a local time (default 06:00) and runs 24 h of elapsed time.
- A shift occurrence belongs to the production day on which it starts.
- Weeks are ISO 8601 (Monday to Sunday).
- A fiscal year is named after the calendar year in which it ends (a year starting in
  April 2025 is FY2026); with a January start it equals the calendar year.
- "last N days" is N complete production days ending yesterday; "this ..." ranges run to today
  and are flagged partial.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .choices import DateRangeRule

ONE_DAY = dt.timedelta(days=1)
# The label of time outside every shift occurrence (shift 0 in the views, no shift on a fact).
UNSCHEDULED = "Unscheduled"


# --- fiscal periods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FiscalPeriod:
    year: int
    quarter: int
    month: int  # fiscal period 1..12
    year_start: dt.date


def fiscal_period(day: dt.date, start_month: int = 1) -> FiscalPeriod:
    if not 1 <= start_month <= 12:
        raise ValueError(f"fiscal year start month must be 1..12, got {start_month}")
    months_into_year = (day.month - start_month) % 12
    start_year = day.year if day.month >= start_month else day.year - 1
    year_start = dt.date(start_year, start_month, 1)
    named_year = start_year if start_month == 1 else start_year + 1
    return FiscalPeriod(
        year=named_year,
        quarter=months_into_year // 3 + 1,
        month=months_into_year + 1,
        year_start=year_start,
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after the month of `day`."""
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


# --- dim_date rows -------------------------------------------------------------------------------


def date_key(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def date_rows(start: dt.date, end: dt.date, *, fiscal_start_month: int = 1, holidays=None):
    """Yield one dict per day from start to end inclusive, shaped like dim_date's columns.

    `holidays` maps dates to holiday names (a `holidays.HolidayBase` works); a holiday or a
    weekend day is not a working day.
    """
    holidays = holidays or {}
    day = start
    while day <= end:
        iso_year, iso_week, iso_weekday = day.isocalendar()
        fiscal = fiscal_period(day, fiscal_start_month)
        holiday_name = holidays.get(day) or ""
        is_weekend = iso_weekday >= 6
        yield {
            "date_key": date_key(day),
            "date": day,
            "year": day.year,
            "quarter": (day.month - 1) // 3 + 1,
            "month": day.month,
            "month_name": day.strftime("%B"),
            "day_of_month": day.day,
            "day_of_year": day.timetuple().tm_yday,
            "day_of_week": iso_weekday,
            "day_name": day.strftime("%A"),
            "iso_year": iso_year,
            "iso_week": iso_week,
            "week_start": day - dt.timedelta(days=iso_weekday - 1),
            "is_weekend": is_weekend,
            "is_holiday": bool(holiday_name),
            "holiday_name": holiday_name,
            "is_working_day": not is_weekend and not holiday_name,
            "fiscal_year": fiscal.year,
            "fiscal_quarter": fiscal.quarter,
            "fiscal_month": fiscal.month,
            "fiscal_year_start": fiscal.year_start,
        }
        day += ONE_DAY


def holiday_calendar(country: str, start: dt.date, end: dt.date):
    """Public holidays of an ISO 3166 country for the years start..end (empty when no country)."""
    if not country:
        return {}
    import holidays

    return holidays.country_holidays(country, years=range(start.year, end.year + 1))


def time_rows():
    """The 1,440 minute rows of dim_time."""
    for minute_of_day in range(24 * 60):
        hour, minute = divmod(minute_of_day, 60)
        yield {
            "minute_of_day": minute_of_day,
            "time": dt.time(hour, minute),
            "hour": hour,
            "minute": minute,
            "hour_label": f"{hour:02d}:00",
            "quarter_hour": minute // 15 + 1,
            "period_of_day": _period_of_day(hour),
        }


def _period_of_day(hour: int) -> str:
    if hour < 6:
        return "night"
    if hour < 12:
        return "morning"
    if hour < 18:
        return "afternoon"
    return "evening"


# --- production days and shifts --------------------------------------------------------------------

# Shift id 0 is the unscheduled occurrence: what a unit did outside every shift occurrence of a
# production day (docs/kpi.md, "Unscheduled occurrence"). Every view, KPI answer, page and report
# names it UNSCHEDULED, and `--shift Unscheduled` selects it.
UNSCHEDULED_SHIFT_ID = 0


def shift_label(shift_id: int | None, codes: dict[int, str]) -> str:
    """A shift occurrence's label: its pattern's code, or "Unscheduled" for shift 0."""
    if not shift_id:
        return UNSCHEDULED
    return codes.get(shift_id, str(shift_id))


def parse_clock(value: str | dt.time) -> dt.time:
    if isinstance(value, dt.time):
        return value
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def production_date(instant: dt.datetime, tz: ZoneInfo, day_start: dt.time) -> dt.date:
    """The production day an instant belongs to, in the plant's time zone."""
    if instant.tzinfo is None:
        raise ValueError("production_date needs an aware datetime")
    local = instant.astimezone(tz)
    offset = dt.timedelta(hours=day_start.hour, minutes=day_start.minute)
    return (local.replace(tzinfo=None) - offset).date()


def local_instant(day: dt.date, clock: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The aware instant of a local wall-clock time; a non-existent time (spring forward) moves
    forward by the gap and an ambiguous one (fall back) takes its first occurrence."""
    naive = dt.datetime.combine(day, clock)
    aware = naive.replace(tzinfo=tz, fold=0)
    roundtrip = aware.astimezone(dt.UTC).astimezone(tz)
    if roundtrip.replace(tzinfo=None) != naive:  # inside a DST gap
        aware = naive.replace(tzinfo=tz, fold=1)
    return aware


@dataclass(frozen=True)
class ShiftWindow:
    """One occurrence of a shift: the production day it belongs to and its real start and end."""

    production_date: dt.date
    start: dt.datetime
    end: dt.datetime

    @property
    def duration(self) -> dt.timedelta:
        return self.end.astimezone(dt.UTC) - self.start.astimezone(dt.UTC)


def shift_window(
    start_clock: dt.time, end_clock: dt.time, day: dt.date, tz: ZoneInfo, day_start: dt.time
) -> ShiftWindow:
    """The occurrence of a shift (start_clock..end_clock, local) that starts in production day `day`.

    A shift whose end is not after its start crosses midnight. The window is measured in elapsed
    time, so a night shift on a daylight-saving change lasts 7 h or 9 h.
    """
    start_day = day if start_clock >= day_start else day + ONE_DAY
    end_day = start_day if end_clock > start_clock else start_day + ONE_DAY
    start = local_instant(start_day, start_clock, tz)
    end = local_instant(end_day, end_clock, tz)
    return ShiftWindow(production_date=day, start=start, end=end)



def clock_offset(start_clock: dt.time, clock: dt.time) -> dt.timedelta:
    """Wall-clock time from `start_clock` forward to `clock` (through midnight if it is earlier)."""
    offset = dt.datetime.combine(dt.date.min, clock) - dt.datetime.combine(dt.date.min, start_clock)
    return offset if offset >= dt.timedelta(0) else offset + ONE_DAY


def break_window(shift_start: dt.time, break_start: dt.time, minutes: int, occurrence: ShiftWindow,
                 tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """A positioned shift break in one occurrence: it starts at its local wall-clock time on the day the
    occurrence starts (the next day when that clock time is earlier than the shift's start, as on a
    night shift) and lasts `minutes` of elapsed time. The SQL time model computes the same window."""
    day = occurrence.start.astimezone(tz).date()
    if break_start < shift_start:
        day += ONE_DAY
    start = local_instant(day, break_start, tz)
    return start, start + dt.timedelta(minutes=minutes)


def default_break_start(start_clock: dt.time, end_clock: dt.time, minutes: int) -> dt.time:
    """Where a break of `minutes` sits when only its length is known: centred in the shift's
    wall-clock length, rounded down to the minute (an 06:00–14:00 shift's 30 minutes: 09:45)."""
    length = clock_offset(start_clock, end_clock) or ONE_DAY
    offset_minutes = int((length.total_seconds() // 60 - minutes) // 2)
    start = dt.datetime.combine(dt.date.min, start_clock) + dt.timedelta(minutes=offset_minutes)
    return start.time()

# --- named date ranges ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedRange:
    """A concrete, inclusive range of production dates."""

    start: dt.date
    end: dt.date
    is_partial: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _fiscal_quarter_start(day: dt.date, start_month: int) -> dt.date:
    fiscal = fiscal_period(day, start_month)
    return add_months(fiscal.year_start, (fiscal.quarter - 1) * 3)


def resolve_date_range(
    rule: str,
    today: dt.date,
    *,
    length_days: int | None = None,
    fiscal_start_month: int = 1,
    fixed_start: dt.date | None = None,
    fixed_end: dt.date | None = None,
) -> ResolvedRange:
    """Resolve a DateRangeRule against `today` (a production date)."""
    yesterday = today - ONE_DAY
    week_start = today - dt.timedelta(days=today.isoweekday() - 1)
    month_start = today.replace(day=1)
    quarter_start = _quarter_start(today)
    year_start = dt.date(today.year, 1, 1)
    fiscal_year_start = fiscal_period(today, fiscal_start_month).year_start
    fiscal_quarter_start = _fiscal_quarter_start(today, fiscal_start_month)

    match rule:
        case DateRangeRule.TODAY:
            return ResolvedRange(today, today, True)
        case DateRangeRule.YESTERDAY:
            return ResolvedRange(yesterday, yesterday)
        case DateRangeRule.LAST_N_DAYS:
            if not length_days or length_days < 1:
                raise ValueError("last_n_days needs a positive length_days")
            return ResolvedRange(today - dt.timedelta(days=length_days), yesterday)
        case DateRangeRule.THIS_WEEK:
            return ResolvedRange(week_start, today, True)
        case DateRangeRule.LAST_WEEK:
            return ResolvedRange(week_start - dt.timedelta(days=7), week_start - ONE_DAY)
        case DateRangeRule.THIS_MONTH:
            return ResolvedRange(month_start, today, True)
        case DateRangeRule.LAST_MONTH:
            return ResolvedRange(add_months(month_start, -1), month_start - ONE_DAY)
        case DateRangeRule.THIS_QUARTER:
            return ResolvedRange(quarter_start, today, True)
        case DateRangeRule.LAST_QUARTER:
            return ResolvedRange(add_months(quarter_start, -3), quarter_start - ONE_DAY)
        case DateRangeRule.THIS_YEAR:
            return ResolvedRange(year_start, today, True)
        case DateRangeRule.LAST_YEAR:
            return ResolvedRange(dt.date(today.year - 1, 1, 1), year_start - ONE_DAY)
        case DateRangeRule.THIS_FISCAL_YEAR:
            return ResolvedRange(fiscal_year_start, today, True)
        case DateRangeRule.LAST_FISCAL_YEAR:
            return ResolvedRange(add_months(fiscal_year_start, -12), fiscal_year_start - ONE_DAY)
        case DateRangeRule.THIS_FISCAL_QUARTER:
            return ResolvedRange(fiscal_quarter_start, today, True)
        case DateRangeRule.LAST_FISCAL_QUARTER:
            return ResolvedRange(add_months(fiscal_quarter_start, -3), fiscal_quarter_start - ONE_DAY)
        case DateRangeRule.FIXED:
            if fixed_start is None or fixed_end is None or fixed_end < fixed_start:
                raise ValueError("a fixed range needs start <= end")
            return ResolvedRange(fixed_start, fixed_end)
    raise ValueError(f"unknown date range rule {rule!r}")
