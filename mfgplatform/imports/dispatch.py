"""Background imports whose progress never depends on the message broker being up at the wrong moment.

The job row in the database is the durable queue; the Celery message is only a nudge:

- after the upload (or the confirmation) commits, the task is sent once, without retries; if the broker
  is unreachable the request still succeeds, the job page says it waits for the broker, and
  `dispatched_at` stays empty;
- a worker runs a job under the job's advisory lock ("import:<id>"), claims it by setting `started_at`
  and counting the attempt, and writes an `import.started` audit event;
- the `recover_lost_work` job (every minute) sends again every background job that never reached the
  broker, every job whose attempt started but whose lock is free (its worker died: PostgreSQL drops a
  dead client's session and its locks), and every job sent longer ago than the broker's visibility
  timeout without starting; after MAX_ATTEMPTS begun attempts it fails the job with that reason.

A small file is checked (and imported) inside the web request, under the same lock and claim: when the
web process dies mid-run (killed, out of memory, a deploy) the job's lock is freed with its session,
and recover_lost_work hands the job to a worker like a background job whose worker died. A job is
never left "previewing" or "importing" with nobody working on it.

A duplicate message is harmless: the lock and the status check let one attempt run at a time and a
finished job is never run again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..audit import record_event
from ..models import ImportJob, ImportStatus
from ..operations.jobs import advisory_lock, lock_is_held

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RUNNING = (ImportStatus.PREVIEWING, ImportStatus.IMPORTING)


def lock_name(job_id) -> str:
    return f"import:{job_id}"


def send(job_id, status: str) -> bool:
    """Publish the job's task once; False (logged) when the broker cannot be reached."""
    from .tasks import confirm_import_task, preview_import_task

    task = preview_import_task if status == ImportStatus.PREVIEWING else confirm_import_task
    try:
        task.apply_async(args=[str(job_id)], retry=False)
    except Exception as error:  # noqa: BLE001 (kombu and redis raise several kinds for a broker that is away)
        logger.warning("Import %s kept for later: the message broker is unreachable (%s: %s)", job_id,
                       type(error).__name__, error)
        return False
    ImportJob.objects.filter(pk=job_id).update(dispatched_at=timezone.now())
    return True


def send_after_commit(job: ImportJob) -> None:
    job_id, status = job.pk, job.status
    transaction.on_commit(lambda: send(job_id, status))


def run_attempt(job_id: str, status: str, body: Callable[[ImportJob], object]) -> bool:
    """Run `body` on the job if it is still `status` and no other attempt holds it. Returns whether it ran."""
    with advisory_lock(lock_name(job_id)) as acquired:
        if not acquired:
            return False  # another attempt is running it
        claimed = ImportJob.objects.filter(pk=job_id, status=status, finished_at__isnull=True).update(
            started_at=timezone.now(), attempts=F("attempts") + 1)
        if not claimed:
            return False  # finished meanwhile: a redelivered or repeated message
        job = ImportJob.objects.get(pk=job_id)
        record_event("import.started", actor=job.created_by, object_type=job.model_label.lower(),
                     object_id=str(job.pk), file_name=job.file_name, status=status, attempt=job.attempts)
        body(job)
        return True


@dataclass
class Recovery:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # broker still unreachable


def started_grace() -> dt.timedelta:
    """IMPORT_LOST_AFTER_SECONDS (30 s): an attempt this young may still be taking its lock; only older
    ones can be judged lost."""
    return dt.timedelta(seconds=settings.IMPORT_LOST_AFTER_SECONDS)


def lost_reason(job: ImportJob, now: dt.datetime) -> str | None:
    """Why a running job needs sending (again), or None while it is in hand."""
    free = lambda: not lock_is_held(lock_name(job.pk))  # noqa: E731 (read only when the age says so)
    if job.dispatched_at is None and not job.in_background:
        # Run inside a web request, which claims it within moments of the upload or the confirmation.
        since = job.started_at or job.created_at
        if now - since > started_grace() and free():
            return "the web process checking it stopped before it finished"
        return None
    if job.dispatched_at is None:
        return "never reached the message broker"
    if job.started_at is not None and now - job.started_at > started_grace() and free():
        return "its worker stopped before it finished"
    if job.started_at is None and now - job.dispatched_at > visibility_timeout():
        return "no worker took it within the broker's visibility timeout"
    return None


def visibility_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600))


def recover_background_imports(now: dt.datetime | None = None) -> Recovery:
    now = now or timezone.now()
    recovery = Recovery()
    for job in ImportJob.objects.filter(status__in=RUNNING, finished_at__isnull=True):
        reason = lost_reason(job, now)
        if reason is None:
            continue
        if job.attempts >= MAX_ATTEMPTS and job.started_at is not None:
            _fail(job, f"The import stopped {job.attempts} times without finishing ({reason}); nothing was "
                       "written. Upload the file again; if it keeps failing, split it.")
            recovery.failed.append(str(job.pk))
        elif send(job.pk, job.status):
            logger.info("Import %s sent again: %s", job.pk, reason)
            recovery.sent.append(str(job.pk))
        else:
            recovery.waiting.append(str(job.pk))
    return recovery


def _fail(job: ImportJob, message: str) -> None:
    status = ImportStatus.REJECTED if job.status == ImportStatus.PREVIEWING else ImportStatus.FAILED
    updated = ImportJob.objects.filter(pk=job.pk, status=job.status, finished_at__isnull=True).update(
        status=status, finished_at=timezone.now(), messages=[*job.messages, message])
    if updated:
        record_event("import.failed", actor=job.created_by, object_type=job.model_label.lower(),
                     object_id=str(job.pk), file_name=job.file_name, attempts=job.attempts, outcome=message,
                     cause="worker lost")
