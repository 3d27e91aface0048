"""A tiny seeded plant with populated KPI views, and a staff user, for the workbench pages."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from devdata.simulation.reference import ensure_dates
from mfgplatform.aggregates.registry import refresh_views

# Monday 5 to Wednesday 7 January 2026: three working days.
START = dt.date(2026, 1, 5)
DAYS = 3
END = START + dt.timedelta(days=DAYS - 1)
PASSWORD = "Workbench-test-pass-1"


def dates_query(**extra) -> str:
    params = {"start": START.isoformat(), "end": END.isoformat(), **extra}
    return "&".join(f"{key}={value}" for key, value in params.items())


@pytest.fixture
def seeded_plant(settings, db):
    settings.PLANT_TIME_ZONE = "UTC"
    settings.PRODUCTION_DAY_START = "06:00"
    settings.CALENDAR_HOLIDAY_COUNTRY = ""
    ensure_dates(START - dt.timedelta(days=10), END + dt.timedelta(days=10))
    call_command("seed_iso_compliant", "--size", "tiny", "--days", str(DAYS), "--seed", "5", "--start",
                 str(START), "--no-progress", stdout=StringIO())
    failed = [entry for entry in refresh_views(triggered_by="test") if entry.outcome != "success"]
    assert not failed, [(entry.view_name, entry.error) for entry in failed]


@pytest.fixture
def engineer(django_user_model):
    return django_user_model.objects.create_superuser("engineer", "engineer@example.com", PASSWORD)


@pytest.fixture
def engineer_client(client, engineer):
    client.force_login(engineer)
    return client
