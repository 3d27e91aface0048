"""The ingest API refuses each out-of-bounds item on its own: the rest of the batch lands, no 500.

Bounds come from the columns that store the values (mfgplatform.bounds): finite numbers within the
column's precision, timestamps within the calendar and the future tolerance, text PostgreSQL can store.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest

from devdata.simulation.reference import ensure_reference
from equipment.models import Equipment
from mfgplatform.models import AuditLog, IngestToken
from production.models import FactProduction, PlannedRunTime, Product
from reliability.models import FactDowntime, FactSensorEvent

pytestmark = pytest.mark.django_db

URL = "/api/ingest/v1/events"
UNIT = "BND-UNIT"
DAY = dt.date(2026, 1, 7)


@pytest.fixture
def token(plant_in_utc):
    reference = ensure_reference(DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1))
    unit = Equipment.objects.create(code=UNIT, name="Press", taxonomy_level=6, path=UNIT,
                                    equipment_class=reference.classes["XM"])
    product = Product.objects.create(code="BND-P", name="Cap", unit=reference.piece)
    PlannedRunTime.objects.create(product=product, equipment=unit, valid_from=DAY, pri_seconds=Decimal("12"))
    return IngestToken.issue("bounds-gateway")[1]


def _post(client, body, token, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
                       **extra)


def _sensor(index, **overrides):
    time = dt.datetime(2026, 1, 7, 8, tzinfo=dt.UTC) + dt.timedelta(seconds=index)
    return {"event_id": f"s-{index}", "kind": "sensor", "equipment": UNIT, "tag": "temperature",
            "time": time.isoformat(), "value": 20.5, **overrides}


def _production(index, **overrides):
    start = dt.datetime(2026, 1, 7, 8, tzinfo=dt.UTC) + dt.timedelta(minutes=index)
    return {"event_id": f"p-{index}", "kind": "production", "equipment": UNIT, "product": "BND-P",
            "started_at": start.isoformat(), "ended_at": (start + dt.timedelta(seconds=30)).isoformat(),
            "produced_qty": 10, "good_qty": 10, **overrides}


# (item, field named in the error) — each found to crash a whole batch or to wedge a later reader.
BAD_ITEMS = [
    pytest.param(_sensor(9000, quality=192.0), "quality", id="quality_float"),
    pytest.param(_sensor(9001, tag="temp\x00"), "tag", id="nul_in_tag"),
    pytest.param(_sensor(9002, tag="temp\ud800"), "tag", id="lone_surrogate_in_tag"),
    pytest.param(_sensor(9003, equipment="X\x00"), "equipment", id="nul_in_code"),
    pytest.param(_sensor(9004, event_id="e\udfff"), "event_id", id="lone_surrogate_in_event_id"),
    pytest.param(_sensor(9005, value=10**400), "value", id="401_digit_integer"),
    pytest.param(_sensor(9006, value=1e200), "value", id="huge_float"),
    pytest.param(_sensor(9007, time="0001-01-01T00:00:00+14:00"), "time", id="year_1_bc_in_utc"),
    pytest.param(_sensor(9008, time="9999-12-31T23:59:59-14:00"), "time", id="year_10000_in_utc"),
    pytest.param(_production(900, produced_qty=1e12, good_qty=1), "produced_qty", id="qty_beyond_numeric_14_3"),
    # Found by the fuzz test: deciding whether 1e200 rounds past the limit raised InvalidOperation.
    pytest.param(_production(903, produced_qty=1e200, good_qty=1), "produced_qty", id="qty_1e200"),
    pytest.param(_production(901, produced_qty=99_999_999_999.9999, good_qty=1), "produced_qty",
                 id="qty_rounding_up_to_overflow"),
    pytest.param(_production(902, ended_at="9999-12-31T00:00:00Z"), "ended_at", id="ended_in_year_9999"),
    pytest.param({"event_id": "d-1", "kind": "downtime_stop", "equipment": UNIT, "at": "9999-01-01T00:00:00Z"},
                 "at", id="downtime_stop_in_year_9999"),
]


@pytest.mark.parametrize(("bad", "field"), BAD_ITEMS)
def test_one_bad_item_is_refused_and_the_rest_of_the_batch_lands(client, token, bad, field):
    good = [_sensor(index) for index in range(999)]
    response = _post(client, {"events": [*good[:500], bad, *good[500:]]}, token)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (999, 1)
    assert [(error["index"], error["field"]) for error in body["errors"]] == [(500, field)]
    assert FactSensorEvent.objects.count() == 999
    assert not FactProduction.objects.exists()


def test_a_stop_far_in_the_future_cannot_block_later_downtime(client, token):
    start = {"event_id": "d-start", "kind": "downtime_start", "equipment": UNIT, "reason": "FAIL-BRD",
             "at": "2026-01-07T09:00:00Z"}
    far_stop = {"event_id": "d-far", "kind": "downtime_stop", "equipment": UNIT, "at": "9999-12-31T00:00:00Z"}
    stop = {"event_id": "d-stop", "kind": "downtime_stop", "equipment": UNIT, "at": "2026-01-07T09:30:00Z"}
    body = _post(client, {"events": [start, far_stop, stop]}, token).json()
    assert (body["accepted"], [error["field"] for error in body["errors"]]) == (2, ["at"])
    assert FactDowntime.objects.get().ended_at == dt.datetime(2026, 1, 7, 9, 30, tzinfo=dt.UTC)


def test_a_reading_beyond_the_future_tolerance_is_refused(client, token, settings):
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=settings.INGEST_FUTURE_TOLERANCE_SECONDS + 60)
    body = _post(client, {"events": [_sensor(1, time=soon.isoformat())]}, token).json()
    assert body["errors"][0]["field"] == "time"
    assert "future tolerance" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "body",
    [pytest.param("[" * 100_000 + "]" * 100_000, id="deep_nesting"),
     pytest.param('{"events": [' + "9" * 5000 + "]}", id="integer_beyond_the_parser_limit")],
)
def test_unparseable_bodies_are_a_problem_not_a_server_error(client, token, body):
    response = _post(client, body, token)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_an_unexpected_error_is_problem_json_without_debug(client, token, settings, monkeypatch):
    """Under DEBUG=false Django's 500 page is HTML; a machine client gets problem+json instead. The
    fault is simulated: no input is known to cause one any more."""
    from mfgplatform.ingest import api as views

    settings.DEBUG = False

    def broken(*args, **kwargs):
        raise RuntimeError("simulated fault")

    monkeypatch.setattr(views, "ingest_batch", broken)
    response = _post(client, {"events": [_sensor(1)]}, token)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 500


def test_authentication_failures_and_oversized_bodies_are_audited(client, token, settings):
    assert _post(client, {"events": [_sensor(1)]}, "mfg_wrong").status_code == 401
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    assert _post(client, {"events": [_sensor(index) for index in range(10)]}, token).status_code == 413
    actions = list(AuditLog.objects.filter(action__startswith="ingest.").values_list("action", flat=True))
    assert sorted(actions) == ["ingest.too_large", "ingest.unauthorized"]


@pytest.mark.parametrize("group", ["DELAY", "FAIL", "PLANNED"])
def test_a_downtime_reason_group_is_refused(client, token, group):
    start = {"event_id": "g-1", "kind": "downtime_start", "equipment": UNIT, "reason": group,
             "at": "2026-01-07T09:00:00Z"}
    body = _post(client, {"events": [start]}, token).json()
    assert [(error["field"], error["message"]) for error in body["errors"]] == [
        ("reason", "is a reason group; book a leaf reason")]
    assert not FactDowntime.objects.exists()
