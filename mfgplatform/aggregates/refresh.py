"""The scheduled refresh of the materialized views: registry order, CONCURRENTLY, unchanged views skipped.

The refresh itself (plain the first time, CONCURRENTLY after, logged in mv_refresh_log) belongs to
mfgplatform.aggregates.registry. This module decides which views need it: a view is refreshed when the
signature of its source tables differs from the one recorded at its last refresh, when a view it
depends on was refreshed in this run, when it has never been populated, or when its last refresh
is older than `max_age` (a safety net for views whose content depends on the clock).

An incremental aggregate runs its pass on every run, in registry order: the pass knows from its
invalidation log what changed, and costs next to nothing when nothing did.

A source's signature is its storage file (a TRUNCATE or a rewrite changes it) and its insert,
update and delete counters from the statistics collector (for a hypertable, summed over its
chunks). The counters are flushed to shared memory within about a second of a commit; a change
that lands later than that is picked up by the next run. A statistics reset changes the counters,
which only causes an extra refresh.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from ..models import MaterializedViewRefresh, RefreshOutcome, ViewSourceState
from .registry import (
    IncrementalAggregate,
    MaterializedView,
    is_populated,
    refresh_plan,
    refresh_view,
    sync_plant_calendar,
)

logger = logging.getLogger(__name__)

DEFAULT_MAX_AGE = dt.timedelta(hours=24)


def source_signature(tables: tuple[str, ...]) -> dict[str, list[int]]:
    """Per table: [storage file, inserted, updated, deleted] (chunks of a hypertable added up)."""
    if not tables:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH source AS (SELECT unnest(%s::text[]) AS name),
            members AS (
                SELECT s.name, c.oid
                  FROM source AS s JOIN pg_class AS c ON c.oid = to_regclass(s.name)
                UNION ALL
                SELECT s.name, format('%%I.%%I', ch.chunk_schema, ch.chunk_name)::regclass
                  FROM source AS s
                  JOIN timescaledb_information.chunks AS ch
                    ON ch.hypertable_schema = 'public' AND ch.hypertable_name = s.name
            )
            SELECT m.name,
                   sum(pg_relation_filenode(m.oid)::text::bigint)::bigint,
                   coalesce(sum(st.n_tup_ins), 0)::bigint,
                   coalesce(sum(st.n_tup_upd), 0)::bigint,
                   coalesce(sum(st.n_tup_del), 0)::bigint
              FROM members AS m LEFT JOIN pg_stat_user_tables AS st ON st.relid = m.oid
             GROUP BY m.name
            """,
            [list(tables)],
        )
        return {name: [int(value) for value in values] for name, *values in cursor.fetchall()}


@dataclass
class RefreshRun:
    refreshed: list[str] = field(default_factory=list)  # materialized views
    unchanged: list[str] = field(default_factory=list)  # materialized views
    passed: list[str] = field(default_factory=list)  # incremental aggregates whose pass ran
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # a dependency failed
    rows: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # failed view → its logged error (with the cause)
    # The first failure that was a transient database fault (a killed connection…): worth a retry.
    transient: BaseException | None = None

    def fail(self, entry: MaterializedViewRefresh) -> None:
        self.failed.append(entry.view_name)
        self.errors[entry.view_name] = entry.error
        self.transient = self.transient or getattr(entry, "fault_error", None)


def refresh_changed_views(*, max_age: dt.timedelta = DEFAULT_MAX_AGE, force: bool = False,
                          triggered_by: str = "job:refresh_views") -> RefreshRun:
    sync_plant_calendar()
    run = RefreshRun()
    states = {state.view_name: state for state in ViewSourceState.objects.all()}
    now = timezone.now()
    for view in refresh_plan():
        blocked = set(view.depends_on).intersection(run.failed + run.skipped)
        if blocked:
            run.skipped.append(view.name)
            MaterializedViewRefresh.objects.create(
                view_name=view.name, started_at=timezone.now(), outcome=RefreshOutcome.SKIPPED,
                error=f"dependency failed: {', '.join(sorted(blocked))}", triggered_by=triggered_by,
            )
            continue
        if isinstance(view, IncrementalAggregate):
            entry = refresh_view(view, triggered_by=triggered_by)
            if entry.outcome != RefreshOutcome.SUCCESS:
                run.fail(entry)
                continue
            run.passed.append(view.name)
            run.rows += entry.row_count or 0
            continue
        # Taken before the refresh: a write that commits during it shows up as a change next time.
        signature = source_signature(view.sources)
        state = states.get(view.name)
        if not force and _is_current(view, state, signature, run, now, max_age):
            run.unchanged.append(view.name)
            ViewSourceState.objects.filter(pk=state.pk).update(checked_at=now)
            continue
        entry = refresh_view(view, triggered_by=triggered_by)
        if entry.outcome != RefreshOutcome.SUCCESS:
            run.fail(entry)
            continue
        run.refreshed.append(view.name)
        run.rows += entry.row_count or 0
        ViewSourceState.objects.update_or_create(
            view_name=view.name,
            defaults={"source_signature": signature, "refreshed_at": entry.started_at, "checked_at": now},
        )
    logger.info("View refresh: %d refreshed, %d unchanged, %d incremental passes, %d failed, %d skipped",
                len(run.refreshed), len(run.unchanged), len(run.passed), len(run.failed), len(run.skipped))
    return run


def _is_current(view: MaterializedView, state: ViewSourceState | None, signature: dict, run: RefreshRun,
                now: dt.datetime, max_age: dt.timedelta) -> bool:
    return (
        state is not None
        and bool(view.sources)
        and state.source_signature == signature
        # A pass may have changed an incremental aggregate's rows whatever its source signature says.
        and not set(view.depends_on).intersection(run.refreshed + run.passed)
        and now - state.refreshed_at < max_age
        and is_populated(view.name)
    )
