"""Report periods: the previous complete day, week, month or quarter, or one named on the command line."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .. import calendar
from ..choices import DateRangeRule
from ..models.reports import ReportPeriodKind

PERIOD_RULES = {
    ReportPeriodKind.DAILY: DateRangeRule.YESTERDAY,
    ReportPeriodKind.WEEKLY: DateRangeRule.LAST_WEEK,
    ReportPeriodKind.MONTHLY: DateRangeRule.LAST_MONTH,
    ReportPeriodKind.QUARTERLY: DateRangeRule.LAST_QUARTER,
}


@dataclass(frozen=True)
class ReportPeriod:
    """An inclusive range of production days."""

    start: dt.date
    end: dt.date
    kind: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def label(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    @property
    def slug(self) -> str:
        return self.start.isoformat() if self.start == self.end else f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"


def current_production_date(now: dt.datetime | None = None) -> dt.date:
    return calendar.production_date(
        now or timezone.now(), ZoneInfo(settings.PLANT_TIME_ZONE), calendar.parse_clock(settings.PRODUCTION_DAY_START)
    )


def previous_period(kind: str, today: dt.date | None = None) -> ReportPeriod:
    """The previous complete period of `kind` before production day `today`."""
    resolved = calendar.resolve_date_range(PERIOD_RULES[ReportPeriodKind(kind)], today or current_production_date())
    return ReportPeriod(resolved.start, resolved.end, kind)


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def parse_period(text: str, today: dt.date | None = None) -> ReportPeriod:
    """Parse 'daily|weekly|monthly|quarterly' (the previous complete one), '2026-10-05', '2026-W43',
    '2026-10', '2026-Q3' or '2026-10-01..2026-10-31'."""
    text = text.strip()
    if text in ReportPeriodKind.values:
        return previous_period(text, today)
    if match := _RANGE.match(text):
        return ReportPeriod(dt.date.fromisoformat(match[1]), dt.date.fromisoformat(match[2]))
    if match := _MONTH.match(text):
        start = dt.date(int(match[1]), int(match[2]), 1)
        return ReportPeriod(start, calendar.add_months(start, 1) - calendar.ONE_DAY, ReportPeriodKind.MONTHLY)
    if match := _WEEK.match(text):
        start = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        return ReportPeriod(start, start + dt.timedelta(days=6), ReportPeriodKind.WEEKLY)
    if match := _QUARTER.match(text):
        start = dt.date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1)
        return ReportPeriod(start, calendar.add_months(start, 3) - calendar.ONE_DAY, ReportPeriodKind.QUARTERLY)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"Unknown period {text!r}: use daily|weekly|monthly|quarterly, YYYY-MM-DD, YYYY-Www, YYYY-MM, "
            "YYYY-Qn or YYYY-MM-DD..YYYY-MM-DD"
        ) from None
    return ReportPeriod(day, day, ReportPeriodKind.DAILY)


def period_bounds(period: ReportPeriod) -> tuple[dt.datetime, dt.datetime]:
    """The instants [start, end) of the period's production days in the plant's time zone."""
    tz = ZoneInfo(settings.PLANT_TIME_ZONE)
    day_start = calendar.parse_clock(settings.PRODUCTION_DAY_START)
    return (
        calendar.local_instant(period.start, day_start, tz),
        calendar.local_instant(period.end + calendar.ONE_DAY, day_start, tz),
    )
