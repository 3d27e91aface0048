"""Work that started and never finished: found, shown and recovered instead of waiting for ever.

A job run is *lost* when its task result says STARTED for longer than JOB_LOST_AFTER_SECONDS while no database
session holds the job's advisory lock: every run holds that lock while it works, and PostgreSQL drops
the session (and the lock) of a process that was killed. The status page computes this itself on each
view, so a lost run shows even when no worker is left to notice it. The `recover_lost_work` job (every
minute) records each lost run once — task result FAILURE with outcome "lost", audit event
`job.<name>.lost` — and sends background imports that need it again (mfgplatform.imports.dispatch).
A lost periodic run is not sent again: the broker redelivers an unacknowledged message after the
visibility timeout, and beat fires the job again on its schedule.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .jobs import PERIODIC_JOBS, TASK_NAMESPACE, Outcome, lock_is_held, record_job_event


def lost_after() -> dt.timedelta:
    """JOB_LOST_AFTER_SECONDS (2 min): longer than a run takes from STARTED to holding its lock (at most
    JOB_LOCK_WAIT_SECONDS)."""
    return dt.timedelta(seconds=settings.JOB_LOST_AFTER_SECONDS)


@dataclass(frozen=True)
class LostRun:
    task_id: str
    job: str
    worker: str
    started_at: dt.datetime


def find_lost_runs(now: dt.datetime | None = None) -> list[LostRun]:
    from django.utils.module_loading import autodiscover_modules
    from django_celery_results.models import TaskResult

    autodiscover_modules("tasks")  # a web process has not imported the jobs (PERIODIC_JOBS) otherwise
    now = now or timezone.now()
    lost = []
    candidates = TaskResult.objects.filter(status="STARTED", task_name__startswith=f"{TASK_NAMESPACE}.").filter(
        Q(date_started__lt=now - lost_after()) | Q(date_started__isnull=True, date_created__lt=now - lost_after()))
    for result in candidates.order_by("date_created"):
        job = result.task_name.removeprefix(f"{TASK_NAMESPACE}.")
        if job not in PERIODIC_JOBS or lock_is_held(job):
            continue
        lost.append(LostRun(result.task_id, job, result.worker or "", result.date_started or result.date_created))
    return lost


def record_lost_runs(now: dt.datetime | None = None) -> list[LostRun]:
    from django_celery_results.models import TaskResult

    now = now or timezone.now()
    runs = find_lost_runs(now)
    for run in runs:
        # Conditional: a redelivered attempt that is running or finished meanwhile is left alone.
        marked = TaskResult.objects.filter(task_id=run.task_id, status="STARTED").update(
            status="FAILURE", date_done=now,
            result=json.dumps({"outcome": Outcome.LOST, "reason": "the worker running it stopped"}))
        if marked:
            record_job_event(run.job, Outcome.LOST, task_id=run.task_id, worker=run.worker,
                             started_at=run.started_at.isoformat(), error="the worker running it stopped",
                             lost_after_s=int(lost_after().total_seconds()))
    return runs
