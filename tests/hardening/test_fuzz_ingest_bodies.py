"""Malformed request bodies against the ingest API, and its OpenAPI document's number ranges against
what the server accepts.

Bodies are random bytes, truncated or corrupted JSON, any JSON value at the top level, batches whose
items are arbitrary JSON, invalid UTF-8 and deep nesting. Every answer is 200 or a 4xx problem+json
(never a 500), and a body that is not a valid batch writes nothing.
"""

import datetime as dt
import json
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devdata.simulation.reference import ensure_reference
from equipment.models import Equipment
from mfgplatform.ingest.openapi import openapi_schema
from mfgplatform.models import IngestToken
from production.models import FactProduction, PlannedRunTime, Product
from reliability.models import FactDowntime, FactSensorEvent

pytestmark = pytest.mark.django_db

URL = "/api/ingest/v1/events"
UNIT, PRODUCT, DAY = "FB-UNIT", "FB-P", dt.date(2026, 1, 7)
AT = dt.datetime(2026, 1, 7, 8, tzinfo=dt.UTC)

CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


def _valid_batch() -> bytes:
    return json.dumps({"events": [{"event_id": "ok-1", "kind": "sensor", "equipment": UNIT, "tag": "temperature",
                                   "time": AT.isoformat(), "value": 71.5}]}).encode()


def _corrupted(draw_bytes: bytes, cut: int, flip: int) -> bytes:
    body = bytearray(_valid_batch())
    body = body[: cut % (len(body) + 1)]
    if body and flip:
        body[flip % len(body)] ^= 0x80 | (flip & 0x7F)
    return bytes(body) + draw_bytes


BODIES = st.one_of(
    st.binary(max_size=300),
    st.builds(_corrupted, st.binary(max_size=8), st.integers(0, 400), st.integers(0, 1000)),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    st.lists(JSON_VALUES, max_size=5).map(lambda items: json.dumps({"events": items}).encode()),
    st.integers(1, 200_000).map(lambda depth: b'{"events": ' + b"[" * depth + b"]" * depth + b"}"),
    st.sampled_from([b"", b"\xff\xfe\x00", b'{"events": [}', b'{"events": "x"}', b"[1e999]", b'{"events": []}',
                     b'\xef\xbb\xbf{"events": []}', b'{"events": [' + b"9" * 5000 + b"]}"]),
)


def _rows() -> int:
    return FactSensorEvent.objects.count() + FactProduction.objects.count() + FactDowntime.objects.count()


@pytest.fixture
def token():
    reference = ensure_reference(DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1))
    unit = Equipment.objects.create(code=UNIT, name="Press", taxonomy_level=6, path=UNIT,
                                    equipment_class=reference.classes["XM"])
    product = Product.objects.create(code=PRODUCT, name="Cap", unit=reference.piece)
    PlannedRunTime.objects.create(product=product, equipment=unit, valid_from=DAY, pri_seconds=Decimal("12"))
    return IngestToken.issue("body-fuzz")[1]


def test_malformed_bodies_get_a_problem_and_write_nothing(client, token):
    statuses: dict[int, int] = {}

    @settings(max_examples=250, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(body=BODIES, content_type=st.sampled_from(CONTENT_TYPES))
    def one_body(body, content_type):
        before = _rows()
        response = client.generic("POST", URL, body, content_type=content_type,
                                  HTTP_AUTHORIZATION=f"Bearer {token}")
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code in (200, 400, 413), response.content[:300]
        if response.status_code == 200:
            result = response.json()
            assert _rows() - before == result["accepted"]
        else:
            assert response["Content-Type"] == "application/problem+json"
            assert response.json()["status"] == response.status_code
            assert _rows() == before

    one_body()
    assert statuses.get(400, 0) > 0


def _post_one(client, token, event_id: str, **fields) -> dict:
    body = json.dumps({"events": [{"event_id": event_id, "equipment": UNIT, **fields}]})
    response = client.post(URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def _edges(schema: dict) -> tuple[list[float], list[float]]:
    """(values the schema admits at its edges, values just beyond them)."""
    inside, outside = [], []
    for keyword, sign in (("exclusiveMaximum", 1), ("maximum", 1), ("exclusiveMinimum", -1), ("minimum", -1)):
        if keyword not in schema:
            continue
        edge = schema[keyword]
        step = max(abs(edge) * 1e-9, 1e-3)
        if keyword.startswith("exclusive"):
            inside.append(edge - sign * step)
            outside.append(edge)
        else:
            inside.append(edge)
            outside.append(edge + sign * step)
    return inside, outside


def test_the_documented_number_ranges_are_the_ones_the_server_applies(client, token):
    schemas = openapi_schema()["components"]["schemas"]
    value = schemas["SensorEvent"]["properties"]["value"]
    inside, outside = _edges(value)
    assert inside
    assert outside
    assert all(math.isfinite(edge) for edge in inside + outside)
    for n, number in enumerate(inside):
        result = _post_one(client, token, f"v-in-{n}", kind="sensor", tag="temperature",
                           time=(AT + dt.timedelta(seconds=n)).isoformat(), value=number)
        assert result["accepted"] == 1, (number, result)
    for n, number in enumerate(outside):
        result = _post_one(client, token, f"v-out-{n}", kind="sensor", tag="temperature",
                           time=(AT + dt.timedelta(minutes=1, seconds=n)).isoformat(), value=number)
        assert result["rejected"] == 1, (number, result)
        assert result["errors"][0]["field"] == "value", (number, result)

    produced = schemas["ProductionEvent"]["properties"]["produced_qty"]
    inside, outside = _edges(produced)
    for n, number in enumerate(inside):
        start = AT + dt.timedelta(hours=1 + n)
        result = _post_one(client, token, f"q-in-{n}", kind="production", product=PRODUCT,
                           started_at=start.isoformat(), ended_at=(start + dt.timedelta(minutes=30)).isoformat(),
                           produced_qty=number, good_qty=0)
        assert result["accepted"] == 1, (number, result)
    for n, number in enumerate(outside):
        start = AT + dt.timedelta(hours=5 + n)
        result = _post_one(client, token, f"q-out-{n}", kind="production", product=PRODUCT,
                           started_at=start.isoformat(), ended_at=(start + dt.timedelta(minutes=30)).isoformat(),
                           produced_qty=number, good_qty=0)
        assert result["rejected"] == 1, (number, result)
        assert result["errors"][0]["field"] == "produced_qty", (number, result)
