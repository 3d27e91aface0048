"""The scheduled jobs (thin: each calls a service).

Schedules: mfgplatform.operations.schedules, `manage.py schedule_jobs`.

Task names are explicit ("mfgplatform.<job>") so that a stored schedule survives a module move.
"""

from __future__ import annotations

import logging

from celery.signals import worker_ready
from django.conf import settings

from .operations.jobs import JobResult, periodic_job

logger = logging.getLogger(__name__)


@worker_ready.connect
def report_changed_plant_calendar(**kwargs) -> None:
    """Say at worker start, not only at the first refresh, that the plant calendar was changed behind the
    history's back (the refresh job refuses to run until `manage.py rezone_calendar`)."""
    from .checks import plant_calendar_unchanged

    for problem in plant_calendar_unchanged(databases=["default"]):
        logger.error("%s", problem.msg)


# A pass takes seconds (about 2.6 s per 5 million source rows, concurrently); one that outlasts its
# 15-minute interval is stuck, and the next scheduled run should have the lock.
@periodic_job("refresh_views", soft_time_limit=840)
def refresh_views_task(force: bool = False) -> JobResult:
    """Refresh the materialized views in registry order, CONCURRENTLY, skipping unchanged ones."""
    from .aggregates.refresh import refresh_changed_views

    run = refresh_changed_views(force=force)
    if run.failed:
        # Recorded as a failed run with each view's error (also in mv_refresh_log); retrying a broken
        # view's SQL would fail the same way, so this is not a transient error. A pass stopped by a lost
        # connection raises ViewRefreshInterrupted from refresh_changed_views instead, and is retried.
        raise RuntimeError("views failed to refresh: " + "; ".join(
            f"{name} ({run.errors.get(name, '')})" for name in run.failed))
    return JobResult(rows=run.rows, detail={"refreshed": run.refreshed, "unchanged": run.unchanged,
                                             "passed": run.passed, "skipped": run.skipped})


@periodic_job("maintain_chunks", soft_time_limit=1800)
def maintain_chunks_task() -> JobResult:
    """Check the sensor hypertable's chunk interval and size; compress old chunks where licensed."""
    from .operations.chunks import chunk_health, compress_old_sensor_chunks

    health = chunk_health()
    compression = compress_old_sensor_chunks(after_days=settings.SENSOR_COMPRESS_AFTER_DAYS)
    return JobResult(
        rows=len(compression.compressed_chunks),
        detail={"chunk_health": health.as_payload(), "compressed_chunks": list(compression.compressed_chunks),
                "compression_skipped": compression.skipped_reason},
    )


@periodic_job("apply_sensor_retention", soft_time_limit=1800)
def apply_sensor_retention_task() -> JobResult:
    """Drop sensor chunks older than SENSOR_RETENTION_DAYS."""
    from .operations.chunks import drop_old_sensor_chunks

    outcome = drop_old_sensor_chunks(retention_days=settings.SENSOR_RETENTION_DAYS)
    return JobResult(rows=outcome.dropped_rows, detail={"cutoff": outcome.cutoff.isoformat(),
                                                        "dropped_chunks": list(outcome.dropped_chunks)})


@periodic_job("purge_ingest_receipts", soft_time_limit=1800)
def purge_ingest_receipts_task() -> JobResult:
    """Delete ingest event-id receipts older than INGEST_RECEIPT_RETENTION_DAYS."""
    from .operations.receipts import purge_ingest_receipts

    outcome = purge_ingest_receipts(retention_days=settings.INGEST_RECEIPT_RETENTION_DAYS)
    return JobResult(rows=outcome.deleted, detail={"cutoff": outcome.cutoff.isoformat()})


@periodic_job("archive_audit_log", soft_time_limit=3000)
def archive_audit_log_task() -> JobResult:
    """Move audit events older than AUDIT_LOG_RETENTION_DAYS to gzip JSONL archive files."""
    from .operations.audit_archive import archive_audit_log

    outcome = archive_audit_log(retention_days=settings.AUDIT_LOG_RETENTION_DAYS,
                                archive_dir=settings.AUDIT_ARCHIVE_DIR)
    return JobResult(rows=outcome.rows, detail={"cutoff": outcome.cutoff.isoformat(), "files": outcome.files,
                                                "recovered": outcome.recovered, "discarded": outcome.discarded})


@periodic_job("backup_database", soft_time_limit=3000, max_retries=2)
def backup_database_task() -> JobResult:
    """Write a backup archive to BACKUP_DIR, then delete the archives the retention no longer keeps."""
    from .backup.archive import create_backup
    from .backup.retention import prune_backups, record_backup

    result = create_backup()
    record_backup(result, source="job backup_database")
    pruned = prune_backups()
    return JobResult(detail={"file": str(result.path), "bytes": result.bytes, "seconds": round(result.seconds, 2),
                             "pruned": [path.name for path in pruned]})


@periodic_job("send_compliance_reports", soft_time_limit=1800, max_retries=5)
def send_compliance_reports_task() -> JobResult:
    """E-mail each active subscription's report for its previous complete period, once per recipient."""
    from .compliance.delivery import send_due_reports

    runs = send_due_reports()
    return JobResult(
        rows=sum(len(run.sent) for run in runs),
        detail={"subscriptions": [{"name": run.subscription, "report": run.report_id, "period": run.period,
                                   "sent": run.sent, "already_sent": run.already_sent} for run in runs]},
    )


@periodic_job("recover_lost_work", soft_time_limit=120)
def recover_lost_work_task() -> JobResult:
    """Record job runs lost with their worker; send background imports that never started or died again."""
    from .imports.dispatch import recover_background_imports
    from .operations.lost_work import record_lost_runs

    lost = record_lost_runs()
    imports = recover_background_imports()
    return JobResult(rows=len(lost) + len(imports.sent) + len(imports.failed), detail={
        "lost_runs": [run.task_id for run in lost], "imports_sent": imports.sent,
        "imports_failed": imports.failed, "imports_waiting_for_broker": imports.waiting})
