"""Import jobs: upload, preview (a dry run), confirm; small files in the request, big ones in Celery.

Every outcome is written to the audit log with the file's name, SHA-256, size and row counts.
Progress of a running job lives in the cache (Redis), because the job's own row is only visible
to other sessions once the import's transaction commits.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from ..audit import record_event
from ..db_faults import classify, discard_broken_connection
from ..models import ImportJob, ImportStatus
from .engine import CatalogImporter, ImportResult
from .files import FileRejected, expanded_size, read_table

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# About 10,000 catalog rows: larger files never run inside a web request.
DEFAULT_BACKGROUND_BYTES = 1024 * 1024
# Checked on an XLSX before its rows are read (a small workbook can expand to millions of rows).
DEFAULT_MAX_ROWS = 500_000


def max_upload_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_FILE_BYTES", DEFAULT_MAX_BYTES)


def background_threshold_bytes() -> int:
    return getattr(settings, "IMPORT_BACKGROUND_THRESHOLD_BYTES", DEFAULT_BACKGROUND_BYTES)


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def _progress_key(job_id) -> str:
    return f"import-job:{job_id}:progress"


def job_progress(job: ImportJob) -> dict[str, int | bool]:
    """Progress from the cache; a cache that is away (Redis down) only hides the bar, never the page."""
    try:
        done, total = cache.get(_progress_key(job.pk), (0, 0))
    except Exception:  # noqa: BLE001 (the cache backend raises its client's connection errors)
        logger.warning("Progress of import %s unavailable: the cache is unreachable", job.pk)
        return {"done": 0, "total": 0, "percent": 0, "available": False}
    return {"done": done, "total": total, "percent": int(100 * done / total) if total else 0, "available": True}


def import_reason(file_name: str, reason: str = "") -> str:
    """The change reason every history record of the import carries: the file, then the user's note."""
    text = f"import {file_name}"
    return f"{text}: {reason}" if reason else text


def import_job_create(*, model, resource_class, file_name: str, content: bytes, user, reason: str = "",
                      request=None) -> ImportJob:
    """Store an uploaded file. Raises FileRejected for a file over the size limit (nothing stored)."""
    import hashlib

    limit = max_upload_bytes()
    if len(content) > limit:
        record_event("import.rejected", actor=user, request=request, object_type=model._meta.label_lower,
                     file_name=file_name, size=len(content), outcome="file too large")
        raise FileRejected(
            f"The file is {len(content):,} bytes; the limit is {limit:,} bytes. Split it into smaller files."
        )
    return ImportJob.objects.create(
        model_label=model._meta.label,
        resource_path=f"{resource_class.__module__}.{resource_class.__qualname__}",
        file_name=file_name,
        file_sha256=hashlib.sha256(content).hexdigest(),
        file_size=len(content),
        content=content,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        reason=reason[:100],
        # The unpacked size decides: a compressed workbook is small on the wire, not in the worker.
        in_background=expanded_size(content, file_name) > background_threshold_bytes(),
    )


def _run(job: ImportJob, *, dry_run: bool) -> ImportResult | None:
    resource = import_string(job.resource_path)()

    def progress(done: int, total: int) -> None:
        try:
            cache.set(_progress_key(job.pk), (done, total), timeout=3600)
        except Exception:  # noqa: BLE001 (progress is a courtesy; the import goes on without the cache)
            logger.debug("progress of import %s not stored: the cache is unreachable", job.pk)

    try:
        table = read_table(bytes(job.content), job.file_name, max_bytes=max_upload_bytes(), max_rows=max_rows())
    except FileRejected as rejection:
        job.messages = [str(rejection)]
        return None
    importer = CatalogImporter(resource, user=job.created_by, reason=import_reason(job.file_name, job.reason),
                               progress=progress)
    result = importer.run(table, dry_run=dry_run)
    job.counts = result.counts()
    job.errors = [error.as_dict() for error in result.errors]
    job.messages = list(result.header_errors)
    job.preview = result.preview
    return result


def _audit(job: ImportJob, action: str, outcome: str) -> None:
    record_event(
        action, actor=job.created_by, object_type=job.model_label.lower(), object_id=str(job.pk),
        file_name=job.file_name, sha256=job.file_sha256, size=job.file_size, counts=job.counts,
        errors=len(job.errors) + len(job.messages), outcome=outcome,
    )


def import_job_preview(job: ImportJob) -> ImportJob:
    """Dry run: every check of a real import, written inside a transaction that is rolled back."""
    job.status = ImportStatus.PREVIEWING
    try:
        result = _run(job, dry_run=True)
    except Exception:
        # A job must never stay "previewing": a file the checks did not foresee is refused, with a trace.
        logger.exception("preview of import %s failed", job.pk)
        job.messages = ["The file could not be checked; nothing was written. Check its format and try again."]
        result = None
    job.status = ImportStatus.PREVIEWED if result is not None and result.is_valid else ImportStatus.REJECTED
    job.finished_at = timezone.now() if job.status == ImportStatus.REJECTED else None
    job.save()
    if job.status == ImportStatus.REJECTED:
        _audit(job, "import.rejected", "rejected in preview")
    return job


def claim_confirmation(job: ImportJob) -> bool:
    """Move a previewed job to "importing"; False if it is not waiting for confirmation (any more).

    A conditional UPDATE takes the row lock: of two concurrent confirmations the second waits for the
    first to commit, then finds the status changed and claims nothing, so an import is applied once."""
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(
            status=ImportStatus.IMPORTING)
    job.refresh_from_db(fields=["status"])
    return claimed == 1


def import_job_confirm(job: ImportJob, *, claimed: bool = False) -> ImportJob:
    """The real import: all rows or none, each with a history record naming the user and the file.
    `claimed`: the caller already moved the job to "importing" with claim_confirmation."""
    if not claimed and not claim_confirmation(job):
        raise ValueError(f"Import {job.pk} is {job.status}, not waiting for confirmation.")
    try:
        result = _run(job, dry_run=False)
    except Exception as error:
        logger.exception("import %s failed", job.pk)
        fault = classify(error)
        # A lost database names itself (and the job row is saved on a fresh connection); anything else is a bug.
        message = "The import failed unexpectedly; nothing was written."
        if fault:
            message = f"The import stopped: {fault.message}."
            discard_broken_connection()
        job.status, job.messages = ImportStatus.FAILED, [message]
        result = None
    else:
        job.status = ImportStatus.COMPLETED if result is not None and result.written else ImportStatus.FAILED
    job.finished_at = timezone.now()
    job.save()
    outcome = "completed" if job.status == ImportStatus.COMPLETED else "failed"
    _audit(job, f"import.{outcome}", outcome)
    return job


def start_preview(job: ImportJob) -> ImportJob:
    """Preview now, or hand a big file to a worker once this transaction commits."""
    if not job.in_background:
        return _run_in_request(job, ImportStatus.PREVIEWING, import_job_preview)
    from .dispatch import send_after_commit

    send_after_commit(job)  # the row is the queue: a broker that is away only delays the job
    return job


def start_confirm(job: ImportJob) -> ImportJob | None:
    """Confirm now or in a worker; None if the job is not waiting for confirmation (a second click, a
    concurrent request)."""
    if not claim_confirmation(job):
        return None
    if not job.in_background:
        return _run_in_request(job, ImportStatus.IMPORTING, lambda claimed: import_job_confirm(claimed, claimed=True))
    from .dispatch import send_after_commit

    job.dispatched_at = job.started_at = None
    job.attempts = 0
    job.save(update_fields=["dispatched_at", "started_at", "attempts"])
    send_after_commit(job)  # the row is the queue: a broker that is away only delays the job
    return job


def _run_in_request(job: ImportJob, status: str, body) -> ImportJob:
    """Run a small job now, under the lock and claim a worker's attempt takes, so that a web process
    that dies mid-run leaves a job recover_lost_work can tell is lost (mfgplatform.imports.dispatch)."""
    from .dispatch import run_attempt

    # The claim counts attempts from here (a confirmation is a new series, as in the background).
    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now(), attempts=0)
    run_attempt(job.pk, status, body)
    job.refresh_from_db()
    return job


def job_summary(job: ImportJob) -> dict[str, Any]:
    return {"status": job.status, "counts": job.counts, "errors": job.errors, "messages": job.messages}
