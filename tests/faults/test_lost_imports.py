"""An import checked inside a web request is claimed like a worker's attempt, so a dead web process is told
apart from a busy one (the real kill is drilled in test_drills.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mfgplatform.imports.dispatch import lock_name, lost_reason, started_grace
from mfgplatform.imports.jobs import import_job_create, start_preview
from mfgplatform.models import AuditLog, ImportJob, ImportStatus
from mfgplatform.operations.jobs import advisory_lock
from quality.models import DefectType
from quality.resources import DefectTypeResource

pytestmark = pytest.mark.django_db

CSV = b"code,name,category,severity,description,is_reworkable,is_active\nD-LOST-1,Scratch,visual,minor,,0,1\n"
DEAD = "the web process checking it stopped before it finished"


def _job() -> ImportJob:
    job = import_job_create(model=DefectType, resource_class=DefectTypeResource, file_name="d.csv", content=CSV,
                            user=None)
    assert not job.in_background
    return job


def test_a_preview_in_the_request_is_claimed_and_audited_as_an_attempt():
    job = start_preview(_job())
    assert job.status == ImportStatus.PREVIEWED
    assert job.attempts == 1
    assert job.started_at is not None
    assert AuditLog.objects.filter(action="import.started", object_id=str(job.pk)).count() == 1


def test_an_in_request_job_whose_lock_is_free_after_the_grace_is_lost():
    job = _job()
    job.started_at = timezone.now()
    later = job.started_at + started_grace() + dt.timedelta(seconds=1)
    assert lost_reason(job, job.started_at) is None  # just claimed: may still be taking its lock
    assert lost_reason(job, later) == DEAD


def test_an_in_request_job_whose_lock_is_held_is_in_hand_however_long_it_takes():
    job = _job()
    job.started_at = timezone.now()
    with advisory_lock(lock_name(job.pk)) as acquired:
        assert acquired
        assert lost_reason(job, job.started_at + dt.timedelta(hours=1)) is None


def test_a_job_stuck_previewing_before_its_claim_is_lost_by_its_age():
    # Killed between the upload's commit and the claim, or left from before claims existed.
    job = _job()
    assert job.started_at is None
    assert lost_reason(job, job.created_at + started_grace() + dt.timedelta(seconds=1)) == DEAD


def test_a_background_job_still_waits_for_the_broker_rather_than_the_web_process():
    job = _job()
    ImportJob.objects.filter(pk=job.pk).update(in_background=True)
    job.refresh_from_db()
    assert lost_reason(job, timezone.now()) == "never reached the message broker"
