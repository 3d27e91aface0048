"""Machine events pushed by data sources: validation per item, idempotent landing per event id.

A batch is a list of events of four kinds — `sensor` readings, `production` counts,
`downtime_start` and `downtime_stop`. Each item is checked on its own; valid items land, invalid
ones come back with the field and the reason. Each event carries the source's own `event_id`:
the first delivery lands, a repeated one is acknowledged as a duplicate and changes nothing, so a
source can resend a batch after a timeout without double counting.

Production counts and downtime events are deduplicated on their event id: a receipt per id
(`ingest_event_receipt`, kept INGEST_RECEIPT_RETENTION_DAYS) is written in the same transaction as
the fact. A sensor reading's identity is its unit, tag and instant, which the hypertable's unique key
already enforces, so a replayed reading is recognised by that key and no receipt is stored: at sensor
rates a receipt per reading would cost more storage than the reading itself. Sensor readings travel
to the server in one binary COPY into a session-temporary staging table and land with one statement;
production counts land with one set-based statement per batch; downtime starts and stops are applied
in order, each in its own savepoint, because a stop closes the start before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from psycopg import errors as pg_errors

from mfgplatform import bounds, calendar
from mfgplatform.models import IngestToken

from ..aggregates.calendar_settings import ensure_plant_calendar
from .facts import fact_formats, model_of_table, production_day, shift_at

MAX_BATCH = 10_000
KINDS = ("sensor", "production", "downtime_start", "downtime_stop")


@cache
def sensor_qualities() -> tuple[tuple[int, ...], int]:
    """The quality codes a reading may carry and the one it gets without any, as the reliability app's
    model field declares them (reliability.choices.SensorQuality)."""
    field = model_of_table("fact_sensor_event")._meta.get_field("quality")
    return tuple(code for code, _ in field.choices), int(field.default)


class BatchError(ValueError):
    """The request as a whole is unusable (not a JSON object with an events list, too large)."""


@dataclass(frozen=True)
class ItemError:
    index: int
    event_id: str | None
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "event_id": self.event_id, "field": self.field, "message": self.message}


@dataclass
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    errors: list[ItemError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": len({error.index for error in self.errors}),
            "errors": [error.as_dict() for error in self.errors],
        }


class _Invalid(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field, self.message = field_name, message


# --- field parsing -----------------------------------------------------------------------------


def _text(item: dict, name: str, *, max_length: int, required: bool = True) -> str:
    raw = item.get(name)
    if raw is None or raw == "":
        if required:
            raise _Invalid(name, "is required")
        return ""
    if not isinstance(raw, str):
        raise _Invalid(name, "must be a string")
    if len(raw) > max_length:
        raise _Invalid(name, f"is longer than {max_length} characters")
    if reason := bounds.text_reason(raw):
        raise _Invalid(name, reason)
    return raw


def _instant(item: dict, name: str, window: bounds.TimeWindow) -> dt.datetime:
    raw = _text(item, name, max_length=40)
    try:
        instant = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise _Invalid(name, "is not an ISO 8601 timestamp") from None
    if instant.tzinfo is None:
        raise _Invalid(name, "has no UTC offset (end it with Z or e.g. +01:00)")
    if reason := window.reason(instant):
        raise _Invalid(name, reason)
    return instant


def _number(item: dict, name: str, bound: bounds.NumberBound, *, required: bool = True) -> float | int | None:
    raw = item.get(name)
    if raw is None:
        if required:
            raise _Invalid(name, "is required")
        return None
    if bounds.to_number(raw) is None:
        raise _Invalid(name, "must be a finite number")
    if reason := bound.reason(raw):
        raise _Invalid(name, reason)
    return raw


def _code(item: dict, name: str, known: dict[str, int]) -> int:
    code = _text(item, name, max_length=64)
    if code not in known:
        raise _Invalid(name, f"unknown code {code!r}")
    return known[code]


@cache
def number_bounds() -> dict[str, bounds.NumberBound]:
    """The bounds of the numbers an event carries, from the columns that store them."""
    production = model_of_table("fact_production")
    quantities = {name: bounds.field_bound(production, name, nonnegative=True)
                  for name in ("produced_qty", "good_qty", "scrap_qty", "rework_qty")}
    return {"value": bounds.field_bound(model_of_table("fact_sensor_event"), "value"), **quantities}


# --- master data the batch refers to -------------------------------------------------------------


@dataclass(frozen=True)
class _Codes:
    equipment: dict[str, int]
    products: dict[str, int]
    reasons: dict[str, int]
    reason_groups: set[str]
    calendar_days: set[dt.date]
    window: bounds.TimeWindow
    # (product, equipment, production day) -> whether a planned run time applies, asked once per batch
    priced: dict[tuple[int, int, dt.date], bool] = field(default_factory=dict)

    def has_planned_run_time(self, product: int, equipment: int, day: dt.date) -> bool:
        """Whether the planned-run-time lookup the insert uses (production/sql/planned_run_time) finds one."""
        key = (product, equipment, day)
        if key not in self.priced:
            with connection.cursor() as cursor:
                cursor.execute("SELECT mfg_planned_run_time(%s, %s, %s) IS NOT NULL", list(key))
                self.priced[key] = cursor.fetchone()[0]
        return self.priced[key]


def _codes(events: list[Any]) -> _Codes:
    def wanted(name: str) -> list[str]:
        # Only storable text goes to the database; the rest is refused item by item in _text.
        return list({e.get(name) for e in events if isinstance(e, dict) and isinstance(e.get(name), str)
                     and bounds.text_reason(e.get(name)) is None})

    with connection.cursor() as cursor:
        cursor.execute("SELECT code, id FROM dim_equipment WHERE code = ANY(%s) AND taxonomy_level = 6",
                       [wanted("equipment")])
        equipment = dict(cursor.fetchall())
        cursor.execute("SELECT code, id FROM dim_product WHERE code = ANY(%s)", [wanted("product")])
        products = dict(cursor.fetchall())
        # Facts book leaves: a group is any reason with children, whatever its time category says.
        cursor.execute(
            """SELECT code, id, time_category = '' OR EXISTS (
                          SELECT 1 FROM dim_downtime_reason child WHERE child.parent_id = r.id)
                 FROM dim_downtime_reason r WHERE code = ANY(%s)""",
            [wanted("reason")],
        )
        found = cursor.fetchall()
        reasons = {code: pk for code, pk, is_group in found if not is_group}
        groups = {code for code, _, is_group in found if is_group}
        cursor.execute("SELECT date FROM dim_date WHERE date >= now()::date - 3660 AND date <= now()::date + 366")
        days = {row[0] for row in cursor.fetchall()}
    return _Codes(equipment, products, reasons, groups, days, bounds.time_window())


# --- the batch ---------------------------------------------------------------------------------


@dataclass
class _Parsed:
    index: int
    event_id: str
    kind: str
    values: dict[str, Any]


def _parse(index: int, item: Any, codes: _Codes, tz, day_start) -> _Parsed:
    if not isinstance(item, dict):
        raise _Invalid("", "an event must be a JSON object")
    event_id = _text(item, "event_id", max_length=100)
    kind = item.get("kind")
    if kind not in KINDS:
        raise _Invalid("kind", f"must be one of {', '.join(KINDS)}")
    values: dict[str, Any] = {"equipment": _code(item, "equipment", codes.equipment)}
    window, limits = codes.window, number_bounds()
    if kind == "sensor":
        values["time"] = _instant(item, "time", window)
        values["tag"] = _text(item, "tag", max_length=64)
        values["value"] = float(_number(item, "value", limits["value"]))
        qualities, default_quality = sensor_qualities()
        quality = item.get("quality", default_quality)
        # Exactly an integer: 192.0 equals 192 but is not a quality code.
        if type(quality) is not int or quality not in qualities:
            raise _Invalid("quality", f"must be one of {', '.join(map(str, qualities))}")
        values["quality"] = quality
    elif kind == "production":
        values["product"] = _code(item, "product", codes.products)
        values["started_at"] = _instant(item, "started_at", window)
        values["ended_at"] = _instant(item, "ended_at", window)
        if values["ended_at"] <= values["started_at"]:
            raise _Invalid("ended_at", "is not after started_at")
        for name in ("produced_qty", "good_qty"):
            values[name] = _number(item, name, limits[name])
        for name in ("scrap_qty", "rework_qty"):
            values[name] = _number(item, name, limits[name], required=False) or 0
        if values["good_qty"] + values["scrap_qty"] + values["rework_qty"] > values["produced_qty"]:
            raise _Invalid("produced_qty", "is less than good + scrap + rework")
        values["order_number"] = _text(item, "order_number", max_length=64, required=False)
        day = calendar.production_date(values["started_at"], tz, day_start)
        if not codes.has_planned_run_time(values["product"], values["equipment"], day):
            raise _Invalid("product", "no planned run time is recorded for this product and equipment")
        _check_calendar(values["started_at"], "started_at", codes, tz, day_start)
    else:
        values["at"] = _instant(item, "at", window)
        if kind == "downtime_start":
            if isinstance(item.get("reason"), str) and item["reason"] in codes.reason_groups:
                raise _Invalid("reason", "is a reason group; book a leaf reason")
            values["reason"] = _code(item, "reason", codes.reasons)
            _check_calendar(values["at"], "at", codes, tz, day_start)
    return _Parsed(index, event_id, kind, values)


def _check_calendar(instant: dt.datetime, name: str, codes: _Codes, tz, day_start) -> None:
    if calendar.production_date(instant, tz, day_start) not in codes.calendar_days:
        raise _Invalid(name, "falls on a production day that dim_date does not hold")


def ingest_batch(token: IngestToken, payload: Any) -> BatchResult:
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise BatchError('the body must be a JSON object with an "events" list')
    events = payload["events"]
    if not 1 <= len(events) <= MAX_BATCH:
        raise BatchError(f"a batch holds 1 to {MAX_BATCH} events, this one {len(events)}")
    result = BatchResult()
    ensure_plant_calendar()  # refuses (CalendarSettingsChanged) while the plant calendar is being changed
    codes = _codes(events)
    tz, day_start = ZoneInfo(settings.PLANT_TIME_ZONE), calendar.parse_clock(settings.PRODUCTION_DAY_START)
    parsed: list[_Parsed] = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(events):
        event_id = item.get("event_id") if isinstance(item, dict) else None
        try:
            event = _parse(index, item, codes, tz, day_start)
            if event.event_id in first_index:
                raise _Invalid("event_id", f"repeats the event_id of item {first_index[event.event_id]}")
            first_index[event.event_id] = index
            parsed.append(event)
        except _Invalid as invalid:
            result.errors.append(ItemError(index, event_id if isinstance(event_id, str) else None,
                                           invalid.field, invalid.message))
    with transaction.atomic():
        sensor = [event for event in parsed if event.kind == "sensor"]
        fresh_sensor = _land_sensor(sensor)
        production = [event for event in parsed if event.kind == "production"]
        new_ids = _receive(token, [event.event_id for event in production])
        fresh_production = [event for event in production if event.event_id in new_ids]
        _land_production(fresh_production)
        result.accepted += fresh_sensor + len(fresh_production)
        result.duplicates += len(sensor) - fresh_sensor + len(production) - len(fresh_production)
        for event in parsed:
            if event.kind.startswith("downtime"):
                _apply_downtime(token, event, result)
        IngestToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    result.errors.sort(key=lambda error: error.index)
    return result


def _binding_cursor():
    """A psycopg cursor with server-side parameter binding: arrays of thousands of values travel as
    parameters instead of being rendered into the SQL text, as Django's client-side cursor does."""
    connection.ensure_connection()
    return connection.connection.cursor()


def _receive(token: IngestToken, event_ids: Iterable[str]) -> set[str]:
    """Records the event ids; returns those not seen before."""
    event_ids = list(event_ids)
    if not event_ids:
        return set()
    with _binding_cursor() as cursor:
        cursor.execute(
            """INSERT INTO ingest_event_receipt (token_id, event_id, received_at)
               SELECT %s, unnest(%s::text[]), now() ON CONFLICT DO NOTHING RETURNING event_id""",
            [token.pk, event_ids],
        )
        return {row[0] for row in cursor.fetchall()}


SENSOR_STAGING = """
    CREATE TEMP TABLE IF NOT EXISTS ingest_sensor_readings (
        time timestamptz NOT NULL, equipment_id bigint NOT NULL, tag text NOT NULL,
        value float8 NOT NULL, quality smallint NOT NULL) ON COMMIT DELETE ROWS;
    TRUNCATE ingest_sensor_readings"""
SENSOR_STAGING_TYPES = ("timestamptz", "int8", "text", "float8", "int2")

# The usual batch is all new: its readings go in with a plain insert, which costs about two thirds
# of a conflict-checking one. A unique violation means a reading already stored (a resent batch);
# that attempt is rolled back to its savepoint and the careful statement lands only the new readings.
# Either way the time range of the readings landed goes to the reliability app's record of sensor
# writes (the sensor format's `record_writes`), for the next pass of the hourly sensor aggregate.
SENSOR_LAND = """
    WITH landed AS (
        INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality)
        SELECT time, equipment_id, tag, value, quality FROM ingest_sensor_readings {conflict}
        RETURNING time)
    SELECT count(*), min(time), max(time) FROM landed"""
SENSOR_LAND_ALL = SENSOR_LAND.format(conflict="")
SENSOR_LAND_NEW = SENSOR_LAND.format(conflict="ON CONFLICT DO NOTHING")


def _land_sensor(events: list[_Parsed]) -> int:
    """Lands the readings not stored before; returns their number. A binary COPY costs a fraction of
    sending the same values as bound arrays."""
    if not events:
        return 0
    with _binding_cursor() as cursor:
        # Emptied first as well: a caller's outer transaction may hold an earlier batch's rows.
        cursor.execute(SENSOR_STAGING)
        with cursor.copy("COPY ingest_sensor_readings FROM STDIN (FORMAT binary)") as copy:
            copy.set_types(SENSOR_STAGING_TYPES)
            for event in events:
                values = event.values
                copy.write_row((values["time"], values["equipment"], values["tag"], values["value"],
                                values["quality"]))
        try:
            with transaction.atomic():
                cursor.execute(SENSOR_LAND_ALL)
                landed, low, high = cursor.fetchone()
        except pg_errors.UniqueViolation:
            cursor.execute(SENSOR_LAND_NEW)
            landed, low, high = cursor.fetchone()
    fact_formats()["sensor_event"].record_writes(low, high)
    return landed


PRODUCTION_INSERT = f"""
    INSERT INTO fact_production (equipment_id, product_id, date_key, shift_id, started_at, ended_at, order_number,
        produced_qty, good_qty, scrap_qty, rework_qty, planned_scrap_qty, pri_seconds, load_batch)
    SELECT x.equipment_id, x.product_id, to_char({production_day('x.started_at')}, 'YYYYMMDD')::int,
           {shift_at('x.started_at')}, x.started_at, x.ended_at, x.order_number, x.produced, x.good, x.scrap,
           x.rework, 0,
           mfg_planned_run_time(x.product_id, x.equipment_id, {production_day('x.started_at')}), NULL
      FROM unnest(%(equipment)s::bigint[], %(product)s::bigint[], %(started)s::timestamptz[],
                  %(ended)s::timestamptz[], %(order)s::text[], %(produced)s::numeric[], %(good)s::numeric[],
                  %(scrap)s::numeric[], %(rework)s::numeric[])
           AS x(equipment_id, product_id, started_at, ended_at, order_number, produced, good, scrap, rework)"""


def _land_production(events: list[_Parsed]) -> None:
    if not events:
        return

    def column(name: str) -> list[Any]:
        return [event.values[name] for event in events]

    with connection.cursor() as cursor:
        cursor.execute(
            PRODUCTION_INSERT,
            {
                "tz": settings.PLANT_TIME_ZONE, "day_start": settings.PRODUCTION_DAY_START,
                "equipment": column("equipment"), "product": column("product"), "started": column("started_at"),
                "ended": column("ended_at"), "order": column("order_number"), "produced": column("produced_qty"),
                "good": column("good_qty"), "scrap": column("scrap_qty"), "rework": column("rework_qty"),
            },
        )


DOWNTIME_START = f"""
    INSERT INTO fact_downtime (equipment_id, reason_id, date_key, shift_id, started_at, failure_mode_id,
        failure_impact, work_order, comment)
    SELECT %(equipment)s, r.id, to_char({production_day('%(at)s::timestamptz')}, 'YYYYMMDD')::int,
           {shift_at('%(at)s::timestamptz')}, %(at)s, r.failure_mode_id, r.failure_impact, '', ''
      FROM dim_downtime_reason r WHERE r.id = %(reason)s"""


def _apply_downtime(token: IngestToken, event: _Parsed, result: BatchResult) -> None:
    equipment, at = event.values["equipment"], event.values["at"]
    try:
        with transaction.atomic():
            if not _receive(token, [event.event_id]):
                result.duplicates += 1
                return
            with connection.cursor() as cursor:
                if event.kind == "downtime_start":
                    cursor.execute(
                        """SELECT started_at FROM fact_downtime WHERE equipment_id = %s
                            AND coalesce(ended_at, 'infinity') > %s ORDER BY started_at LIMIT 1""",
                        [equipment, at],
                    )
                    clash = cursor.fetchone()
                    if clash:
                        raise _Invalid("at", f"overlaps downtime of this equipment from {clash[0].isoformat()}")
                    cursor.execute(DOWNTIME_START, {
                        "equipment": equipment, "reason": event.values["reason"], "at": at,
                        "tz": settings.PLANT_TIME_ZONE, "day_start": settings.PRODUCTION_DAY_START,
                    })
                else:
                    cursor.execute(
                        """UPDATE fact_downtime SET ended_at = %(at)s
                            WHERE id = (SELECT id FROM fact_downtime WHERE equipment_id = %(equipment)s
                                          AND ended_at IS NULL ORDER BY started_at DESC LIMIT 1)
                              AND started_at < %(at)s""",
                        {"equipment": equipment, "at": at},
                    )
                    if cursor.rowcount != 1:
                        raise _Invalid("at", "no open downtime of this equipment started before this instant")
            result.accepted += 1
    except _Invalid as invalid:
        result.errors.append(ItemError(event.index, event.event_id, invalid.field, invalid.message))
    except IntegrityError as error:
        result.errors.append(ItemError(event.index, event.event_id, "", f"refused by the database: {error}"))
