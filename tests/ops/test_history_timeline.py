"""The status page's run and change history: every record of what ran and what changed, in one timeline."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from django_celery_results.models import TaskResult

from mfgplatform.hierarchy import set_history_context
from mfgplatform.models import AuditLog, DimUnitOfMeasure, ImportJob, MaterializedViewRefresh
from mfgplatform.operations.history import HistoryFilter, run_and_change_history

pytestmark = pytest.mark.django_db

URL = "/admin/mfgplatform/operationsstatus/"


@pytest.fixture
def one_of_each(admin_user):
    """One record per source, a minute apart (oldest first), two of them failures."""
    start = timezone.now() + dt.timedelta(days=1)  # after everything the migrations recorded

    def at(minutes: int) -> dt.datetime:
        return start + dt.timedelta(minutes=minutes)

    unit = DimUnitOfMeasure.objects.get(code="kg")
    unit.name = "kilogram (SI)"
    set_history_context(unit, user=admin_user, reason="renamed for the label printer")
    unit.save()
    unit.history.filter(history_change_reason="renamed for the label printer").update(history_date=at(0))
    AuditLog.objects.create(occurred_at=at(1), action="job.backup_database.failed", actor_label="job:backup",
                            payload={"error": "OSError: disk full"})
    MaterializedViewRefresh.objects.create(view_name="mv_shift_occurrence", started_at=at(2), outcome="success",
                                           row_count=42, triggered_by="job:refresh_views")
    ImportJob.objects.create(model_label="production.product", resource_path="x.Y", file_name="products.csv",
                             content=b"", created_by=admin_user, status="rejected", reason="weekly catalog")
    ImportJob.objects.filter(file_name="products.csv").update(created_at=at(3))
    TaskResult.objects.create(task_id="t-1", task_name="mfgplatform.purge_ingest_receipts", status="SUCCESS",
                              worker="celery@w1")
    TaskResult.objects.filter(task_id="t-1").update(date_done=at(4))  # date_done is set on save
    return start


def test_every_source_lands_in_one_timeline_newest_first(one_of_each):
    entries = [e for e in run_and_change_history() if e.at >= one_of_each]
    assert [(e.source, e.subject, e.event, e.actor, e.detail, e.failed) for e in entries] == [
        ("task", "mfgplatform.purge_ingest_receipts", "task success", "celery@w1", "", False),
        ("import", "products.csv → production.product", "import rejected", "admin", "weekly catalog", True),
        ("refresh", "mv_shift_occurrence", "refresh success", "job:refresh_views", "42 rows", False),
        ("audit", "", "job.backup_database.failed", "job:backup", "OSError: disk full", True),
        ("change", "unit of measure kg", "changed", "admin", "renamed for the label printer", False),
    ]


def test_filters_apply_to_every_source(one_of_each):
    def sources(**criteria) -> list[str]:
        return [e.source for e in run_and_change_history(HistoryFilter(since=one_of_each, **criteria))]

    assert sources(failed_only=True) == ["import", "audit"]
    assert sources(sources=("change", "refresh")) == ["refresh", "change"]
    assert sources(text="label printer") == ["change"]
    assert sources(text="purge") == ["task"]
    assert sources(limit=2) == ["task", "import"]


def test_the_status_page_shows_and_filters_the_timeline(one_of_each, admin_client):
    day = one_of_each.date().isoformat()
    page = admin_client.get(URL, {"since": day, "failed": "1"}, HTTP_HOST="127.0.0.1", secure=True)
    assert page.status_code == 200
    table = re.search(r'<table id="run-and-change-history">.*?</table>', page.content.decode(), re.DOTALL).group(0)
    assert re.findall(r"<td>(audit|import|task|refresh|change)</td>", table) == ["import", "audit"]
    assert "OSError: disk full" in table
    everything = admin_client.get(URL, {"since": day, "source": ["change", "task"]}, HTTP_HOST="127.0.0.1",
                                  secure=True).content.decode()
    table = re.search(r'<table id="run-and-change-history">.*?</table>', everything, re.DOTALL).group(0)
    assert re.findall(r"<td>(audit|import|task|refresh|change)</td>", table) == ["task", "change"]
