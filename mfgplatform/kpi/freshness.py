"""How current the aggregates behind a KPI answer are: "data as of …" and a stale flag.

A KPI answer is read from aggregates kept by the refresh job, not from the facts. Its data are as of
the last time each aggregate it read was refreshed or confirmed current (the refresh job records both);
the answer is *stale* when the latest refresh of one of them failed (or was skipped after a dependency
failed) after its last success, when one was never refreshed, or when the oldest is older than
STALE_AFTER: twice the 15-minute refresh schedule, the same bound the installation check applies.

Pages and reports read aggregates both through the KPI service and directly (control charts, Pareto,
sensor statistics). `recording_view_reads()` collects, for the code run inside it, every registered
aggregate named in the SQL it sent plus those the KPI service reports reading, so that a page can
say how current all of its numbers are without listing its sources by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

STALE_AFTER = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Freshness:
    as_of: dt.datetime | None
    stale: bool
    reason: str = ""


_recorded: ContextVar[set[str] | None] = ContextVar("aggregates_read", default=None)


def note_views_read(views: Iterable[str]) -> None:
    """Add views to the current recording (the KPI service reads some through SQL functions whose
    text does not name them)."""
    recorded = _recorded.get()
    if recorded is not None:
        recorded.update(views)


@contextmanager
def recording_view_reads() -> Iterator[set[str]]:
    """Collect the registered aggregates read by the code run inside the block (on the default
    database connection) into the set yielded."""
    from ..aggregates.registry import registered_views

    names = sorted(registered_views(), key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b") if names else None
    recorded: set[str] = set()
    token = _recorded.set(recorded)

    def watch(execute, sql, params, many, context):
        if pattern is not None:
            recorded.update(pattern.findall(sql if isinstance(sql, str) else str(sql)))
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(watch):
            yield recorded
    finally:
        _recorded.reset(token)


def recorded_freshness() -> Freshness | None:
    """The freshness of what the current recording has seen read so far; None outside a recording or
    when nothing registered was read."""
    recorded = _recorded.get()
    return freshness(recorded) if recorded else None


def freshness(views: Iterable[str], now: dt.datetime | None = None) -> Freshness:
    from ..aggregates.registry import registered_views
    from ..models import MaterializedViewRefresh, RefreshOutcome, ViewSourceState

    # Only what the refresh job keeps can be stale: a plain view (v_support_operation) reads the facts live.
    views = sorted(set(views).intersection(registered_views()))
    note_views_read(views)
    now = now or timezone.now()
    as_of: list[dt.datetime] = []
    reasons: list[str] = []
    checked = dict(ViewSourceState.objects.filter(view_name__in=views).values_list("view_name", "checked_at"))
    # The latest refresh and the latest success of each view, two queries whatever the number of views.
    log = MaterializedViewRefresh.objects.filter(view_name__in=views).order_by("view_name", "-started_at", "-id")
    latest_of = {entry.view_name: entry for entry in log.distinct("view_name")}
    success_of = {entry.view_name: entry for entry in log.filter(outcome=RefreshOutcome.SUCCESS).distinct("view_name")}
    for view in views:
        latest, success = latest_of.get(view), success_of.get(view)
        if success is None:
            reasons.append(f"{view} was never refreshed")
            continue
        known = max(filter(None, [success.started_at, checked.get(view)]))
        as_of.append(known)
        if latest is not None and latest.outcome != RefreshOutcome.SUCCESS and latest.started_at > success.started_at:
            reasons.append(f"the last refresh of {view} failed at {latest.started_at:%Y-%m-%d %H:%M} UTC")
        elif now - known > STALE_AFTER:
            reasons.append(f"{view} was last refreshed more than {int(STALE_AFTER.total_seconds() // 60)} min ago")
    oldest = min(as_of) if as_of else None
    return Freshness(oldest, bool(reasons), "; ".join(reasons))
