"""The status page and the refresh job cover both kinds of registered view: materialized views and
incremental aggregates."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from mfgplatform import tasks
from mfgplatform.aggregates.refresh import refresh_changed_views
from mfgplatform.aggregates.registry import IncrementalAggregate, MaterializedView, refresh_plan
from mfgplatform.models import AuditLog

pytestmark = pytest.mark.django_db

KINDS = {MaterializedView: "materialized view", IncrementalAggregate: "incremental aggregate"}


@pytest.fixture
def installed():
    """A complete installation: schedules installed, every view refreshed."""
    call_command("schedule_jobs", stdout=StringIO())
    refresh_changed_views()


def view_rows(html: str) -> list[tuple[str, str, str]]:
    """(name, kind, populated) of each row of the page's view table, in page order."""
    table = re.search(r'<table id="view-status">.*?</table>', html, re.DOTALL)
    assert table, "the view table is missing"
    return re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>", table.group(0))


def test_status_page_lists_every_registered_view_with_its_kind(installed, admin_client):
    plan = refresh_plan()
    assert "agg_sensor_hourly" in {view.name for view in plan if isinstance(view, IncrementalAggregate)}
    page = admin_client.get("/admin/mfgplatform/operationsstatus/", HTTP_HOST="127.0.0.1", secure=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["views"]["error"] == ""
    rows = view_rows(html)
    assert [(name, kind) for name, kind, _ in rows] == [(view.name, KINDS[type(view)]) for view in plan]
    assert ("agg_sensor_hourly", "incremental aggregate", "yes") in rows
    # Every view was refreshed by the fixture: none shows as unpopulated or missing.
    assert {populated for _, _, populated in rows} == {"yes"}


def test_status_rows_of_an_incremental_aggregate_have_no_source_check(installed):
    from mfgplatform.operations.admin import _view_status

    rows = {row["name"]: row for row in _view_status()}
    aggregate = rows["agg_sensor_hourly"]
    assert aggregate["kind"] == "incremental aggregate"
    assert aggregate["populated"] is True
    assert aggregate["checked_at"] is None
    assert aggregate["last_success"] is not None
    assert aggregate["last_success"].outcome == "success"


def test_refresh_job_records_the_incremental_passes_that_ran():
    result = tasks.refresh_views_task.apply()
    assert result.result["outcome"] == "succeeded"
    aggregates = [view.name for view in refresh_plan() if isinstance(view, IncrementalAggregate)]
    assert "agg_sensor_hourly" in aggregates
    assert result.result["passed"] == aggregates
    event = AuditLog.objects.get(action="job.refresh_views.succeeded")
    assert event.payload["passed"] == aggregates
