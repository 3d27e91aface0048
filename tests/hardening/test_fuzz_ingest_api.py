"""Fuzzing the ingest API over real HTTP on a live test server, from its own OpenAPI document.

Events are generated from the document's event schemas (`from_schema`, for the subset of JSON Schema
the document uses), then some fields are
swapped for hostile values (out-of-range numbers, instants outside the calendar, NUL, unpaired
surrogates, wrong types) and some for known codes, so items also reach the checks behind the code
lookups. Every response must be 200 or a 4xx problem, never a 500, and the batch must write exactly
the rows it reports as accepted: a rejected item leaves nothing behind.
"""

import datetime as dt
import json
import logging
import math
import os
import urllib.error
import urllib.request
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devdata.simulation.reference import ensure_reference
from equipment.models import Equipment
from mfgplatform.models import IngestToken
from production.models import FactProduction, PlannedRunTime, Product
from reliability.models import FactDowntime, FactSensorEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("keep_reference_data")]

# Requests per run; each carries 1 to 4 events. FUZZ_EXAMPLES raises it for a longer campaign.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
UNIT, PRODUCT, DAY = "FZ-UNIT", "FZ-P", dt.date(2026, 1, 7)

HOSTILE = [1e200, -1e200, 10**400, 2**63, 1e12, 99_999_999_999.9999, -1, 192.0, True, None, "", "\x00", "a\x00b",
           "\ud800", "x" * 5000, [], {}, {"a": [1]}, "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
           "2026-01-07T08:00:00", "2026-02-30T08:00:00Z", "NaN", "yesterday", "DELAY", "FAIL-BRD", UNIT, PRODUCT]
VALID_TIMES = st.builds(lambda s: (dt.datetime(2026, 1, 7, 6, tzinfo=dt.UTC) + dt.timedelta(seconds=s)).isoformat(),
                        st.integers(0, 86_399))


def from_schema(schema: dict) -> st.SearchStrategy:
    """Values valid against `schema`, for the keywords the ingest document uses (object, string with
    lengths and date-time format, number or integer with their ranges, const, enum)."""
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {name: from_schema(sub) for name, sub in properties.items() if name in required},
            optional={name: from_schema(sub) for name, sub in properties.items() if name not in required})
    if kind == "string" and schema.get("format") == "date-time":
        return st.datetimes(timezones=st.timezones()).map(lambda value: value.isoformat())
    if kind == "string":
        return st.text(min_size=schema.get("minLength", 0), max_size=schema.get("maxLength", 80))
    if kind in ("number", "integer"):
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        if kind == "integer":
            return st.integers(min_value=low, max_value=high)
        return st.one_of(
            st.integers(min_value=None if low is None else math.ceil(low),
                        max_value=None if high is None else math.floor(high) - ("exclusiveMaximum" in schema)),
            st.floats(min_value=low, max_value=high, exclude_min="exclusiveMinimum" in schema,
                      exclude_max="exclusiveMaximum" in schema, allow_nan=False, allow_infinity=False))
    raise ValueError(f"from_schema does not handle {schema}")


def _post(url: str, body: bytes, token: str) -> tuple[int, dict]:
    """Status and JSON body; an error status must come as problem+json."""
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        status, content_type, payload = error.code, error.headers["Content-Type"], error.read()
    assert content_type == "application/problem+json", payload[:300]
    return status, json.loads(payload)


def _rows() -> int:
    return FactSensorEvent.objects.count() + FactProduction.objects.count() + FactDowntime.objects.count()


def _events(document: dict):
    schemas = document["components"]["schemas"]
    kinds = [from_schema(schemas[name]) for name in ("SensorEvent", "ProductionEvent", "DowntimeStartEvent")]

    @st.composite
    def event(draw):
        item = dict(draw(st.one_of(kinds)))
        for name in list(item):
            if name in ("time", "started_at", "at") and draw(st.booleans()):
                item[name] = draw(VALID_TIMES)
            if name == "equipment" and draw(st.integers(0, 3)):
                item[name] = UNIT
            if name == "product" and draw(st.integers(0, 3)):
                item[name] = PRODUCT
            if draw(st.integers(0, 5)) == 0:
                item[name] = draw(st.sampled_from(HOSTILE))
        if "started_at" in item and isinstance(item["started_at"], str) and draw(st.booleans()):
            item["ended_at"] = item["started_at"].replace("T06:", "T23:")
        return item

    return st.lists(event(), min_size=1, max_size=4)


def test_generated_batches_never_cause_a_server_error_and_rejects_write_nothing(live_server):
    reference = ensure_reference(DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1))
    unit = Equipment.objects.create(code=UNIT, name="Press", taxonomy_level=6, path=UNIT,
                                    equipment_class=reference.classes["XM"])
    product = Product.objects.create(code=PRODUCT, name="Cap", unit=reference.piece)
    PlannedRunTime.objects.create(product=product, equipment=unit, valid_from=DAY, pri_seconds=Decimal("12"))
    token = IngestToken.issue("fuzz-gateway")[1]
    with urllib.request.urlopen(f"{live_server.url}/api/ingest/v1/openapi.json") as response:
        document = json.loads(response.read())
    url = live_server.url + next(iter(document["paths"]))
    statuses: dict[int, int] = {}

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(events=_events(document))
    def one_batch(events):
        before = _rows()
        status, body = _post(url, json.dumps({"events": events}).encode(), token)
        statuses[status] = statuses.get(status, 0) + 1
        assert status in (200, 400), body
        if status == 200:
            assert body["accepted"] + body["duplicates"] + body["rejected"] == len(events)
            assert _rows() - before == body["accepted"], body
        else:
            assert _rows() == before

    one_batch()
    logging.getLogger(__name__).warning("fuzzed ingest API: %d requests, statuses %s", sum(statuses.values()),
                                        statuses)
    assert statuses.get(200, 0) > 0
