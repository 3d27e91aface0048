import datetime as dt

import pytest

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
