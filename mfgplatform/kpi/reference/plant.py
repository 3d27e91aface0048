"""The plant calendar in plain Python, from the dimensions (dim_date, dim_shift, dim_shift_break) and the
plant settings: production days, shift occurrences with their positioned breaks, and which occurrence
an instant belongs to. Built from the definitions in docs/kpi.md ("Calendar", "Breaks"), not from the
calendar views."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from .intervals import Span

ONE_DAY = dt.timedelta(days=1)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
UNSCHEDULED = 0  # the shift id of a unit's unscheduled occurrence (activity outside every shift)


def micros(instant: dt.datetime) -> int:
    delta = instant - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def date_key(day: dt.date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def wall_clock(day: dt.date, clock: dt.time, tz: ZoneInfo) -> int:
    """A local wall-clock time as an instant, resolved as the database resolves it: a time in the spring
    gap takes the offset before the change, a time in the autumn fold the offset after it."""
    naive = dt.datetime.combine(day, clock)
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return micros(first)
    exists = first.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) == naive
    return micros(second if exists else first)


@dataclass(frozen=True)
class Shift:
    id: int
    code: str
    start: dt.time
    end: dt.time
    weekdays: tuple[int, ...]
    breaks: tuple[tuple[dt.time, int], ...]  # (local start, minutes)

    def runs_on(self, day_of_week: int, is_working_day: bool, is_holiday: bool) -> bool:
        if not self.weekdays:
            return is_working_day
        return day_of_week in self.weekdays and not is_holiday


@dataclass
class Occurrence:
    shift_id: int
    production_date: dt.date
    lo: int
    hi: int
    breaks: list[Span] = field(default_factory=list)  # uncut windows

    @property
    def key(self) -> tuple[int, int]:
        return date_key(self.production_date), self.shift_id


class Plant:
    """The shift occurrences of the production days first − 1 … last + 1 (an occurrence of day D can
    reach into D + 1), and the production-day boundaries around them."""

    def __init__(self, first: dt.date, last: dt.date, *, now: dt.datetime, tz: str | None = None,
                 day_start: str | dt.time | None = None):
        self.tz = ZoneInfo(tz or settings.PLANT_TIME_ZONE)
        start = day_start or settings.PRODUCTION_DAY_START
        self.day_start = start if isinstance(start, dt.time) else dt.time(*map(int, start.split(":")))
        self.now = micros(now)
        self.first, self.last = first, last
        shifts, days = _load_shifts(), _load_days(first - ONE_DAY * 2, last + ONE_DAY * 2)
        self.days = set(days)
        self.occurrences: list[Occurrence] = []
        for day, (day_of_week, working, holiday) in sorted(days.items()):
            for shift in shifts:
                if shift.runs_on(day_of_week, working, holiday):
                    self.occurrences.append(self._occurrence(shift, day))
        # Which occurrence an instant belongs to: the one that starts first, then the lower shift id.
        self.occurrences.sort(key=lambda o: (o.lo, o.shift_id))
        self._starts = [o.lo for o in self.occurrences]
        self._longest = max((o.hi - o.lo for o in self.occurrences), default=0)

    def _occurrence(self, shift: Shift, day: dt.date) -> Occurrence:
        start_day = day if shift.start >= self.day_start else day + ONE_DAY
        end_day = start_day if shift.end > shift.start else start_day + ONE_DAY
        lo, hi = wall_clock(start_day, shift.start, self.tz), wall_clock(end_day, shift.end, self.tz)
        occurrence = Occurrence(shift.id, day, lo, hi)
        for clock, minutes in shift.breaks:
            # On the day the occurrence starts; the next day when earlier than the shift's start.
            break_day = start_day + ONE_DAY if clock < shift.start else start_day
            begin = wall_clock(break_day, clock, self.tz)
            occurrence.breaks.append((begin, begin + minutes * 60_000_000))
        return occurrence

    def day_start_at(self, day: dt.date) -> int:
        return wall_clock(day, self.day_start, self.tz)

    def production_date(self, instant: int) -> dt.date:
        local = (EPOCH + dt.timedelta(microseconds=instant)).astimezone(self.tz).replace(tzinfo=None)
        return (local - dt.timedelta(hours=self.day_start.hour, minutes=self.day_start.minute)).date()

    def overlapping(self, lo: int, hi: int) -> list[Occurrence]:
        """Occurrences whose window meets [lo, hi) (or contains lo when the span is empty)."""
        first = bisect.bisect_left(self._starts, lo - self._longest)
        last = bisect.bisect_right(self._starts, max(hi, lo))
        return [o for o in self.occurrences[first:last]
                if o.lo < max(hi, lo + 1) and o.hi > lo]

    def owner(self, instant: int) -> Occurrence | None:
        found = self.overlapping(instant, instant + 1)
        return found[0] if found else None

    def covered(self, lo: int, hi: int) -> list[Span]:
        """The parts of [lo, hi) some occurrence covers, as (lo, hi) pieces cut at every occurrence edge,
        each with its owner: [(piece_lo, piece_hi, owner or None)], in order, gap pieces included."""
        occurrences = self.overlapping(lo, hi)
        cuts = sorted({lo, hi, *(t for o in occurrences for t in (o.lo, o.hi) if lo < t < hi)})
        pieces = []
        for start, end in zip(cuts, cuts[1:], strict=False):
            owners = [o for o in occurrences if o.lo <= start and end <= o.hi]
            pieces.append((start, end, owners[0] if owners else None))
        return pieces


def _load_shifts() -> list[Shift]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT shift_id, start_time, minutes FROM dim_shift_break ORDER BY shift_id, start_time")
        breaks: dict[int, list] = {}
        for shift_id, start, minutes in cursor.fetchall():
            breaks.setdefault(shift_id, []).append((start, minutes))
        cursor.execute("SELECT id, code, start_time, end_time, weekdays FROM dim_shift WHERE is_active ORDER BY id")
        return [Shift(i, code, start, end, tuple(weekdays or ()), tuple(breaks.get(i, ())))
                for i, code, start, end, weekdays in cursor.fetchall()]


def _load_days(first: dt.date, last: dt.date) -> dict[dt.date, tuple[int, bool, bool]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT date, day_of_week, is_working_day, is_holiday FROM dim_date"
                       " WHERE date BETWEEN %s AND %s", [first, last])
        return {day: (dow, working, holiday) for day, dow, working, holiday in cursor.fetchall()}
