"""The refresh loop: registry order, CONCURRENTLY, unchanged views skipped, failures isolated.

The loop itself is the database function `mfg_refresh_aggregates` (mfgplatform/sql/refresh_aggregates/,
whose header gives the rules), so the Celery job, `manage.py refresh_views` and the pg_cron job run one
and the same loop over the same ordered list, the registry's `refresh_plan()`, handed over as JSON. A
materialized view is refreshed when the signature of its source tables differs from the one recorded at
its last refresh, when a view it depends on was refreshed or passed in this run, when it has never been
populated, or when its last refresh is older than `max_age` (a safety net for views whose content
depends on the clock). An incremental aggregate runs its pass on every run. Each view runs in a
subtransaction of its own: a failure is logged and its dependents skipped, the others still refresh.

The whole pass is one transaction: when its connection is lost (a killed backend, a server restart) or the
server runs short of a resource, none of its refreshes take effect and the views keep their last good
contents. Each view of the plan is then logged as failed with that cause, on a fresh connection, so
every answer read from them is flagged stale (mfgplatform.kpi.freshness) until a pass succeeds, and
the error is raised as a transient one (ViewRefreshInterrupted): the job retries it with back-off.

The statistics counters of the signature are flushed to shared memory within about a second of a
commit; a change that lands later than that is picked up by the next run.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import DatabaseError, OperationalError, connection, transaction
from django.utils import timezone

from ..db_faults import DatabaseFault, classify, discard_broken_connection
from ..models import MaterializedViewRefresh, RefreshOutcome
from .registry import IncrementalAggregate, RegisteredView, refresh_plan, sync_plant_calendar

logger = logging.getLogger(__name__)

DEFAULT_MAX_AGE = dt.timedelta(hours=24)


def plan_json(plan: Iterable[RegisteredView]) -> str:
    """The plan as the loop reads it: one entry per view, in order."""
    return json.dumps([
        {"name": view.name,
         "kind": "incremental" if isinstance(view, IncrementalAggregate) else "materialized",
         "function": getattr(view, "function", None),
         "depends_on": list(view.depends_on), "sources": list(view.sources)}
        for view in plan
    ])


@dataclass(frozen=True)
class LoopStep:
    name: str
    result: str  # refreshed | passed | unchanged | failed | skipped
    log_id: int | None  # its mv_refresh_log row (none for an unchanged view)
    rows: int | None


def run_refresh_loop(plan: Iterable[RegisteredView], *, triggered_by: str, force: bool = False,
                     max_age: dt.timedelta = DEFAULT_MAX_AGE, rebuild: bool = False,
                     concurrently: bool | None = None) -> list[LoopStep]:
    """Runs the loop over `plan` in one call of mfg_refresh_aggregates (one transaction, a subtransaction
    per view); `rebuild` runs the incremental aggregates' full pass, `concurrently=False` refreshes plain."""
    plan = list(plan)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT aggregate_name, result, log_id, rows_counted "
                           "FROM mfg_refresh_aggregates(%s::jsonb, %s, %s, %s, %s, %s)",
                           [plan_json(plan), triggered_by, force, max_age, rebuild, concurrently])
            steps = [LoopStep(*row) for row in cursor.fetchall()]
    except DatabaseError as error:
        fault = classify(error)
        if fault is None:
            raise
        _log_interrupted(plan, fault, triggered_by)
        raise ViewRefreshInterrupted(
            f"the view refresh pass stopped: {fault.reason} ({fault.error}); none of its refreshes took effect, "
            "the views keep their last good contents") from error
    for step in steps:
        if step.result == "failed":
            logger.error("refresh of %s failed (mv_refresh_log %s)", step.name, step.log_id)
    return steps


class ViewRefreshInterrupted(OperationalError):
    """A refresh pass stopped by a transient database fault; the job retries it."""


def _log_interrupted(plan: list[RegisteredView], fault: DatabaseFault, triggered_by: str) -> None:
    """Every view of the pass failed: its transaction rolled back. Logged on a fresh connection; when the
    database is still away there is nothing to write to, and the log says so."""
    discard_broken_connection()
    now = timezone.now()
    try:
        MaterializedViewRefresh.objects.bulk_create(
            MaterializedViewRefresh(view_name=view.name, started_at=now, outcome=RefreshOutcome.FAILED,
                                    error=f"{fault.reason}: {fault.error}", triggered_by=triggered_by)
            for view in plan)
    except DatabaseError:
        logger.warning("The interrupted refresh pass could not be logged: %s", fault.reason)


def source_signature(tables: tuple[str, ...]) -> dict[str, list[int]]:
    """Per table: [storage file, inserted, updated, deleted] (chunks of a hypertable added up), as the loop
    compares it (mfg_source_signature)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT mfg_source_signature(%s::text[])", [list(tables)])
        signature = cursor.fetchone()[0]
    return json.loads(signature) if isinstance(signature, str) else signature


@dataclass
class RefreshRun:
    refreshed: list[str] = field(default_factory=list)  # materialized views
    unchanged: list[str] = field(default_factory=list)  # materialized views
    passed: list[str] = field(default_factory=list)  # incremental aggregates whose pass ran
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # a dependency failed
    rows: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # failed view → the error it logged


def refresh_changed_views(*, max_age: dt.timedelta = DEFAULT_MAX_AGE, force: bool = False,
                          triggered_by: str = "job:refresh_views") -> RefreshRun:
    sync_plant_calendar()
    run = RefreshRun()
    for step in run_refresh_loop(refresh_plan(), triggered_by=triggered_by, force=force, max_age=max_age):
        getattr(run, step.result).append(step.name)
        run.rows += step.rows or 0
        if step.result == "failed":
            run.errors[step.name] = MaterializedViewRefresh.objects.get(pk=step.log_id).error
    logger.info("View refresh: %d refreshed, %d unchanged, %d incremental passes, %d failed, %d skipped",
                len(run.refreshed), len(run.unchanged), len(run.passed), len(run.failed), len(run.skipped))
    return run
