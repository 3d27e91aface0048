"""Every page that shows KPIs says how current its numbers are, and flags them stale after a failed refresh.

The plant is seeded and refreshed for real; the failed pass is logged as the refresh job logs one whose
connection was killed (the first view failed, the views after it failed or were skipped). The real kill is
drilled in test_drills.py.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from equipment.models import Equipment
from mfgplatform.aggregates.registry import refresh_plan, refresh_views
from mfgplatform.models import MaterializedViewRefresh, RefreshOutcome
from tests.workbench.conftest import END, START, dates_query, engineer, engineer_client, seeded_plant  # noqa: F401

pytestmark = pytest.mark.django_db

PERIOD = f"{START}..{END}"


def _kpi_pages() -> dict[str, str]:
    unit = Equipment.objects.filter(taxonomy_level__gte=6, is_active=True).order_by("code").first()
    return {
        "performance": f"/workbench/?{dates_query()}",
        "unit": f"/workbench/unit/?{dates_query(node=unit.code)}",
        "downtime Pareto": f"/workbench/downtime/?{dates_query()}",
        "quality": f"/workbench/quality/?{dates_query()}",
        "reliability": f"/workbench/reliability/?{dates_query()}",
        "sensors": f"/workbench/sensors/?{dates_query(node=unit.code)}",
        "compliance report": f"/workbench/reports/preview/?period={PERIOD}",
    }


def _fail_a_pass() -> str:
    """Log a pass cut by a lost connection after the good one; returns the first view's failure time."""
    plan = [view.name for view in refresh_plan()]
    failed_at = timezone.now()
    MaterializedViewRefresh.objects.create(
        view_name=plan[0], started_at=failed_at, outcome=RefreshOutcome.FAILED, triggered_by="test",
        error="terminating connection due to administrator command")
    for name in plan[1:]:
        MaterializedViewRefresh.objects.create(
            view_name=name, started_at=timezone.now(), outcome=RefreshOutcome.FAILED, triggered_by="test",
            error="the connection is closed")
    return f"{failed_at:%Y-%m-%d %H:%M} UTC"


def _banner(html: str) -> tuple[str, str] | None:
    found = re.search(r'data-freshness="(\w+)"[^>]*>(.*?)</(?:p|li)>', html, flags=re.S)
    return (found.group(1), " ".join(found.group(2).split())) if found else None


def test_every_kpi_page_says_data_as_of_and_flags_a_failed_refresh(seeded_plant, engineer_client):  # noqa: F811
    pages = _kpi_pages()
    good = MaterializedViewRefresh.objects.filter(outcome=RefreshOutcome.SUCCESS).order_by("started_at").first()
    as_of = f"{good.started_at:%Y-%m-%d %H:%M} UTC"
    for name, url in pages.items():
        response = engineer_client.get(url)
        assert response.status_code == 200, name
        state, text = _banner(response.content.decode()) or (None, "")
        assert state == "current", f"{name}: {text!r}"
        assert as_of in text, f"{name}: {text!r}"
        assert "STALE" not in text.upper(), name

    failed_at = _fail_a_pass()
    for name, url in pages.items():
        state, text = _banner(engineer_client.get(url).content.decode()) or (None, "")
        assert state == "stale", f"{name}: {text!r}"
        assert "the last refresh of" in text, f"{name}: {text!r}"
        assert f"failed at {failed_at}" in text, f"{name}: {text!r}"
        # The numbers shown are the last good refresh's, and the page says from when.
        assert as_of in text, f"{name}: {text!r}"

    # The next good pass clears the flag everywhere.
    assert all(entry.outcome == RefreshOutcome.SUCCESS for entry in refresh_views(triggered_by="test"))
    for name, url in pages.items():
        state, text = _banner(engineer_client.get(url).content.decode()) or (None, "")
        assert state == "current", f"{name}: {text!r}"


def test_a_page_without_kpis_has_no_banner(seeded_plant, engineer_client):  # noqa: F811
    response = engineer_client.get("/workbench/equipment/")
    assert response.status_code == 200
    assert _banner(response.content.decode()) is None


def test_a_report_stored_from_stale_aggregates_says_so_in_every_format(seeded_plant):  # noqa: F811
    from mfgplatform.compliance.delivery import report_for_period
    from mfgplatform.compliance.periods import parse_period

    _fail_a_pass()
    report, created = report_for_period(parse_period(PERIOD))
    assert created
    assert "STALE: the last refresh of" in report.summary["text"]
    state, text = _banner(report.html)
    assert state == "stale"
    assert "STALE: the last refresh of" in text
    assert report.pdf.startswith(b"%PDF")
