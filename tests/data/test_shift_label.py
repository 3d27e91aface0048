"""The shift label a fact gets: the regular shift whose occurrence contains the instant, by the shift calendar
(weekdays, working days, holidays), or none ("Unscheduled") outside every occurrence. One rule for
load_facts, the ingest API and the Python helper (docs/kpi.md, "Calendar")."""

import datetime as dt
import json
from decimal import Decimal
from io import BytesIO

import pytest

from devdata.simulation.reference import ensure_reference
from equipment.models import Equipment
from mfgplatform.ingest.loader import load_csv
from mfgplatform.models import DimDate, DimShift, IngestToken, shift_occurrence_at
from production.models import FactProduction, PlannedRunTime, Product
from reliability.models import FactDowntime

pytestmark = pytest.mark.django_db

UNIT = "SL-UNIT-1"
WEDNESDAY = dt.date(2026, 1, 7)
HOLIDAY = dt.date(2026, 1, 9)  # a Friday declared a holiday below


@pytest.fixture
def plant(plant_in_utc):
    # Shifts A 06–14, B 14–22, C 22–06, each Monday to Friday (the seed keeps shifts that exist).
    for order, (code, start, end) in enumerate([("A", 6, 14), ("B", 14, 22), ("C", 22, 6)], start=1):
        DimShift.objects.update_or_create(code=code, defaults={
            "name": code, "start_time": dt.time(start), "end_time": dt.time(end), "weekdays": [1, 2, 3, 4, 5],
            "sort_order": order, "is_active": True})
    DimShift.objects.exclude(code__in=["A", "B", "C"]).update(is_active=False)
    reference = ensure_reference(WEDNESDAY - dt.timedelta(days=1), WEDNESDAY + dt.timedelta(days=7))
    DimDate.objects.filter(date=HOLIDAY).update(is_holiday=True, holiday_name="Test", is_working_day=False)
    unit = Equipment.objects.create(code=UNIT, name="Press", taxonomy_level=6, path=UNIT,
                                    equipment_class=reference.classes["XP"])
    product = Product.objects.create(code="SL-P1", name="Bracket", unit=reference.piece)
    PlannedRunTime.objects.create(product=product, equipment=unit, valid_from=WEDNESDAY, pri_seconds=Decimal("4"))
    return unit


# (instant in UTC, the shift it belongs to or None)
CASES = [
    pytest.param("2026-01-07T08:00:00Z", "A", id="wednesday-morning"),
    pytest.param("2026-01-08T03:00:00Z", "C", id="wednesday-night-after-midnight"),
    pytest.param("2026-01-09T08:00:00Z", None, id="holiday-morning"),
    pytest.param("2026-01-10T03:00:00Z", None, id="night-after-the-holiday"),
    pytest.param("2026-01-10T08:00:00Z", None, id="saturday-morning"),
    pytest.param("2026-01-10T23:00:00Z", None, id="saturday-night"),
    pytest.param("2026-01-12T05:30:00Z", None, id="monday-before-the-first-shift"),
    pytest.param("2026-01-12T06:00:00Z", "A", id="monday-first-shift-starts"),
]


def _later(instant: str, minutes: int = 20) -> str:
    return (dt.datetime.fromisoformat(instant) + dt.timedelta(minutes=minutes)).isoformat()


def _labels_from_load_facts(instants):
    rows = "".join(f"{UNIT},SL-P1,{start},{_later(start)},10,10,0,0\n" for start in instants)
    text = "equipment,product,started_at,ended_at,produced_qty,good_qty,scrap_qty,rework_qty\n" + rows
    result = load_csv("production", BytesIO(text.encode()))
    assert result.rejects == []
    assert result.inserted == len(instants)
    runs = FactProduction.objects.order_by("started_at").values_list("shift__code", flat=True)
    return list(runs)


def test_load_facts_labels_each_run_with_the_shift_whose_occurrence_contains_its_start(plant):
    instants = [case.values[0] for case in CASES]
    assert _labels_from_load_facts(instants) == [case.values[1] for case in CASES]


def test_a_weekend_shift_labels_weekend_runs_although_a_weekday_shift_has_the_same_clock_times(plant):
    DimShift.objects.create(code="W", name="Weekend early", start_time=dt.time(6), end_time=dt.time(14),
                            weekdays=[6, 7], sort_order=9)
    assert _labels_from_load_facts(["2026-01-07T08:00:00Z", "2026-01-10T08:00:00Z"]) == ["A", "W"]


def test_downtime_from_load_facts_follows_the_same_rule(plant):
    text = ("equipment,reason,started_at,ended_at,failure_mode\n"
            f"{UNIT},FAIL-BRD,2026-01-07T08:00:00Z,2026-01-07T09:00:00Z,\n"
            f"{UNIT},FAIL-BRD,2026-01-10T08:00:00Z,2026-01-10T09:00:00Z,\n")
    result = load_csv("downtime", BytesIO(text.encode()))
    assert result.rejects == []
    assert list(FactDowntime.objects.order_by("started_at").values_list("shift__code", flat=True)) == ["A", None]


@pytest.mark.parametrize(("instant", "expected"), CASES)
def test_the_ingest_api_labels_production_counts_and_stops_by_the_same_rule(client, plant, instant, expected):
    _, token = IngestToken.issue("gateway")
    end = _later(instant)
    events = [
        {"event_id": "run", "kind": "production", "equipment": UNIT, "product": "SL-P1",
         "started_at": instant, "ended_at": end, "produced_qty": 10, "good_qty": 10},
        {"event_id": "stop", "kind": "downtime_start", "equipment": UNIT, "reason": "FAIL-BRD", "at": end},
    ]
    response = client.post("/api/ingest/v1/events", data=json.dumps({"events": events}),
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.json()["accepted"] == 2, response.json()
    assert FactProduction.objects.get().shift_id == (expected and DimShift.objects.get(code=expected).id)
    assert FactDowntime.objects.get().shift_id == (expected and DimShift.objects.get(code=expected).id)


@pytest.mark.parametrize(("instant", "expected"), CASES)
def test_the_python_helper_agrees(plant, instant, expected):
    found = shift_occurrence_at(dt.datetime.fromisoformat(instant))
    assert (found[0].code if found else None) == expected


def test_the_fact_changelists_show_and_filter_unscheduled_facts(admin_client, plant):
    _labels_from_load_facts(["2026-01-07T08:00:00Z", "2026-01-10T08:00:00Z"])
    page = admin_client.get("/admin/production/factproduction/").content.decode()
    assert page.count("Unscheduled") >= 2  # the Saturday run's shift column and the filter's choice
    only_unscheduled = admin_client.get("/admin/production/factproduction/?shift__isnull=True")
    assert list(only_unscheduled.context["cl"].result_list) == list(FactProduction.objects.filter(shift=None))
