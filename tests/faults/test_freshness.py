"""KPI answers say how current their aggregates are, and flag them stale after a failed refresh."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mfgplatform.kpi import compute_kpis
from mfgplatform.kpi.output import as_json, as_table
from mfgplatform.kpi.registry import element_sources, kpi_formulas
from mfgplatform.models import MaterializedViewRefresh, RefreshOutcome

pytestmark = pytest.mark.django_db

KPI = "availability"


def _views() -> set[str]:
    sources = element_sources()
    return {sources[name].view for name in kpi_formulas()[KPI].sources}


def _log(view: str, outcome: str, minutes_ago: int) -> MaterializedViewRefresh:
    return MaterializedViewRefresh.objects.create(view_name=view, started_at=timezone.now() - dt.timedelta(
        minutes=minutes_ago), outcome=outcome, error="" if outcome == RefreshOutcome.SUCCESS else "connection lost")


def _answer():
    return compute_kpis([KPI], start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 6))


def test_an_answer_from_freshly_refreshed_aggregates_carries_its_time_and_is_not_stale():
    entries = [_log(view, RefreshOutcome.SUCCESS, minutes_ago=5 + n) for n, view in enumerate(sorted(_views()))]
    [result] = _answer()
    assert result.data_as_of == min(entry.started_at for entry in entries)
    assert result.stale is False
    assert f"data as of {result.data_as_of:%Y-%m-%d %H:%M} UTC\n" in as_table([result])


def test_a_failed_refresh_after_the_last_success_makes_every_answer_stale():
    for view in _views():
        _log(view, RefreshOutcome.SUCCESS, minutes_ago=10)
    broken = sorted(_views())[0]
    failed = _log(broken, RefreshOutcome.FAILED, minutes_ago=1)
    [result] = _answer()
    assert result.stale is True
    assert result.stale_reason == f"the last refresh of {broken} failed at {failed.started_at:%Y-%m-%d %H:%M} UTC"
    assert "STALE: the last refresh of" in as_table([result])
    assert '"stale": true' in as_json([result])
    # A later successful pass clears the flag.
    _log(broken, RefreshOutcome.SUCCESS, minutes_ago=0)
    assert _answer()[0].stale is False


def test_an_aggregate_older_than_its_schedule_allows_is_stale():
    for view in _views():
        _log(view, RefreshOutcome.SUCCESS, minutes_ago=45)
    [result] = _answer()
    assert result.stale is True
    assert "more than 30 min ago" in result.stale_reason

