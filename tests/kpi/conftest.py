import datetime as dt

import pytest
from hypothesis import HealthCheck, settings

from mfgplatform.aggregates.registry import refresh_views

from .factories import ensure_dates


@pytest.fixture(autouse=True)
def plant_calendar(settings, db):
    settings.PLANT_TIME_ZONE = "UTC"
    settings.PRODUCTION_DAY_START = "06:00"
    ensure_dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.fixture
def refresh():
    def run(*names: str):
        log = refresh_views(names or None, triggered_by="test")
        failed = [entry for entry in log if entry.outcome != "success"]
        assert not failed, [(entry.view_name, entry.error) for entry in failed]
        return log

    return run


# The reference property tests: a modest run by default, a thorough one with
# KPI_REFERENCE_PROFILE=kpi-reference-thorough.
settings.register_profile("kpi-reference", max_examples=20, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("kpi-reference-thorough", settings.get_profile("kpi-reference"), max_examples=200)
