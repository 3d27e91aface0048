"""Changing PLANT_TIME_ZONE never re-zones the history silently: refresh, load_facts, the ingest API and the
database check refuse until `manage.py rezone_calendar` makes the change, audited, and rebuilds."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from mfgplatform.aggregates.calendar_settings import CalendarSettingsChanged
from mfgplatform.aggregates.registry import refresh_views
from mfgplatform.checks import plant_calendar_unchanged
from mfgplatform.ingest.loader import load_csv
from mfgplatform.models import AuditLog
from production.models import FactProduction

from .factories import add_run, ensure_dates, make_equipment, make_shift, only_shifts, product

pytestmark = pytest.mark.django_db
SPRING_NIGHT = dt.date(2025, 3, 29)  # the Saturday night into the spring change in Europe/Berlin


def _zone() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT mfg_plant_time_zone()")
        return cursor.fetchone()[0]


def _night_pot(unit) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(pot_s) FROM agg_time_model WHERE equipment_id = %s AND production_date = %s",
                       [unit.id, SPRING_NIGHT])
        return float(cursor.fetchone()[0])


@pytest.fixture
def history(settings, refresh):
    """A night shift every day, a run in the spring-change night, refreshed in UTC."""
    ensure_dates(dt.date(2025, 3, 20), dt.date(2025, 4, 5))
    only_shifts(make_shift("N", dt.time(22), dt.time(6), weekdays=range(1, 8)))
    unit = make_equipment("RZ-1")
    add_run(unit, dt.datetime(2025, 3, 29, 23, tzinfo=dt.UTC), dt.datetime(2025, 3, 30, 1, tzinfo=dt.UTC),
            pq=100, gq=100)
    refresh()
    assert (_zone(), _night_pot(unit)) == ("UTC", 8 * 3600)
    return unit


def test_without_history_the_database_follows_the_settings(settings, refresh):
    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    refresh()
    assert _zone() == "Europe/Berlin"


def test_a_changed_zone_is_refused_everywhere_until_rezoned_and_nothing_changes(settings, history, client):
    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    with pytest.raises(CalendarSettingsChanged, match="settings say Europe/Berlin.*computed with UTC"):
        refresh_views(triggered_by="test")
    with pytest.raises(CommandError, match="rezone_calendar"):
        call_command("refresh_views")
    with pytest.raises(CalendarSettingsChanged):
        load_csv("production", BytesIO(b"equipment,product,started_at,ended_at,produced_qty,good_qty\n"))
    problems = plant_calendar_unchanged(databases=["default"])
    assert [problem.id for problem in problems] == ["mfgplatform.E190"]
    assert "rezone_calendar" in problems[0].msg
    assert (_zone(), _night_pot(history)) == ("UTC", 8 * 3600)  # the history is as it was


def test_the_ingest_api_refuses_a_batch_while_the_calendar_differs(settings, history, client):
    from mfgplatform.models import IngestToken

    _, token = IngestToken.issue("gateway")
    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    response = client.post("/api/ingest/v1/events", data={"events": [{"event_id": "x", "kind": "sensor"}]},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 503
    assert "rezone_calendar" in response.json()["detail"]


def _load_runs_at_0430_utc() -> None:
    """Two runs at 04:30 and 04:40 UTC on Sunday 30 March 2025: one labelled by the rule, one with a shift
    given in the file (D, an inactive day pattern: not the rule's label)."""
    product()
    day_shift = make_shift("D", dt.time(6), dt.time(14))
    day_shift.is_active = False
    day_shift.save()
    text = ("equipment,product,started_at,ended_at,produced_qty,good_qty,pri_seconds,shift\n"
            "RZ-1,TP-1,2025-03-30T04:30:00Z,2025-03-30T04:40:00Z,10,10,1,\n"
            "RZ-1,TP-1,2025-03-30T04:40:00Z,2025-03-30T04:50:00Z,10,10,1,D\n")
    assert load_csv("production", BytesIO(text.encode())).rejects == []


def _labels() -> list[tuple]:
    return list(FactProduction.objects.filter(started_at__hour=4).order_by("started_at")
                .values_list("date_id", "shift__code"))


def test_rezone_calendar_is_audited_and_rebuilds_the_history_in_the_new_zone(settings, history, admin_user):
    _load_runs_at_0430_utc()
    # In UTC 04:30 lies in the night shift of Saturday 29 March.
    assert _labels() == [(20250329, "N"), (20250329, "D")]
    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    with pytest.raises(CommandError, match="No active user"):
        call_command("rezone_calendar", "--user", "nobody", "--reason", "plant moved")
    assert _zone() == "UTC"
    call_command("rezone_calendar", "--user", admin_user.username, "--reason", "the plant is in Germany")
    event = AuditLog.objects.get(action="calendar.rezoned")
    assert event.actor == admin_user
    assert {key: event.payload[key] for key in ("old_time_zone", "new_time_zone", "old_day_start", "new_day_start",
                                                "reason")} == {
        "old_time_zone": "UTC", "new_time_zone": "Europe/Berlin", "old_day_start": "06:00",
        "new_day_start": "06:00", "reason": "the plant is in Germany"}
    # 22:00–06:00 local into the spring change is 7 h of elapsed time.
    assert (_zone(), _night_pot(history)) == ("Europe/Berlin", 7 * 3600)
    # 04:30 UTC is 06:30 CEST: production day 30 March, after the night shift. The rule's label follows the
    # new calendar (unscheduled); the label given in the file stays.
    assert _labels() == [(20250330, None), (20250330, "D")]
    assert event.payload["relabelled_facts"]["fact_production"] == 2
    refresh_views(triggered_by="test")  # settled: refreshes run again
    assert plant_calendar_unchanged(databases=["default"]) == []


def test_a_changed_production_day_start_is_refused_too(settings, history):
    settings.PRODUCTION_DAY_START = "07:00"
    with pytest.raises(CalendarSettingsChanged, match="production day from 07:00"):
        refresh_views(triggered_by="test")
