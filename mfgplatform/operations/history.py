"""The run and change history of the platform, read together for the status page.

Each record keeps what it is for, in its own table: simple-history's per-model history (who changed a
record, when, why), `audit_log` (what the platform did: jobs, loads, logins, exports), `mv_refresh_log`
(each refresh of an aggregate), `import_job` (each uploaded catalog file) and django-celery-results'
task results (each task a worker finished). This module only reads them into one timeline of
`HistoryEntry` rows, newest first, filtered the same way whatever the source: by source, by a text
that the subject, event, actor or detail contains, by a start instant, and to failures only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from heapq import merge
from itertools import islice

from django.apps import apps
from django.db.models import Q
from simple_history.models import HistoricalChanges

from ..models import AuditLog, ImportJob, MaterializedViewRefresh, RefreshOutcome
from ..models.imports import ImportStatus


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


def _record_changes(f: HistoryFilter) -> Iterable[HistoryEntry]:
    """Every model's simple-history records (one query per history table, each by its date index)."""
    if f.failed_only:
        return []
    streams = []
    for model in apps.get_models():
        if not issubclass(model, HistoricalChanges):
            continue
        queryset = model._default_manager.select_related("history_user").order_by("-history_date")
        if f.since:
            queryset = queryset.filter(history_date__gte=f.since)
        if f.text:
            match = Q(history_change_reason__icontains=f.text) | Q(history_user__username__icontains=f.text)
            if any(field.name == "code" for field in model._meta.fields):
                match |= Q(code__icontains=f.text)
            queryset = queryset.filter(match)
        streams.append(_changes_of(model, queryset[:f.limit]))
    return merge(*streams, key=lambda entry: entry.at, reverse=True)


def _changes_of(model, records) -> Iterable[HistoryEntry]:
    label = model._meta.verbose_name.removeprefix("historical ")
    for record in records:
        yield HistoryEntry(
            at=record.history_date, source="change", subject=f"{label} {getattr(record, 'code', record.pk)}",
            event=HISTORY_TYPES.get(record.history_type, record.history_type),
            actor=record.history_user.get_username() if record.history_user else "",
            detail=record.history_change_reason or "",
        )


FAILED_ACTIONS = Q(action__endswith=".failed") | Q(action__endswith=".lost") | Q(action__endswith=".rejected")


def _audit_events(f: HistoryFilter) -> Iterable[HistoryEntry]:
    queryset = AuditLog.objects.order_by("-occurred_at", "-id")
    if f.since:
        queryset = queryset.filter(occurred_at__gte=f.since)
    if f.failed_only:
        queryset = queryset.filter(FAILED_ACTIONS)
    if f.text:
        queryset = queryset.filter(Q(action__icontains=f.text) | Q(actor_label__icontains=f.text)
                                   | Q(object_type__icontains=f.text) | Q(object_id__icontains=f.text))
    for event in queryset[:f.limit]:
        payload = event.payload if isinstance(event.payload, dict) else {}
        yield HistoryEntry(
            at=event.occurred_at, source="audit", subject=" ".join(filter(None, (event.object_type, event.object_id))),
            event=event.action, actor=event.actor_label,
            detail=str(payload.get("error") or payload.get("reason") or ""),
            failed=event.action.endswith((".failed", ".lost", ".rejected")),
        )


def _refreshes(f: HistoryFilter) -> Iterable[HistoryEntry]:
    queryset = MaterializedViewRefresh.objects.order_by("-started_at", "-id")
    if f.since:
        queryset = queryset.filter(started_at__gte=f.since)
    if f.failed_only:
        queryset = queryset.exclude(outcome=RefreshOutcome.SUCCESS)
    if f.text:
        queryset = queryset.filter(Q(view_name__icontains=f.text) | Q(triggered_by__icontains=f.text)
                                   | Q(error__icontains=f.text))
    for entry in queryset[:f.limit]:
        rows = f"{entry.row_count} rows" if entry.row_count is not None else ""
        yield HistoryEntry(at=entry.started_at, source="refresh", subject=entry.view_name,
                           event=f"refresh {entry.outcome}", actor=entry.triggered_by,
                           detail=entry.error or rows, failed=entry.outcome != RefreshOutcome.SUCCESS)


def _imports(f: HistoryFilter) -> Iterable[HistoryEntry]:
    queryset = ImportJob.objects.defer("content", "preview").select_related("created_by").order_by("-created_at")
    if f.since:
        queryset = queryset.filter(created_at__gte=f.since)
    if f.failed_only:
        queryset = queryset.filter(status__in=(ImportStatus.FAILED, ImportStatus.REJECTED))
    if f.text:
        queryset = queryset.filter(Q(file_name__icontains=f.text) | Q(model_label__icontains=f.text)
                                   | Q(reason__icontains=f.text) | Q(created_by__username__icontains=f.text))
    for job in queryset[:f.limit]:
        yield HistoryEntry(
            at=job.created_at, source="import", subject=f"{job.file_name} → {job.model_label}",
            event=f"import {job.status}", actor=job.created_by.get_username() if job.created_by else "",
            detail=job.reason, failed=job.status in (ImportStatus.FAILED, ImportStatus.REJECTED),
        )


def _task_results(f: HistoryFilter) -> Iterable[HistoryEntry]:
    from django_celery_results.models import TaskResult

    queryset = TaskResult.objects.order_by("-date_done", "-id")
    if f.since:
        queryset = queryset.filter(date_done__gte=f.since)
    if f.failed_only:
        queryset = queryset.filter(status="FAILURE")
    if f.text:
        queryset = queryset.filter(Q(task_name__icontains=f.text) | Q(worker__icontains=f.text)
                                   | Q(task_id__icontains=f.text))
    for result in queryset[:f.limit]:
        yield HistoryEntry(at=result.date_done, source="task", subject=result.task_name or result.task_id,
                           event=f"task {result.status.lower()}", actor=result.worker or "",
                           detail=result.traceback.splitlines()[-1] if result.traceback else "",
                           failed=result.status == "FAILURE")


# source key -> (label, reader); every reader yields its newest entries first, at most the filter's limit.
SOURCES: dict[str, tuple[str, Callable[[HistoryFilter], Iterable[HistoryEntry]]]] = {
    "change": ("record changes (history)", _record_changes),
    "audit": ("audit log", _audit_events),
    "refresh": ("aggregate refreshes", _refreshes),
    "import": ("catalog imports", _imports),
    "task": ("task results", _task_results),
}


def run_and_change_history(f: HistoryFilter | None = None) -> list[HistoryEntry]:
    """The newest `f.limit` entries of the chosen sources, merged into one timeline, newest first."""
    f = f or HistoryFilter()
    chosen = [reader for key, (_, reader) in SOURCES.items() if not f.sources or key in f.sources]
    return list(islice(merge(*(reader(f) for reader in chosen), key=lambda entry: entry.at, reverse=True), f.limit))
