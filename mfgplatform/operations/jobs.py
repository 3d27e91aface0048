"""Infrastructure of the scheduled jobs: one lock, bounded retries and one audit event per run.

Every periodic job is a Celery task made with `@periodic_job("name")`. A run

- takes a PostgreSQL session advisory lock derived from the job name, so two runs of one job never
  overlap (beat firing twice, a redelivered message, a run outlasting its interval); a run that
  cannot get the lock within JOB_LOCK_WAIT_SECONDS ends as "skipped" ("already running"). The
  short wait covers the database session of a worker that has just been killed: PostgreSQL
  releases its locks only once it notices the client is gone;
- retries transient errors (database connection, SMTP, network) with exponential backoff and full
  jitter, at most `max_retries` times (≤ 5, see perf-notes §6);
- writes one audit_log event: action "job.<name>.<outcome>" with outcome succeeded, skipped,
  retrying or failed, and a payload with the duration, the rows the job touched and the error.

The task returns a JSON summary that django-celery-results stores (admin: Task results).
Session advisory locks need a direct database connection: behind a transaction-pooling
PgBouncer the lock would be taken on one server session and released on another.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction

from ..audit import record_event

logger = logging.getLogger(__name__)

TASK_NAMESPACE = "mfgplatform"
MAX_RETRIES_CEILING = 5
RETRY_BACKOFF_MAX_SECONDS = 600

# Errors worth another attempt: the cause is outside the job (a restart, a network blip, a busy
# mail server). Anything else is a bug or bad data, and retrying it only repeats the failure.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPResponseException,
    socket.timeout,
    ConnectionError,
)


# Every periodic job's task by job name, for `manage.py run_job` and the status page.
PERIODIC_JOBS: dict[str, Any] = {}


class Outcome:
    STARTED = "started"
    LOST = "lost"
    SUCCEEDED = "succeeded"
    SKIPPED = "skipped"
    RETRYING = "retrying"
    FAILED = "failed"


@dataclass
class JobResult:
    """What a job body reports: the rows it touched and any details worth keeping in the audit log."""

    rows: int = 0
    detail: dict[str, Any] = field(default_factory=dict)


def task_name(job_name: str) -> str:
    """The explicit Celery task name, stable across module moves ("mfgplatform.maintain_chunks")."""
    return f"{TASK_NAMESPACE}.{job_name}"


def lock_key(job_name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a job (Python's hash() changes per process)."""
    digest = hashlib.blake2b(f"{TASK_NAMESPACE}.job:{job_name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def advisory_lock(job_name: str, *, wait_seconds: float = 0) -> Iterator[bool]:
    """Hold the job's session advisory lock for the block; yields False when it is held elsewhere.

    Session-level (not transaction-level) so that the job may commit several transactions while it
    holds the lock; a rolled-back transaction does not release it, the session's end does.
    """
    key = lock_key(job_name)
    acquired = _acquire(key, wait_seconds)
    try:
        yield acquired
    finally:
        if acquired:
            _release(key)


def lock_is_held(name: str) -> bool:
    """Whether some live session holds the advisory lock of `name` (a job, or "import:<id>"), read from
    pg_locks without taking it. A worker that dies loses its database session, and the lock with it:
    a run that is "started" while its lock is free is lost."""
    key = lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT EXISTS (SELECT 1 FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND objsubid = 1
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND classid = %s::bigint::oid AND objid = %s::bigint::oid)""",
            [(key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF],
        )
        return cursor.fetchone()[0]


def _acquire(key: int, wait_seconds: float) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        if cursor.fetchone()[0]:
            return True
    if wait_seconds <= 0:
        return False
    try:
        # A savepoint (or a transaction of its own) so that a lock timeout does not abort the
        # caller's transaction; set_config(..., true) keeps the timeout local to it.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(wait_seconds * 1000)}ms"])
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
            return False
        raise
    return True


def _release(key: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    except DatabaseError:
        # The session is gone (server restart, killed backend), and the lock went with it.
        logger.warning("Could not release advisory lock %s; the database session has ended", key)


def record_job_event(job_name: str, outcome: str, *, task_id: str | None, **payload: Any) -> None:
    """The run's audit event. A failure to write it (database down) must not hide the job's own error."""
    try:
        record_event(
            f"job.{job_name}.{outcome}",
            actor_label=f"job:{job_name}",
            object_type="job",
            object_id=task_id or "",
            **payload,
        )
    except DatabaseError:
        logger.exception("Could not write the audit event of job %s (%s)", job_name, outcome)


def retry_countdown(retries: int) -> int:
    """Seconds before attempt `retries + 1`: exponential from JOB_RETRY_BACKOFF_SECONDS, full jitter."""
    return get_exponential_backoff_interval(
        factor=settings.JOB_RETRY_BACKOFF_SECONDS,
        retries=retries,
        maximum=RETRY_BACKOFF_MAX_SECONDS,
        full_jitter=True,
    )


def periodic_job(
    job_name: str,
    *,
    soft_time_limit: int,
    max_retries: int = 3,
    retry_on: tuple[type[BaseException], ...] = TRANSIENT_ERRORS,
) -> Callable[[Callable[..., JobResult]], Any]:
    """Turn `func(**kwargs) -> JobResult` into the Celery task "mfgplatform.<job_name>".

    The hard time limit sits a minute above the soft one so the job can record its failure; both
    stay far below the broker's visibility timeout, or Redis would hand a running job to another
    worker.
    """
    if max_retries > MAX_RETRIES_CEILING:
        raise ValueError(f"max_retries must be at most {MAX_RETRIES_CEILING} (retries amplify outages)")

    def decorate(func: Callable[..., JobResult]) -> Any:
        def run(task, **kwargs: Any) -> dict[str, Any]:
            return run_job(task, job_name, func, kwargs, retry_on)

        run.__name__ = func.__name__
        run.__doc__ = func.__doc__
        task = shared_task(
            name=task_name(job_name),
            bind=True,
            max_retries=max_retries,
            acks_late=True,
            reject_on_worker_lost=True,
            soft_time_limit=soft_time_limit,
            time_limit=soft_time_limit + 60,
        )(run)
        PERIODIC_JOBS[job_name] = task
        return task

    return decorate


# Header of a run started by hand (`manage.py run_job`): one attempt, the error reported at once
# instead of retries slept through in the shell.
SINGLE_ATTEMPT_HEADER = "mfgplatform_single_attempt"


def _single_attempt(task) -> bool:
    return bool((getattr(task.request, "headers", None) or {}).get(SINGLE_ATTEMPT_HEADER))


def run_job(
    task,
    job_name: str,
    func: Callable[..., JobResult],
    kwargs: dict[str, Any],
    retry_on: tuple[type[BaseException], ...],
) -> dict[str, Any]:
    """One attempt of a job: lock, run, record. See the module docstring."""
    task_id = task.request.id
    attempt = task.request.retries + 1
    started = time.monotonic()

    def elapsed() -> float:
        return round(time.monotonic() - started, 3)

    # Committed before the work: an attempt whose process is killed still leaves its trace.
    record_job_event(job_name, Outcome.STARTED, task_id=task_id, attempt=attempt,
                     worker=getattr(task.request, "hostname", None) or "")

    with advisory_lock(job_name, wait_seconds=settings.JOB_LOCK_WAIT_SECONDS) as acquired:
        if not acquired:
            logger.info("Job %s skipped: already running", job_name)
            record_job_event(job_name, Outcome.SKIPPED, task_id=task_id, reason="already running",
                             duration_s=elapsed(), attempt=attempt)
            return {"outcome": Outcome.SKIPPED, "reason": "already running"}
        try:
            result = func(**kwargs)
        except retry_on as exc:
            error = f"{type(exc).__name__}: {exc}"
            if task.request.retries < task.max_retries and not _single_attempt(task):
                countdown = retry_countdown(task.request.retries)
                logger.warning("Job %s attempt %d failed (%s); retrying in %ds", job_name, attempt, error, countdown)
                record_job_event(job_name, Outcome.RETRYING, task_id=task_id, error=error, duration_s=elapsed(),
                                 attempt=attempt, retry_in_s=countdown)
                raise task.retry(exc=exc, countdown=countdown) from exc
            record_job_event(job_name, Outcome.FAILED, task_id=task_id, error=error, duration_s=elapsed(),
                             attempt=attempt)
            raise
        except Exception as exc:
            record_job_event(job_name, Outcome.FAILED, task_id=task_id, error=f"{type(exc).__name__}: {exc}",
                             duration_s=elapsed(), attempt=attempt)
            raise
    duration = elapsed()
    logger.info("Job %s succeeded in %.3fs (%d rows)", job_name, duration, result.rows)
    record_job_event(job_name, Outcome.SUCCEEDED, task_id=task_id, duration_s=duration, rows=result.rows,
                     attempt=attempt, **result.detail)
    return {"outcome": Outcome.SUCCEEDED, "rows": result.rows, "duration_s": duration, **result.detail}
