"""How current the aggregates behind a KPI answer are: "data as of …" and a stale flag.

A KPI answer is read from aggregates kept by the refresh job, not from the facts. Its data are as of
the last time each aggregate it read was refreshed or confirmed current (the refresh job records both);
the answer is *stale* when the latest refresh of one of them failed (or was skipped after a dependency
failed) after its last success, when one was never refreshed, or when the oldest is older than
STALE_AFTER: twice the 15-minute refresh schedule, the same bound the installation check applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

STALE_AFTER = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Freshness:
    as_of: dt.datetime | None
    stale: bool
    reason: str = ""


def freshness(views: Iterable[str], now: dt.datetime | None = None) -> Freshness:
    from ..models import MaterializedViewRefresh, RefreshOutcome, ViewSourceState

    views = sorted(set(views))
    now = now or timezone.now()
    as_of: list[dt.datetime] = []
    reasons: list[str] = []
    checked = dict(ViewSourceState.objects.filter(view_name__in=views).values_list("view_name", "checked_at"))
    for view in views:
        latest = MaterializedViewRefresh.objects.filter(view_name=view).order_by("-started_at", "-id").first()
        success = MaterializedViewRefresh.objects.filter(view_name=view, outcome=RefreshOutcome.SUCCESS).order_by(
            "-started_at").first()
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
