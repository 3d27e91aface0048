"""COPY of simulated facts into the fact tables (psycopg 3 through Django's connection).

Relational facts go through `Copy.write_row` (text format, psycopg adapts the values). Sensor
readings, the bulk of the volume, are encoded straight from numpy into PostgreSQL's binary COPY
format — one structured array per tag, since a tag's name has a fixed length — so generating a
reading costs a few nanoseconds and the server's insert path is the only limit.
"""

from __future__ import annotations

import datetime as dt
import struct
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection

from reliability.sensor_aggregate import record_sensor_writes

from .process import Timeline
from .quality import QualityRecords
from .reference import Reference
from .sensors import SensorSeries

PG_EPOCH = 946_684_800  # 2000-01-01T00:00:00Z, the zero of PostgreSQL's binary timestamps
BINARY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
BINARY_TRAILER = struct.pack(">h", -1)

PRODUCTION_COLUMNS = (
    "id", "equipment_id", "product_id", "date_key", "shift_id", "started_at", "ended_at", "order_number",
    "planned_order_qty", "produced_qty", "good_qty", "scrap_qty", "rework_qty", "planned_scrap_qty",
    "pri_seconds", "load_batch",
)
DOWNTIME_COLUMNS = (
    "equipment_id", "reason_id", "date_key", "shift_id", "started_at", "ended_at", "failure_mode_id",
    "failure_mechanism_id", "failure_cause_id", "failure_impact", "detection_method_id",
    "maintenance_activity_id", "active_repair_minutes", "work_order", "comment", "load_batch",
)
QUALITY_COLUMNS = (
    "kind", "inspected_at", "equipment_id", "product_id", "date_key", "shift_id", "lot_code", "defect_type_id",
    "inspected_qty", "defective_qty", "defect_count", "first_pass_good_qty", "characteristic", "measured_value",
    "lower_spec_limit", "upper_spec_limit", "target_value", "unit_id", "subgroup", "load_batch",
)
SCRAP_COLUMNS = (
    "occurred_at", "equipment_id", "product_id", "date_key", "shift_id", "reason_id", "quantity", "unit_id",
    "is_planned", "disposition", "cost", "currency", "production_run_id", "load_batch",
)
SENSOR_COLUMNS = ("time", "equipment_id", "tag", "value", "quality")


def utc(epoch_seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch_seconds, dt.UTC)


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    count = 0
    with connection.cursor() as cursor:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def sensor_copy_block(equipment_id: int, series: SensorSeries) -> bytes:
    """The binary COPY tuples of one tag's readings (without signature and trailer)."""
    tag = series.tag.encode()
    record = np.dtype(
        [
            ("fields", ">i2"),
            ("time_len", ">i4"), ("time", ">i8"),
            ("equipment_len", ">i4"), ("equipment", ">i8"),
            ("tag_len", ">i4"), ("tag", f"S{len(tag)}"),
            ("value_len", ">i4"), ("value", ">f8"),
            ("quality_len", ">i4"), ("quality", ">i2"),
        ]
    )
    block = np.empty(len(series), dtype=record)
    block["fields"] = len(SENSOR_COLUMNS)
    block["time_len"], block["time"] = 8, (series.times - PG_EPOCH) * 1_000_000
    block["equipment_len"], block["equipment"] = 8, equipment_id
    block["tag_len"], block["tag"] = len(tag), tag
    block["value_len"], block["value"] = 8, series.values
    block["quality_len"], block["quality"] = 2, series.quality
    return block.tobytes()


def copy_sensor_series(equipment_id: int, series_list: Sequence[SensorSeries]) -> int:
    """COPYs the readings and records their time range for the hourly aggregate's next pass."""
    with connection.cursor() as cursor:
        statement = f"COPY fact_sensor_event ({', '.join(SENSOR_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
        with cursor.cursor.copy(statement) as copy:
            copy.write(BINARY_SIGNATURE)
            for series in series_list:
                copy.write(sensor_copy_block(equipment_id, series))
            copy.write(BINARY_TRAILER)
    written = [series.times for series in series_list if len(series)]
    if written:
        record_sensor_writes(utc(int(min(times.min() for times in written))),
                             utc(int(max(times.max() for times in written))))
    return sum(len(series) for series in series_list)


def reserve_ids(table: str, count: int) -> list[int]:
    """Takes `count` values of the table's id sequence, so child rows can reference them in COPY."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
        )
        return [row[0] for row in cursor.fetchall()]


@dataclass
class FactWriter:
    """Writes one unit's simulated facts, translating business codes into the database's ids."""

    reference: Reference
    equipment_ids: dict[str, int]
    product_ids: dict[str, int]
    load_batch: uuid.UUID

    def __post_init__(self) -> None:
        self.shift_ids = {shift.code: shift.id for shift in self.reference.shifts}
        self.reason_ids = {code: row.id for code, row in self.reference.reasons.items()}
        self.defect_ids = {code: row.id for code, row in self.reference.defect_types.items()}
        codes = self.reference.codes
        self.mode_ids = {code: row.id for code, row in codes.failure_modes.items()}
        self.mechanism_ids = {code: row.id for code, row in codes.mechanisms.items()}
        self.cause_ids = {code: row.id for code, row in codes.causes.items()}
        self.detection_ids = {code: row.id for code, row in codes.detection_methods.items()}
        self.activity_ids = {code: row.id for code, row in codes.activities.items()}

    def write(self, timeline: Timeline, quality: QualityRecords, sensors: Sequence[SensorSeries]) -> dict[str, int]:
        equipment_id = self.equipment_ids[timeline.unit.code]
        run_ids = dict(
            zip(map(id, timeline.production), reserve_ids("fact_production", len(timeline.production)), strict=True)
        )
        return {
            "fact_production": copy_rows("fact_production", PRODUCTION_COLUMNS,
                                         self._production_rows(timeline, equipment_id, run_ids)),
            "fact_downtime": copy_rows("fact_downtime", DOWNTIME_COLUMNS, self._downtime_rows(timeline, equipment_id)),
            "fact_quality": copy_rows("fact_quality", QUALITY_COLUMNS, self._quality_rows(quality, equipment_id)),
            "fact_scrap": copy_rows("fact_scrap", SCRAP_COLUMNS, self._scrap_rows(quality, equipment_id, run_ids)),
            "fact_sensor_event": copy_sensor_series(equipment_id, sensors),
        }

    def _production_rows(self, timeline, equipment_id, run_ids):
        for run in timeline.production:
            yield (
                run_ids[id(run)], equipment_id, self.product_ids[run.product], run.window.date_key,
                self.shift_ids[run.window.shift], utc(run.start), utc(run.end), run.order_number, run.order_qty,
                run.produced, run.good, run.scrap, run.rework, run.planned_scrap, run.pri_seconds, self.load_batch,
            )

    def _downtime_rows(self, timeline, equipment_id):
        for row in timeline.downtime:
            failure = row.failure
            yield (
                equipment_id, self.reason_ids[row.reason], row.window.date_key, self.shift_ids[row.window.shift],
                utc(row.start), utc(row.end),
                self.mode_ids[failure.mode] if failure else None,
                self.mechanism_ids[failure.mechanism] if failure else None,
                self.cause_ids[failure.cause] if failure else None,
                failure.impact if failure else "",
                self.detection_ids[failure.detection] if failure else None,
                self.activity_ids[row.activity] if row.activity else None,
                row.active_repair_minutes, row.work_order, "", self.load_batch,
            )

    def _quality_rows(self, quality: QualityRecords, equipment_id: int):
        for row in quality.inspections:
            run = row.run
            yield (
                "attribute", utc(row.at), equipment_id, self.product_ids[run.product], run.window.date_key,
                self.shift_ids[run.window.shift], run.order_number,
                self.defect_ids[row.defect_type] if row.defect_type else None,
                row.inspected, row.defective, row.defect_count, row.first_pass_good,
                "", None, None, None, None, None, None, self.load_batch,
            )
        millimetre = self.reference.millimetre.id
        for row in quality.measurements:
            run = row.run
            yield (
                "variable", utc(row.at), equipment_id, self.product_ids[run.product], run.window.date_key,
                self.shift_ids[run.window.shift], run.order_number, None, 0, 0, 0, None,
                row.characteristic, row.value, row.lower_spec_limit, row.upper_spec_limit, row.target,
                millimetre, row.subgroup, self.load_batch,
            )

    def _scrap_rows(self, quality: QualityRecords, equipment_id: int, run_ids: dict[int, int]):
        piece = self.reference.piece.id
        for row in quality.scrap:
            run = row.run
            yield (
                utc(row.at), equipment_id, self.product_ids[run.product], run.window.date_key,
                self.shift_ids[run.window.shift], self.defect_ids[row.reason], row.quantity, piece,
                row.is_planned, row.disposition, row.cost, "EUR", run_ids[id(run)], self.load_batch,
            )
