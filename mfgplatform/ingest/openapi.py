"""The OpenAPI 3.1 description of the ingest API, served at /api/ingest/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from .events import KINDS, MAX_BATCH, number_bounds, sensor_qualities

_TIMESTAMP = {"type": "string", "format": "date-time",
              "description": "ISO 8601 with a UTC offset (Z or ±hh:mm), within the plant calendar (dim_date) and "
                             "no later than now plus INGEST_FUTURE_TOLERANCE_SECONDS."}
_CODE = {"type": "string", "maxLength": 64}


def _event(kind: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": ["event_id", "kind", "equipment", *required],
        "properties": {
            "event_id": {"type": "string", "minLength": 1, "maxLength": 100,
                         "description": "Unique per data source. A production or downtime event whose id was "
                                        "received before (within INGEST_RECEIPT_RETENTION_DAYS) is acknowledged "
                                        "and ignored; a sensor reading is recognised by equipment, tag and time."},
            "kind": {"const": kind},
            "equipment": {**_CODE, "description": "Code of an equipment unit (taxonomy level 6)."},
            **properties,
        },
    }


def openapi_schema(server_url: str = "/") -> dict[str, Any]:
    qualities, default_quality = sensor_qualities()
    # Each number's range is its storing column's, as the server checks it (mfgplatform.bounds).
    limits = {name: {"type": "number", **bound.json_schema()} for name, bound in number_bounds().items()}
    events = {
        "SensorEvent": _event("sensor", "A condition-monitoring reading.", {
            "time": _TIMESTAMP,
            "tag": {"type": "string", "maxLength": 64, "examples": ["temperature"]},
            "value": {**limits["value"], "description": "Finite; NaN and infinities are refused."},
            "quality": {"enum": list(qualities), "default": default_quality,
                        "description": "OPC quality: bad, uncertain, good."},
        }, ["time", "tag", "value"]),
        "ProductionEvent": _event("production", "Units produced in a run (PQ = GQ + SQ + RQ at most).", {
            "product": _CODE,
            "started_at": _TIMESTAMP,
            "ended_at": _TIMESTAMP,
            "produced_qty": limits["produced_qty"],
            "good_qty": limits["good_qty"],
            "scrap_qty": {**limits["scrap_qty"], "default": 0},
            "rework_qty": {**limits["rework_qty"], "default": 0},
            "order_number": {"type": "string", "maxLength": 64},
        }, ["product", "started_at", "ended_at", "produced_qty", "good_qty"]),
        "DowntimeStartEvent": _event("downtime_start", "The unit stopped; opens a downtime.", {
            "reason": {**_CODE, "description": "Leaf code of the downtime reason tree, e.g. FAIL-BRD."},
            "at": _TIMESTAMP,
        }, ["reason", "at"]),
        "DowntimeStopEvent": _event("downtime_stop", "The unit runs again; closes its open downtime.", {
            "at": _TIMESTAMP,
        }, ["at"]),
    }
    problem = {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mfgplatform ingest API",
            "version": "1.0.0",
            "description": (
                "Machine events in JSON batches. Each item is validated on its own: valid items land, invalid "
                "ones are listed in `errors`. Delivery is idempotent: production and downtime events per "
                "`event_id` and data source, sensor readings per equipment, tag and time. A batch lands in one "
                "transaction: on 503 nothing of it landed and the client resends it unchanged after "
                "`Retry-After` seconds."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"sourceToken": []}],
        "paths": {
            "/api/ingest/v1/events": {
                "post": {
                    "operationId": "ingestEvents",
                    "summary": f"Deliver a batch of 1 to {MAX_BATCH} events",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/Batch"}}}},
                    "responses": {
                        "200": {"description": "Batch processed; see `errors` for rejected items.",
                                "content": {"application/json": {"schema": {
                                    "$ref": "#/components/schemas/BatchResult"}}}},
                        "400": {"description": "Not JSON, or not a batch.", **problem},
                        "401": {"description": "Missing, unknown or inactive token.", **problem},
                        "413": {"description": "Body too large.", **problem},
                        "500": {"description": "A defect of the server; report it. Nothing of the batch "
                                               "landed. Resending may fail again.", **problem},
                        "503": {
                            "description": (
                                "A transient database fault (connection lost, server shutting down or starting, "
                                "lock or statement timeout, deadlock, disk or memory exhausted). The batch is one "
                                "transaction: it was rolled back as a whole (or, for a connection lost during the "
                                "commit itself, landed as a whole). Resend the same batch, with the "
                                "same event ids, after `Retry-After` seconds; events that did land before are "
                                "acknowledged as duplicates, so a resend never counts twice. Back off "
                                "exponentially if the fault persists."
                            ),
                            "headers": {"Retry-After": {
                                "description": "Seconds to wait before resending the same batch.",
                                "schema": {"type": "integer", "minimum": 1}}},
                            **problem,
                        },
                    },
                }
            },
            "/api/ingest/v1/openapi.json": {
                "get": {"operationId": "ingestSchema", "summary": "This document", "security": [],
                        "responses": {"200": {"description": "OpenAPI 3.1 document"}}}
            },
        },
        "components": {
            "securitySchemes": {
                "sourceToken": {"type": "http", "scheme": "bearer",
                                "description": "One token per data source (manage.py create_ingest_token)."}
            },
            "schemas": {
                **events,
                "Batch": {
                    "type": "object",
                    "required": ["events"],
                    "properties": {"events": {
                        "type": "array", "minItems": 1, "maxItems": MAX_BATCH,
                        "items": {
                            "oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in events],
                            "discriminator": {"propertyName": "kind", "mapping": {
                                kind: f"#/components/schemas/{name}" for kind, name in zip(KINDS, events, strict=True)
                            }},
                        },
                    }},
                },
                "BatchResult": {
                    "type": "object",
                    "required": ["accepted", "duplicates", "rejected", "errors"],
                    "properties": {
                        "accepted": {"type": "integer", "description": "Events that landed now."},
                        "duplicates": {"type": "integer",
                                       "description": "Events received before (readings stored before); ignored."},
                        "rejected": {"type": "integer"},
                        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ItemError"}},
                    },
                },
                "ItemError": {
                    "type": "object",
                    "required": ["index", "event_id", "field", "message"],
                    "properties": {
                        "index": {"type": "integer", "description": "Position of the item in `events`, from 0."},
                        "event_id": {"type": ["string", "null"]},
                        "field": {"type": "string"},
                        "message": {"type": "string"},
                    },
                },
                "Problem": {
                    "type": "object",
                    "description": "RFC 9457 problem details.",
                    "properties": {"title": {"type": "string"}, "status": {"type": "integer"},
                                   "detail": {"type": "string"},
                                   "cause": {"type": "string", "description": "503 only: the kind of fault, "
                                             "e.g. connection_lost, server_shutdown, lock_timeout, disk_full."},
                                   "retryable": {"type": "boolean",
                                                 "description": "503 only: resending the same batch is safe."}},
                },
            },
        },
    }
