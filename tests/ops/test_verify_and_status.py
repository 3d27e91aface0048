"""`manage.py verify_iso_compliance`, the view refresh job's change detection, and the status page."""

import datetime as dt
import os
import re
import subprocess
import sys
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from mfgplatform import tasks
from mfgplatform.aggregates.refresh import refresh_changed_views
from mfgplatform.aggregates.registry import refresh_order
from mfgplatform.compliance.verification import run_checks
from mfgplatform.models import AuditLog, DimShift, MaterializedViewRefresh

from .conftest import ROOT, database_url, wait_until

pytestmark = pytest.mark.django_db


@pytest.fixture
def installed():
    """A complete installation: schedules installed, every view refreshed."""
    call_command("schedule_jobs", stdout=StringIO())
    refresh_changed_views()


def test_a_complete_installation_passes_every_check(installed):
    out = StringIO()
    call_command("verify_iso_compliance", stdout=out)
    assert out.getvalue().count("PASS") == 8
    assert "All 8 checks passed." in out.getvalue()


def test_failures_are_listed_with_their_fix(installed):
    PeriodicTask.objects.filter(name="archive-audit-log").update(enabled=False)
    DimShift.objects.bulk_create([DimShift(code="NOHIST", name="No history", start_time="08:00", end_time="09:00")])
    out = StringIO()
    with pytest.raises(CommandError, match="2 of 8 checks failed: jobs scheduled, audit trail complete"):
        call_command("verify_iso_compliance", stdout=out)
    report = " ".join(out.getvalue().split())  # details wrap over several lines
    assert "archive-audit-log disabled" in report
    assert "fix: manage.py schedule_jobs (or enable the entry under Periodic tasks)" in report
    assert "dim_shift: 1 rows without creation record, 0 changes without user" in report


def test_stale_and_unpopulated_views_fail_the_freshness_check(installed):
    names = [view.name for view in refresh_order()]
    later = timezone.now() + dt.timedelta(hours=2)
    from mfgplatform.compliance.verification import check_views_fresh

    result = check_views_fresh(now=later)
    assert not result.passed
    assert result.detail.startswith(f"{names[0]} last refreshed 120 min ago")


def test_the_command_exits_non_zero_in_a_real_process_when_a_check_fails():
    # The test database as committed (no schedules installed there): the exit code is what scripts see.
    result = subprocess.run([sys.executable, "manage.py", "verify_iso_compliance"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "DATABASE_URL": database_url()})
    assert result.returncode == 1
    assert re.search(r"^jobs scheduled +FAIL +refresh-views not scheduled", result.stdout, re.MULTILINE)


def test_kpis_from_views_equal_the_facts_on_seeded_data():
    call_command("seed_iso_compliant", size="tiny", days=3, no_progress=True, stdout=StringIO())
    refresh_changed_views()
    [kpi_check] = [check for check in run_checks() if check.name == "KPIs from views equal the reference"]
    assert kpi_check.passed, kpi_check.detail
    assert "values equal" in kpi_check.detail


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_reference_data")
def test_refresh_job_skips_views_whose_sources_did_not_change():
    from mfgplatform.aggregates.refresh import source_signature

    first = refresh_changed_views()
    names = [view.name for view in refresh_order()]
    assert first.refreshed == names
    second = refresh_changed_views()
    assert second.refreshed == []
    assert second.unchanged == names

    before = source_signature(("dim_shift",))
    DimShift.objects.create(code="LATE", name="Late shift", start_time="14:00", end_time="22:00")
    # A backend publishes its write counters when it goes idle, at most once a second.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    wait_until(lambda: source_signature(("dim_shift",)) != before, timeout=5, what="the statistics to show the write")
    third = refresh_changed_views()
    readers = {view.name for view in refresh_order() if "dim_shift" in view.sources}
    # Refresh order lists a view after everything it reads, so one pass collects the whole downstream.
    downstream: set[str] = set()
    for view in refresh_order():
        if (readers | downstream) & set(view.depends_on):
            downstream.add(view.name)
    assert set(third.refreshed) == readers | downstream
    assert set(third.unchanged) == set(names) - readers - downstream


def test_refresh_job_records_its_run_in_the_audit_log():
    result = tasks.refresh_views_task.apply()
    assert result.result["outcome"] == "succeeded"
    event = AuditLog.objects.get(action="job.refresh_views.succeeded")
    assert event.payload["refreshed"] == [view.name for view in refresh_order()]
    assert event.payload["rows"] == sum(MaterializedViewRefresh.objects.filter(outcome="success")
                                        .values_list("row_count", flat=True))


def test_status_page_shows_views_chunks_schedules_and_failures(installed, admin_client):
    AuditLog.objects.create(occurred_at=timezone.now(), action="job.archive_audit_log.failed",
                            actor_label="job:archive_audit_log", payload={"error": "OSError: disk full"})
    index = admin_client.get("/admin/", HTTP_HOST="127.0.0.1", secure=True)
    assert b'href="/admin/mfgplatform/operationsstatus/"' in index.content
    page = admin_client.get("/admin/mfgplatform/operationsstatus/", HTTP_HOST="127.0.0.1", secure=True)
    assert page.status_code == 200
    html = page.content.decode()
    for view in refresh_order():
        assert f"<td>{view.name}</td>" in html
    assert "<tr><th>chunk interval</th><td>1 day, 0:00:00</td></tr>" in html
    assert "apache (no compression; retention by drop_chunks)" in html
    assert "<td>send-compliance-reports</td><td>mfgplatform.send_compliance_reports</td>" in html
    assert "OSError: disk full" in html


def test_status_page_is_for_staff_only(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="x-x-x-x-x-1")
    client.force_login(user)
    response = client.get("/admin/mfgplatform/operationsstatus/", HTTP_HOST="127.0.0.1", secure=True)
    assert response.status_code == 302  # to the admin login


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_reference_data")
def test_a_concurrent_refresh_does_not_block_a_reader():
    first = refresh_changed_views()  # populates (a plain refresh the first time) and commits
    assert "mv_shift_occurrence" in first.refreshed
    log = refresh_changed_views(force=True)
    assert "mv_shift_occurrence" in log.refreshed
    entry = MaterializedViewRefresh.objects.filter(view_name="mv_shift_occurrence").order_by("-id").first()
    assert entry.concurrently is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM mv_shift_occurrence")
        rows = cursor.fetchone()[0]

    with psycopg.connect(database_url()) as refresher, psycopg.connect(database_url(), autocommit=True) as reader:
        reader.execute("SET lock_timeout = '1s'")
        # The refresh the job runs, held open: a reader still gets the rows at once.
        refresher.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY mv_shift_occurrence")
        assert reader.execute("SELECT count(*) FROM mv_shift_occurrence").fetchone()[0] == rows
        refresher.rollback()
        # The contrast: a plain refresh locks the reader out.
        refresher.execute("REFRESH MATERIALIZED VIEW mv_shift_occurrence")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            reader.execute("SELECT count(*) FROM mv_shift_occurrence")
        refresher.rollback()
