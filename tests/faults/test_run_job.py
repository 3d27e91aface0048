"""Running a job from the shell: `manage.py run_job NAME` here, and `celery -A config call NAME` to the
workers (which failed with AppRegistryNotReady before the result backend set Django up)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
import redis
from django.core.management import call_command
from django.core.management.base import CommandError

from mfgplatform.models import AuditLog

from .conftest import ROOT

pytestmark = pytest.mark.django_db


def test_run_job_runs_the_job_here_with_its_audit_event():
    out = StringIO()
    call_command("run_job", "purge_ingest_receipts", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["outcome"] == "succeeded"
    [event] = AuditLog.objects.filter(action="job.purge_ingest_receipts.succeeded")
    assert event.payload["attempt"] == 1


def test_run_job_lists_the_jobs_and_refuses_an_unknown_one():
    out = StringIO()
    call_command("run_job", "--list", stdout=out)
    names = [line.split()[0] for line in out.getvalue().splitlines()]
    assert {"refresh_views", "maintain_chunks", "send_compliance_reports"} <= set(names)
    with pytest.raises(CommandError, match="unknown job 'refresh_view'"):
        call_command("run_job", "refresh_view")


def test_celery_call_from_the_shell_queues_the_job(private_redis):
    env = {**os.environ, "CELERY_BROKER_URL": private_redis.url, "REDIS_URL": private_redis.url}
    done = subprocess.run([sys.executable, "-m", "celery", "-A", "config", "call", "mfgplatform.maintain_chunks"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    task_id = done.stdout.strip()
    [message] = redis.Redis.from_url(private_redis.url).lrange("celery", 0, -1)
    headers = json.loads(message)["headers"]
    assert (headers["task"], headers["id"]) == ("mfgplatform.maintain_chunks", task_id)
