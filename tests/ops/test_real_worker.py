"""The jobs on a real Celery worker and beat (subprocesses, real Redis, the test database, loopback SMTP).

These tests commit (the worker must see the rows), so they use transactional databases; the
module restores the tables' rows afterwards for the tests that run later.
"""

import datetime as dt
import gzip
import json
import os
import signal
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_results.models import TaskResult

from mfgplatform.models import AuditLog, ComplianceReport, ReportDelivery, ReportSubscription
from mfgplatform.models.reports import DeliveryStatus

from .conftest import database_url, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("keep_reference_data")]


def _events(action: str) -> list[AuditLog]:
    return list(AuditLog.objects.filter(action=action).order_by("id"))


def test_beat_sends_the_scheduled_job_and_the_worker_runs_it(celery_harness):
    call_command("schedule_jobs", stdout=StringIO())
    # The installed defaults are daily crontabs; retime one entry to every second, as an operator
    # would in the admin, so that beat fires it during the test.
    entry = PeriodicTask.objects.get(name="maintain-chunks")
    entry.crontab, entry.interval = None, IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    entry.save()

    celery_harness.worker()
    beat = celery_harness.beat()
    wait_until(lambda: len(_events("job.maintain_chunks.succeeded")) >= 2, timeout=60,
               what="two runs of maintain_chunks fired by beat")
    beat.stop()

    run = _events("job.maintain_chunks.succeeded")[0]
    assert run.actor_label == "job:maintain_chunks"
    assert run.payload["chunk_health"]["hypertable"] == "fact_sensor_event"
    assert run.payload["chunk_health"]["chunk_interval"] == "1 day, 0:00:00"
    assert run.payload["compression_skipped"] == "TimescaleDB Apache edition: compression needs the Community license"
    # Every run is also a task result in the admin (django-celery-results), under its explicit name.
    result = TaskResult.objects.get(task_id=run.object_id)
    assert (result.task_name, result.status) == ("mfgplatform.maintain_chunks", "SUCCESS")
    assert json.loads(result.result)["outcome"] == "succeeded"


def test_report_job_killed_while_sending_is_retried_and_sends_each_email_once(celery_harness, smtp_server):
    smtp_server.handler.hold_first = True
    ReportSubscription.objects.create(name="Daily quality board", period_kind="daily", send_time=dt.time(0, 0),
                                      recipients=["qa@example.com", "Plant.Manager@example.com"])
    worker = celery_harness.worker()
    celery_harness.sender().send_task("mfgplatform.send_compliance_reports")

    # The first message is in the middle of its SMTP transaction: kill the process running the job.
    wait_until(smtp_server.handler.holding.is_set, timeout=60, what="the first e-mail to reach the server")
    [child] = worker.pool_children()
    os.kill(child, signal.SIGKILL)
    smtp_server.handler.release.set()

    wait_until(lambda: _events("job.send_compliance_reports.succeeded"), timeout=60,
               what="the redelivered job to finish")
    recipients = sorted(rcpt for _, rcpts in smtp_server.handler.envelopes for rcpt in rcpts)
    assert recipients == ["plant.manager@example.com", "qa@example.com"]
    assert ComplianceReport.objects.count() == 1
    deliveries = ReportDelivery.objects.order_by("recipient").values_list("recipient", "status", "attempts")
    # The killed attempt rolled back with its transaction: each copy took exactly one attempt.
    assert list(deliveries) == [("plant.manager@example.com", DeliveryStatus.SENT, 1),
                                ("qa@example.com", DeliveryStatus.SENT, 1)]
    assert "WorkerLostError" in worker.output() or "SIGKILL" in worker.output()

    # A later run (beat firing again, or a redelivery) sends nothing more for this period.
    celery_harness.sender().send_task("mfgplatform.send_compliance_reports")
    wait_until(lambda: len(_events("job.send_compliance_reports.succeeded")) == 2, timeout=30,
               what="the second run")
    assert len(smtp_server.handler.messages) == 2
    second = _events("job.send_compliance_reports.succeeded")[1]
    assert second.payload["rows"] == 0
    assert second.payload["subscriptions"][0]["already_sent"] == ["qa@example.com", "plant.manager@example.com"]


def test_audit_archive_killed_mid_run_leaves_no_partial_state(celery_harness, tmp_path):
    three_years_ago = timezone.now() - timezone.timedelta(days=3 * 365)
    old_ids = [
        AuditLog.objects.create(occurred_at=three_years_ago + timezone.timedelta(minutes=i), action="import.completed",
                                actor_label="alice", object_type="equipment", payload={"rows": i}).pk
        for i in range(5)
    ]
    recent = AuditLog.objects.create(occurred_at=timezone.now(), action="auth.login", actor_label="bob")
    archive_dir = tmp_path / "archive"

    # Hold a share lock on one old row: the archive run writes its file, then waits at its DELETE.
    with psycopg.connect(database_url()) as blocker:
        blocker.execute("SELECT 1 FROM audit_log WHERE id = %s FOR SHARE", [old_ids[-1]])
        worker = celery_harness.worker()
        celery_harness.sender().send_task("mfgplatform.archive_audit_log")
        [pending] = wait_until(lambda: list(archive_dir.glob("*.pending")), timeout=60,
                               what="the archive file to be written")
        [child] = worker.pool_children()
        os.kill(child, signal.SIGKILL)
        blocker.rollback()

    [succeeded] = wait_until(lambda: _events("job.archive_audit_log.succeeded"), timeout=60,
                             what="the redelivered archive run")
    final_name = pending.name.removesuffix(".pending")
    assert succeeded.payload["discarded"] == [final_name]  # the dead run's uncommitted file
    assert succeeded.payload["files"] == [final_name]
    assert sorted(path.name for path in archive_dir.iterdir()) == [final_name]
    with gzip.open(archive_dir / final_name, "rt") as lines:
        archived = [json.loads(line) for line in lines]
    assert [row["id"] for row in archived] == old_ids
    assert [row["payload"]["rows"] for row in archived] == [0, 1, 2, 3, 4]
    assert not AuditLog.objects.filter(pk__in=old_ids).exists()
    assert AuditLog.objects.filter(pk=recent.pk).exists()
    [archived_event] = _events("audit.archived")
    assert (archived_event.payload["file"], archived_event.payload["rows"]) == (final_name, 5)
    assert (archived_event.payload["first_id"], archived_event.payload["last_id"]) == (old_ids[0], old_ids[-1])
