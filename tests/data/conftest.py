"""Fixtures of the data-generation and ingestion tests."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from devdata.simulation.reference import ensure_dates
from mfgplatform.models import DimDate

# Thursday 8 January 2026 to Wednesday 14 January: two weekend days and one holiday (Tuesday 13th).
WEEK_START = dt.date(2026, 1, 8)
WEEK_DAYS = 7
HOLIDAY = dt.date(2026, 1, 13)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_iso_compliant", *args, "--no-progress", stdout=out)
    return out.getvalue()


@pytest.fixture
def plant_in_utc(settings):
    settings.PLANT_TIME_ZONE = "UTC"
    settings.PRODUCTION_DAY_START = "06:00"
    settings.CALENDAR_HOLIDAY_COUNTRY = ""


@pytest.fixture
def seeded_week(plant_in_utc, db):
    """A tiny plant seeded over WEEK_START + 7 days with HOLIDAY declared a holiday first."""
    ensure_dates(WEEK_START, WEEK_START + dt.timedelta(days=WEEK_DAYS))
    DimDate.objects.filter(date=HOLIDAY).update(is_holiday=True, holiday_name="Test holiday", is_working_day=False)
    return seed("--size", "tiny", "--days", str(WEEK_DAYS), "--seed", "11", "--start", str(WEEK_START))
