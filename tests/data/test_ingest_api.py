"""The ingest API: token authentication, per-item validation, idempotency on event ids, schema."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from devdata.simulation.reference import ensure_reference
from equipment.models import Equipment
from mfgplatform.models import IngestToken
from production.models import FactProduction, PlannedRunTime, Product
from reliability.models import FactDowntime, FactSensorEvent

pytestmark = pytest.mark.django_db

URL = "/api/ingest/v1/events"
UNIT = "API-UNIT-1"
DAY = dt.date(2026, 1, 7)


@pytest.fixture
def plant(plant_in_utc):
    reference = ensure_reference(DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1))
    unit = Equipment.objects.create(code=UNIT, name="Moulding machine", taxonomy_level=6, path=UNIT,
                                    equipment_class=reference.classes["XM"])
    product = Product.objects.create(code="API-P1", name="Cap", unit=reference.piece)
    PlannedRunTime.objects.create(product=product, equipment=unit, valid_from=DAY, pri_seconds=Decimal("12"))
    return unit


@pytest.fixture
def token(plant):
    _, clear = IngestToken.issue("line-1-gateway")
    return clear


def _post(client, body, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **headers)


def _sensor(event_id, minute, value=20.5, **overrides):
    event = {"event_id": event_id, "kind": "sensor", "equipment": UNIT, "tag": "temperature",
             "time": f"2026-01-07T08:{minute:02d}:00Z", "value": value}
    return {**event, **overrides}


@pytest.mark.parametrize(
    "authorization",
    [pytest.param(None, id="missing"), pytest.param("Bearer mfg_not-a-token", id="unknown"),
     pytest.param("Basic dXNlcjpwYXNz", id="wrong_scheme")],
)
def test_requests_without_a_valid_token_are_refused(client, token, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = client.post(URL, data=json.dumps({"events": [_sensor("e1", 0)]}), content_type="application/json",
                           **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="ingest"'
    assert FactSensorEvent.objects.count() == 0


def test_a_revoked_token_is_refused(client, token):
    IngestToken.objects.update(is_active=False)
    assert _post(client, {"events": [_sensor("e1", 0)]}, token).status_code == 401


def test_only_the_token_hash_is_stored(token):
    row = IngestToken.objects.get()
    assert token not in (row.token_hash, row.token_hint)
    assert row.token_hint == token[:10]


def test_a_valid_batch_lands_and_reports_counts(client, token):
    response = _post(client, {"events": [_sensor("e1", 0), _sensor("e2", 1, 21.0, quality=64)]}, token)
    assert response.status_code == 200
    assert response.json() == {"accepted": 2, "duplicates": 0, "rejected": 0, "errors": []}
    assert list(FactSensorEvent.objects.order_by("time").values_list("value", "quality")) == [(20.5, 192), (21.0, 64)]
    assert IngestToken.objects.get().last_used_at is not None


def test_invalid_items_are_reported_and_valid_ones_land(client, token):
    events = [
        _sensor("ok-1", 0),
        _sensor("bad-time", 1, time="2026-01-07 08:01:00"),
        _sensor("bad-unit", 2, equipment="NOPE"),
        _sensor("bad-value", 3, value="hot"),
        {"event_id": "bad-kind", "kind": "telemetry", "equipment": UNIT},
        _sensor("ok-1", 5),
        {"event_id": "bad-qty", "kind": "production", "equipment": UNIT, "product": "API-P1",
         "started_at": "2026-01-07T08:00:00Z", "ended_at": "2026-01-07T09:00:00Z", "produced_qty": 10,
         "good_qty": 9, "scrap_qty": 2},
        "not an object",
    ]
    body = _post(client, {"events": events}, token).json()
    assert body == {
        "accepted": 1,
        "duplicates": 0,
        "rejected": 7,
        "errors": [
            {"index": 1, "event_id": "bad-time", "field": "time",
             "message": "has no UTC offset (end it with Z or e.g. +01:00)"},
            {"index": 2, "event_id": "bad-unit", "field": "equipment", "message": "unknown code 'NOPE'"},
            {"index": 3, "event_id": "bad-value", "field": "value", "message": "must be a finite number"},
            {"index": 4, "event_id": "bad-kind", "field": "kind",
             "message": "must be one of sensor, production, downtime_start, downtime_stop"},
            {"index": 5, "event_id": "ok-1", "field": "event_id", "message": "repeats the event_id of item 0"},
            {"index": 6, "event_id": "bad-qty", "field": "produced_qty",
             "message": "is less than good + scrap + rework"},
            {"index": 7, "event_id": None, "field": "", "message": "an event must be a JSON object"},
        ],
    }
    assert FactSensorEvent.objects.count() == 1


def test_a_resent_batch_is_acknowledged_without_landing_twice(client, token):
    production = {"event_id": "run-1", "kind": "production", "equipment": UNIT, "product": "API-P1",
                  "started_at": "2026-01-07T08:00:00Z", "ended_at": "2026-01-07T09:00:00Z",
                  "produced_qty": 290, "good_qty": 285, "scrap_qty": 3, "rework_qty": 2}
    batch = {"events": [_sensor("s-1", 0), production]}
    assert _post(client, batch, token).json()["accepted"] == 2
    assert _post(client, batch, token).json() == {"accepted": 0, "duplicates": 2, "rejected": 0, "errors": []}
    assert FactSensorEvent.objects.count() == 1
    run = FactProduction.objects.get()
    assert (run.date_id, run.shift.code, run.pri_seconds, run.produced_qty) == (20260107, "A", Decimal("12"), 290)


def test_a_partly_resent_sensor_batch_lands_only_its_new_readings(client, token):
    assert _post(client, {"events": [_sensor("s-1", 0, 20.5), _sensor("s-2", 1, 21.5)]}, token).json()["accepted"] == 2
    resent = {"events": [_sensor("s-2", 1, 99.0), _sensor("s-3", 2, 22.5), _sensor("s-1", 0, 99.0)]}
    assert _post(client, resent, token).json() == {"accepted": 1, "duplicates": 2, "rejected": 0, "errors": []}
    stored = FactSensorEvent.objects.order_by("time").values_list("time__minute", "value")
    assert list(stored) == [(0, 20.5), (1, 21.5), (2, 22.5)]



def test_a_reading_already_stored_is_a_duplicate_whatever_its_event_id(client, token):
    assert _post(client, {"events": [_sensor("s-1", 0, 20.5)]}, token).json()["accepted"] == 1
    again = {"events": [_sensor("s-2", 1, 21.5), _sensor("s-1-bis", 0, 99.0)]}
    assert _post(client, again, token).json() == {"accepted": 1, "duplicates": 1, "rejected": 0, "errors": []}
    stored = FactSensorEvent.objects.order_by("time").values_list("time__minute", "value")
    assert list(stored) == [(0, 20.5), (1, 21.5)]

def _production(event_id, hour):
    return {"event_id": event_id, "kind": "production", "equipment": UNIT, "product": "API-P1",
            "started_at": f"2026-01-07T{hour:02d}:00:00Z", "ended_at": f"2026-01-07T{hour:02d}:30:00Z",
            "produced_qty": 10, "good_qty": 10}


def test_event_ids_are_scoped_to_their_data_source(client, token):
    _, other = IngestToken.issue("line-2-gateway")
    assert _post(client, {"events": [_production("same-id", 8)]}, token).json()["accepted"] == 1
    assert _post(client, {"events": [_production("same-id", 9)]}, other).json()["accepted"] == 1
    assert FactProduction.objects.count() == 2


def test_receipts_are_kept_for_counts_not_for_readings_and_purged_after_the_retention(client, token):
    from mfgplatform.models import IngestEventReceipt
    from mfgplatform.operations.receipts import purge_ingest_receipts

    batch = {"events": [_sensor("s-1", 0), _sensor("s-2", 1), _production("run-1", 8)]}
    assert _post(client, batch, token).json()["accepted"] == 3
    assert list(IngestEventReceipt.objects.values_list("event_id", flat=True)) == ["run-1"]
    received = IngestEventReceipt.objects.get().received_at
    assert purge_ingest_receipts(retention_days=30, now=received + dt.timedelta(days=29)).deleted == 0
    assert _post(client, batch, token).json()["duplicates"] == 3
    assert purge_ingest_receipts(retention_days=30, now=received + dt.timedelta(days=31), batch_size=1).deleted == 1
    assert not IngestEventReceipt.objects.exists()
    # Past the window a resent count lands again; a resent reading is still recognised by its key.
    assert _post(client, batch, token).json() == {"accepted": 1, "duplicates": 2, "rejected": 0, "errors": []}
    assert FactProduction.objects.count() == 2


def test_downtime_start_and_stop_open_and_close_a_stop(client, token):
    start = {"event_id": "d-1", "kind": "downtime_start", "equipment": UNIT, "reason": "FAIL-OHE",
             "at": "2026-01-07T10:00:00Z"}
    stop = {"event_id": "d-2", "kind": "downtime_stop", "equipment": UNIT, "at": "2026-01-07T10:40:00Z"}
    assert _post(client, {"events": [start, stop]}, token).json()["accepted"] == 2
    downtime = FactDowntime.objects.get()
    assert (downtime.reason.code, downtime.failure_mode.code, downtime.shift.code) == ("FAIL-OHE", "OHE", "A")
    assert downtime.ended_at - downtime.started_at == dt.timedelta(minutes=40)
    again = {"event_id": "d-3", "kind": "downtime_start", "equipment": UNIT, "reason": "MINOR-JAM",
             "at": "2026-01-07T10:20:00Z"}
    orphan = {"event_id": "d-4", "kind": "downtime_stop", "equipment": UNIT, "at": "2026-01-07T11:00:00Z"}
    body = _post(client, {"events": [again, orphan]}, token).json()
    assert body["errors"] == [
        {"index": 0, "event_id": "d-3", "field": "at",
         "message": "overlaps downtime of this equipment from 2026-01-07T10:00:00+00:00"},
        {"index": 1, "event_id": "d-4", "field": "at",
         "message": "no open downtime of this equipment started before this instant"},
    ]
    # A rejected event's id is not consumed: the corrected event can be sent again under it.
    fixed = {**again, "at": "2026-01-07T11:00:00Z"}
    assert _post(client, {"events": [fixed]}, token).json()["accepted"] == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [pytest.param("{not json", 400, id="malformed_json"), pytest.param({"items": []}, 400, id="no_events_list"),
     pytest.param({"events": []}, 400, id="empty_batch")],
)
def test_unusable_requests_are_refused_as_problems(client, token, body, status):
    response = _post(client, body, token)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"


def test_the_openapi_schema_is_served_and_describes_the_endpoint(client):
    schema = client.get("/api/ingest/v1/openapi.json").json()
    assert schema["openapi"] == "3.1.0"
    operation = schema["paths"]["/api/ingest/v1/events"]["post"]
    assert set(operation["responses"]) == {"200", "400", "401", "413", "500", "503"}
    # The retry contract: a 503 says when to resend, and resending the same event ids is safe.
    unavailable = operation["responses"]["503"]
    assert "Retry-After" in unavailable["headers"]
    assert "same event ids" in unavailable["description"]
    mapping = schema["components"]["schemas"]["Batch"]["properties"]["events"]["items"]["discriminator"]["mapping"]
    assert set(mapping) == {"sensor", "production", "downtime_start", "downtime_stop"}


def test_create_ingest_token_prints_a_token_that_authenticates(client, plant):
    out = StringIO()
    call_command("create_ingest_token", "historian", stdout=out)
    token = out.getvalue().strip()
    assert _post(client, {"events": [_sensor("c-1", 0)]}, token).status_code == 200


def test_the_sensor_quality_codes_come_from_the_reliability_app_alone(client, token, monkeypatch):
    """The API, its schema and load_facts take the quality codes from SensorQuality, declared once."""
    from mfgplatform.ingest import events
    from mfgplatform.ingest.facts import fact_formats
    from mfgplatform.ingest.openapi import openapi_schema
    from reliability.choices import SensorQuality

    assert events.sensor_qualities() == (tuple(SensorQuality.values), SensorQuality.GOOD)
    sensor_format = fact_formats()["sensor_event"]
    assert next(c for c in sensor_format.columns if c.name == "quality").choices == tuple(
        str(code) for code in SensorQuality.values)
    schema = openapi_schema()["components"]["schemas"]["SensorEvent"]["properties"]["quality"]
    assert (schema["enum"], schema["default"]) == (SensorQuality.values, 192)
    # The API checks against what sensor_qualities() reads from the field, not a list of its own.
    monkeypatch.setattr(events, "sensor_qualities", lambda: ((0, 192), 192))
    response = _post(client, {"events": [_sensor("e1", 0, quality=0), _sensor("e2", 1, quality=64)]}, token)
    assert response.json()["errors"] == [
        {"index": 1, "event_id": "e2", "field": "quality", "message": "must be one of 0, 192"}]


def test_the_api_and_load_facts_take_the_same_planned_run_time(client, token, plant):
    """One lookup: the record valid on the run's day, else the product's default. A record valid only from
    a later day does not apply to an earlier run, through either way in."""
    from io import BytesIO

    from mfgplatform.ingest.loader import load_csv

    product = Product.objects.create(code="API-P2", name="Lid", unit=Product.objects.get(code="API-P1").unit,
                                     default_pri_seconds=Decimal("30"))
    PlannedRunTime.objects.create(product=product, equipment=plant, valid_from=DAY + dt.timedelta(days=1),
                                  pri_seconds=Decimal("10"))
    PlannedRunTime.objects.create(product=product, equipment=plant, valid_from=DAY - dt.timedelta(days=30),
                                  pri_seconds=Decimal("20"))
    run = {"event_id": "run-p2", "kind": "production", "equipment": UNIT, "product": "API-P2",
           "started_at": "2026-01-07T08:00:00Z", "ended_at": "2026-01-07T08:30:00Z", "produced_qty": 10,
           "good_qty": 10}
    assert _post(client, {"events": [run]}, token).json()["accepted"] == 1
    csv = ("equipment,product,started_at,ended_at,produced_qty,good_qty\n"
           f"{UNIT},API-P2,2026-01-07T09:00:00Z,2026-01-07T09:30:00Z,10,10\n"
           f"{UNIT},API-P2,2026-01-08T09:00:00Z,2026-01-08T09:30:00Z,10,10\n")
    assert load_csv("production", BytesIO(csv.encode())).ok
    stored = list(FactProduction.objects.filter(product=product).order_by("started_at")
                  .values_list("load_batch", "pri_seconds"))
    # The record from 30 days before (20 s) on the 7th, whichever way in; the later one (10 s) from the 8th.
    assert [pri for _, pri in stored] == [Decimal("20"), Decimal("20"), Decimal("10")]
    assert [batch is None for batch, _ in stored] == [True, False, False]  # the API's run, then the file's

    PlannedRunTime.objects.filter(product=product, pri_seconds=Decimal("20")).delete()
    late = {**run, "event_id": "run-p2-b", "started_at": "2026-01-07T10:00:00Z", "ended_at": "2026-01-07T10:30:00Z"}
    assert _post(client, {"events": [late]}, token).json()["accepted"] == 1
    # Only a later record left: the product's default, not the future record the API used to pick.
    assert FactProduction.objects.get(product=product, started_at__hour=10).pri_seconds == Decimal("30")


def test_the_admin_shows_the_planned_run_time_the_writers_would_take_today(plant, admin_client):
    """The planned run time list runs the same lookup: a record valid only from tomorrow is not in effect,
    the product's default is."""
    from django.utils import timezone

    product = Product.objects.create(code="API-P3", name="Seal", unit=Product.objects.get(code="API-P1").unit,
                                     default_pri_seconds=Decimal("30"))
    PlannedRunTime.objects.create(product=product, equipment=plant, pri_seconds=Decimal("10"),
                                  valid_from=timezone.now().date() + dt.timedelta(days=2))
    page = admin_client.get("/admin/production/plannedruntime/", {"q": "API-P3"}, HTTP_HOST="127.0.0.1", secure=True)
    assert page.status_code == 200
    [row] = page.context["cl"].result_list
    assert (row.pri_seconds, row.pri_today) == (Decimal("10"), Decimal("30"))
    assert '<td class="field-pri_today">30.0000</td>' in page.content.decode()
