"""The run and change history of the platform, read together for the status page.

Each record keeps what it is for, in its own table: simple-history's per-model history (who changed a
record, when, why), `audit_log` (what the platform did: jobs, loads, logins, exports), `mv_refresh_log`
(each refresh of an aggregate), `import_job` (each uploaded catalog file) and django-celery-results'
task results (each task a worker finished). This module only reads them into one timeline of
`HistoryEntry` rows, newest first, filtered the same way whatever the source: by source, by a text
that the subject, event, actor or detail contains, by a start instant, and to failures only. The
timeline is one query: a part per source (per history table for the record changes), each reading its
newest rows by its time index, merged by UNION ALL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from psycopg import sql
from simple_history.models import HistoricalChanges

from ..models import AuditLog, ImportJob, MaterializedViewRefresh


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    source: str  # a key of SOURCES
    subject: str  # what it concerns: a record, a view, a job, a file, a task
    event: str  # what happened
    actor: str
    detail: str = ""
    failed: bool = False


@dataclass(frozen=True)
class HistoryFilter:
    sources: tuple[str, ...] = ()  # empty: every source
    text: str = ""
    since: dt.datetime | None = None
    failed_only: bool = False
    limit: int = 100

    @classmethod
    def from_query(cls, query) -> HistoryFilter:
        """From the status page's query string (`source` repeatable, `q`, `since` as YYYY-MM-DD, `failed`)."""
        since = None
        if raw := query.get("since", ""):
            try:
                since = dt.datetime.combine(dt.date.fromisoformat(raw), dt.time(), tzinfo=dt.UTC)
            except ValueError:
                since = None
        return cls(sources=tuple(s for s in query.getlist("source") if s in SOURCES),
                   text=query.get("q", "").strip()[:100], since=since, failed_only=query.get("failed") == "1")


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _like(text: str) -> str:
    """An ILIKE pattern matching `text` anywhere, its own wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


Part = tuple[sql.Composable, list]
# Every part yields: at, source, subject, event, actor, detail, failed.
_PART = ("(SELECT {at} AS at, {source}::text, {subject}, {event}, {actor}, {detail}, {failed} FROM {relation} "
         "WHERE {conditions} ORDER BY {at} DESC LIMIT %s)")


def _part(f: HistoryFilter, *, source: str, relation: sql.Composable, at: str, subject: str, event: str,
          actor: str, detail: str, failed: str, searched: tuple[str, ...], params: list | None = None) -> Part:
    """One source's newest rows matching the filter; the column expressions are SQL over `relation`."""
    conditions, values = [sql.SQL("true")], list(params or [])
    if f.since:
        conditions.append(sql.SQL("{} >= %s").format(sql.SQL(at)))
        values.append(f.since)
    if f.failed_only:
        conditions.append(sql.SQL(failed))
    if f.text:
        conditions.append(sql.SQL("({})").format(sql.SQL(" OR ").join(sql.SQL(f"{c} ILIKE %s") for c in searched)))
        values += [_like(f.text)] * len(searched)
    query = sql.SQL(_PART).format(
        at=sql.SQL(at), source=sql.Literal(source), subject=sql.SQL(subject), event=sql.SQL(event),
        actor=sql.SQL(actor), detail=sql.SQL(detail), failed=sql.SQL(failed), relation=relation,
        conditions=sql.SQL(" AND ").join(conditions))
    return query, [*values, f.limit]


def _with_user(table: str, user_column: str) -> sql.Composable:
    users = get_user_model()._meta
    return sql.SQL("{} AS t LEFT JOIN {} AS u ON u.{} = t.{}").format(
        sql.Identifier(table), sql.Identifier(users.db_table), sql.Identifier(users.pk.column),
        sql.Identifier(user_column))


USERNAME = "coalesce(u.username, '')"


def _record_changes(f: HistoryFilter) -> list[Part]:
    """Every model's simple-history records: a part per history table."""
    if f.failed_only:
        return []
    parts = []
    for model in apps.get_models():
        if not issubclass(model, HistoricalChanges):
            continue
        has_code = any(field.name == "code" for field in model._meta.fields)
        key = "code" if has_code else model.instance_type._meta.pk.column
        label = model._meta.verbose_name.removeprefix("historical ")
        parts.append(_part(
            f, source="change", relation=_with_user(model._meta.db_table, "history_user_id"), at="t.history_date",
            subject=f"%s || ' ' || t.{key}::text",
            event="CASE t.history_type WHEN '+' THEN 'created' WHEN '~' THEN 'changed' WHEN '-' THEN 'deleted' END",
            actor=USERNAME, detail="coalesce(t.history_change_reason, '')", failed="false",
            searched=("t.history_change_reason", "u.username", *(("t.code",) if has_code else ())), params=[label],
        ))
    return parts


def _audit_events(f: HistoryFilter) -> list[Part]:
    failed = "(t.action LIKE '%%.failed' OR t.action LIKE '%%.lost' OR t.action LIKE '%%.rejected')"
    return [_part(
        f, source="audit", relation=sql.SQL("{} AS t").format(sql.Identifier(AuditLog._meta.db_table)),
        at="t.occurred_at", subject="concat_ws(' ', nullif(t.object_type, ''), nullif(t.object_id, ''))",
        event="t.action", actor="t.actor_label",
        detail="coalesce(t.payload ->> 'error', t.payload ->> 'reason', '')", failed=failed,
        searched=("t.action", "t.actor_label", "t.object_type", "t.object_id"),
    )]


def _refreshes(f: HistoryFilter) -> list[Part]:
    return [_part(
        f, source="refresh", relation=sql.SQL("{} AS t").format(sql.Identifier(MaterializedViewRefresh._meta.db_table)),
        at="t.started_at", subject="t.view_name::text", event="'refresh ' || t.outcome", actor="t.triggered_by::text",
        detail="CASE WHEN t.error <> '' THEN t.error ELSE coalesce(t.row_count || ' rows', '') END",
        failed="t.outcome <> 'success'", searched=("t.view_name", "t.triggered_by", "t.error"),
    )]


def _imports(f: HistoryFilter) -> list[Part]:
    return [_part(
        f, source="import", relation=_with_user(ImportJob._meta.db_table, "created_by_id"), at="t.created_at",
        subject="t.file_name || ' → ' || t.model_label", event="'import ' || t.status", actor=USERNAME,
        detail="t.reason::text", failed="t.status IN ('failed', 'rejected')",
        searched=("t.file_name", "t.model_label", "t.reason", "u.username"),
    )]


def _task_results(f: HistoryFilter) -> list[Part]:
    from django_celery_results.models import TaskResult

    return [_part(
        f, source="task", relation=sql.SQL("{} AS t").format(sql.Identifier(TaskResult._meta.db_table)),
        at="t.date_done", subject="coalesce(nullif(t.task_name, ''), t.task_id)::text",
        event="'task ' || lower(t.status)", actor="coalesce(t.worker, '')::text",
        # The traceback's last line: the exception and its message.
        detail="coalesce(regexp_replace(rtrim(t.traceback, E'\\n'), '^.*\\n', ''), '')",
        failed="t.status = 'FAILURE'", searched=("t.task_name", "t.worker", "t.task_id"),
    )]


# source key -> (label, the parts of its query)
SOURCES: dict[str, tuple[str, Callable[[HistoryFilter], list[Part]]]] = {
    "change": ("record changes (history)", _record_changes),
    "audit": ("audit log", _audit_events),
    "refresh": ("aggregate refreshes", _refreshes),
    "import": ("catalog imports", _imports),
    "task": ("task results", _task_results),
}


def run_and_change_history(f: HistoryFilter | None = None) -> list[HistoryEntry]:
    """The newest `f.limit` entries of the chosen sources, merged into one timeline, newest first."""
    f = f or HistoryFilter()
    parts = [part for key, (_, build) in SOURCES.items() if not f.sources or key in f.sources for part in build(f)]
    if not parts:
        return []
    query = sql.SQL("SELECT * FROM ({}) AS timeline ORDER BY at DESC LIMIT %s").format(
        sql.SQL(" UNION ALL ").join(part for part, _ in parts))
    params = [value for _, values in parts for value in values] + [f.limit]
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(query.as_string(connection.connection), params)
        return [HistoryEntry(*row) for row in cursor.fetchall()]
