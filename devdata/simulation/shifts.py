"""Shift occurrences over the simulated horizon.

A shift runs on a production day by the plant calendar's rule: without a weekday list on working days
(no weekend, no holiday), with one on the listed weekdays except holidays. The night shift crosses
midnight and belongs to the production day on which it starts (mfgplatform.calendar). Times are
whole epoch seconds (UTC) from here on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from mfgplatform import calendar


@dataclass(frozen=True)
class ShiftPattern:
    code: str
    start: dt.time
    end: dt.time
    weekdays: tuple[int, ...]  # ISO weekdays; empty: every working day
    breaks: tuple[tuple[dt.time, int], ...]  # (local wall-clock start, minutes), as dim_shift_break
    sort_order: int


@dataclass(frozen=True)
class Window:
    """One shift occurrence."""

    date: dt.date  # production day
    shift: str
    start: int
    end: int
    breaks: tuple[tuple[int, int], ...]  # the break windows (start, end), in time order
    is_first_of_day: bool
    is_last_before_rest: bool  # no shift follows directly: the plant stops afterwards

    @property
    def date_key(self) -> int:
        return calendar.date_key(self.date)

    @property
    def seconds(self) -> int:
        return self.end - self.start

    @property
    def break_seconds(self) -> int:
        return sum(end - start for start, end in self.breaks)


def epoch(instant: dt.datetime) -> int:
    return int(instant.timestamp())


def shift_windows(
    patterns: Iterable[ShiftPattern],
    first_day: dt.date,
    days: int,
    non_working_days: set[dt.date],
    tz: ZoneInfo,
    day_start: dt.time,
    holidays: set[dt.date] = frozenset(),
) -> list[Window]:
    """The occurrences of the patterns in the horizon, by the plant calendar's rule (mv_shift_occurrence,
    mfg_shift_at): a pattern without weekdays runs on working days, one with weekdays on those weekdays
    except holidays (so a weekend night shift runs on weekends)."""
    patterns = sorted(patterns, key=lambda pattern: (pattern.sort_order, pattern.code))
    raw: list[tuple[dt.date, ShiftPattern, int, int, tuple[tuple[int, int], ...]]] = []
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        for pattern in patterns:
            if pattern.weekdays:
                if day.isoweekday() not in pattern.weekdays or day in holidays:
                    continue
            elif day in non_working_days:
                continue
            window = calendar.shift_window(pattern.start, pattern.end, day, tz, day_start)
            # The same windows as the time model's (calendar.break_window), cut to the occurrence.
            breaks = []
            for clock, minutes in pattern.breaks:
                start, end = calendar.break_window(pattern.start, clock, minutes, window, tz)
                start, end = max(epoch(start), epoch(window.start)), min(epoch(end), epoch(window.end))
                if end > start:
                    breaks.append((start, end))
            raw.append((day, pattern, epoch(window.start), epoch(window.end), tuple(sorted(breaks))))
    raw.sort(key=lambda item: item[2])
    windows = []
    for position, (day, pattern, start, end, breaks) in enumerate(raw):
        previous_day = raw[position - 1][0] if position else None
        next_start = raw[position + 1][2] if position + 1 < len(raw) else None
        windows.append(
            Window(
                date=day,
                shift=pattern.code,
                start=start,
                end=end,
                breaks=breaks,
                is_first_of_day=previous_day != day,
                is_last_before_rest=next_start is None or next_start > end,
            )
        )
    _check_disjoint(windows)
    return windows


def _check_disjoint(windows: list[Window]) -> None:
    for earlier, later in zip(windows, windows[1:], strict=False):
        if later.start < earlier.end:
            raise ValueError(
                f"shift {later.shift} on {later.date} overlaps shift {earlier.shift} on {earlier.date}; "
                "fix the shift patterns before seeding"
            )
