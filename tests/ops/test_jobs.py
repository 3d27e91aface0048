"""The job infrastructure: lock, retries with backoff, audit events (tasks run in-process here; the
real worker is in test_real_worker.py)."""

import smtplib

import psycopg
import pytest
from celery.exceptions import Retry
from django.conf import settings

from mfgplatform.models import AuditLog
from mfgplatform.operations import jobs
from mfgplatform.operations.jobs import JobResult, lock_key, periodic_job, retry_countdown

from .conftest import database_url

pytestmark = pytest.mark.django_db

calls: list[str] = []


@periodic_job("test_counting", soft_time_limit=60)
def counting_job(rows: int = 3) -> JobResult:
    calls.append("run")
    return JobResult(rows=rows, detail={"note": "counted"})


@periodic_job("test_flaky", soft_time_limit=60, max_retries=2)
def flaky_job() -> JobResult:
    raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")


@periodic_job("test_broken", soft_time_limit=60)
def broken_job() -> JobResult:
    raise ZeroDivisionError("division by zero")


def test_a_successful_run_writes_one_audit_event_with_duration_and_rows():
    result = counting_job.apply(kwargs={"rows": 7})
    assert result.result["outcome"] == "succeeded"
    started, event = AuditLog.objects.filter(action__startswith="job.test_counting.").order_by("id")
    # Every attempt is marked when it begins, so one killed mid-run still leaves a trace.
    assert (started.action, started.object_id, started.payload["attempt"]) == (
        "job.test_counting.started", result.id, 1)
    assert event.action == "job.test_counting.succeeded"
    assert event.actor_label == "job:test_counting"
    assert (event.object_type, event.object_id) == ("job", result.id)
    assert event.payload["rows"] == 7
    assert event.payload["note"] == "counted"
    assert event.payload["attempt"] == 1
    assert 0 <= event.payload["duration_s"] < 5


def test_tasks_have_explicit_names_and_late_acknowledgement():
    from mfgplatform import tasks

    names = {task.name for task in (tasks.refresh_views_task, tasks.maintain_chunks_task,
                                    tasks.apply_sensor_retention_task, tasks.archive_audit_log_task,
                                    tasks.send_compliance_reports_task)}
    assert names == {"mfgplatform.refresh_views", "mfgplatform.maintain_chunks", "mfgplatform.apply_sensor_retention",
                     "mfgplatform.archive_audit_log", "mfgplatform.send_compliance_reports"}
    task = tasks.send_compliance_reports_task
    assert (task.acks_late, task.reject_on_worker_lost, task.max_retries) == (True, True, 5)
    assert task.time_limit == task.soft_time_limit + 60
    # Every job's hard limit and the longest retry countdown end inside the broker's visibility timeout,
    # or Redis hands a running (or waiting) job to a second worker.
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    longest = max(job.time_limit for job in jobs.PERIODIC_JOBS.values())
    assert longest < visibility
    assert visibility > jobs.RETRY_BACKOFF_MAX_SECONDS
    # ... and the refresh fits its 15-minute interval.
    assert tasks.refresh_views_task.time_limit <= 15 * 60


def test_a_run_is_skipped_while_another_holds_the_job_lock(settings):
    settings.JOB_LOCK_WAIT_SECONDS = 1
    calls.clear()
    with psycopg.connect(database_url(), autocommit=True) as other_session:
        other_session.execute("SELECT pg_advisory_lock(%s)", [lock_key("test_counting")])
        result = counting_job.apply()
    assert result.result == {"outcome": "skipped", "reason": "already running"}
    assert calls == []
    [event] = AuditLog.objects.filter(action="job.test_counting.skipped")
    assert event.payload["reason"] == "already running"
    # Released with the other session: the next run goes ahead.
    assert counting_job.apply().result["outcome"] == "succeeded"
    assert calls == ["run"]


def test_the_lock_is_released_after_a_failed_run():
    with pytest.raises(ZeroDivisionError):
        broken_job.apply(throw=True)
    with psycopg.connect(database_url(), autocommit=True) as other_session:
        acquired = other_session.execute("SELECT pg_try_advisory_lock(%s)", [lock_key("test_broken")]).fetchone()[0]
    assert acquired is True


def test_a_transient_error_is_retried_and_recorded_as_retrying(settings):
    settings.JOB_RETRY_BACKOFF_SECONDS = 1
    result = flaky_job.apply()
    # Eager mode runs the retries inline: 2 retries, then the final failure.
    assert result.state == "FAILURE"
    outcomes = list(AuditLog.objects.filter(action__startswith="job.test_flaky.").exclude(
        action__endswith=".started").order_by("id").values_list("action", "payload__attempt"))
    assert AuditLog.objects.filter(action="job.test_flaky.started").count() == 3
    assert outcomes == [("job.test_flaky.retrying", 1), ("job.test_flaky.retrying", 2), ("job.test_flaky.failed", 3)]
    failed = AuditLog.objects.get(action="job.test_flaky.failed")
    assert failed.payload["error"] == "SMTPServerDisconnected: connection unexpectedly closed"


def test_a_programming_error_fails_at_once_without_retries():
    result = broken_job.apply()
    assert result.state == "FAILURE"
    actions = AuditLog.objects.filter(action__startswith="job.test_broken.").order_by("id")
    assert list(actions.values_list("action", flat=True)) == ["job.test_broken.started", "job.test_broken.failed"]


def test_retry_raises_celery_retry_with_a_bounded_countdown(settings, monkeypatch):
    settings.JOB_RETRY_BACKOFF_SECONDS = 30

    class Request:
        id, retries = "task-1", 0

    class FakeTask:
        request, max_retries = Request(), 3

        def retry(self, exc, countdown):
            return Retry(exc=exc, when=countdown)

    with pytest.raises(Retry) as retry:
        jobs.run_job(FakeTask(), "test_flaky", lambda: (_ for _ in ()).throw(ConnectionError("reset")), {},
                     jobs.TRANSIENT_ERRORS)
    assert 0 <= retry.value.when <= 30
    event = AuditLog.objects.get(action="job.test_flaky.retrying")
    assert event.payload["retry_in_s"] == retry.value.when


@pytest.mark.parametrize(("retries", "ceiling"), [(0, 30), (1, 60), (2, 120), (4, 480), (5, 600), (9, 600)])
def test_backoff_doubles_per_attempt_up_to_ten_minutes_with_full_jitter(settings, retries, ceiling):
    settings.JOB_RETRY_BACKOFF_SECONDS = 30
    delays = {retry_countdown(retries) for _ in range(200)}
    assert max(delays) <= ceiling
    assert min(delays) >= 0
    assert len(delays) > 1  # jittered


def test_more_than_five_retries_is_refused():
    with pytest.raises(ValueError, match="max_retries must be at most 5"):
        periodic_job("test_too_many", soft_time_limit=60, max_retries=6)


def test_lock_keys_are_stable_signed_64_bit_integers():
    assert lock_key("refresh_views") == lock_key("refresh_views")
    assert lock_key("refresh_views") != lock_key("maintain_chunks")
    assert -(2**63) <= lock_key("refresh_views") < 2**63
