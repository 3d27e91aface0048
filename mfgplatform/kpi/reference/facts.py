"""The raw facts and equipment the reference reads, straight from the fact tables (no view, no
aggregate): production runs, stops with their reason's meaning, and the units' service periods."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from .plant import micros


@dataclass(frozen=True)
class Unit:
    id: int
    is_work_unit: bool
    equipment_class_id: int | None
    first_day: dt.date | None  # first production day in service (load_units says from when)
    decommissioned_on: dt.date | None


@dataclass(frozen=True)
class Run:
    id: int
    equipment_id: int
    lo: int
    hi: int
    pq: Decimal
    gq: Decimal
    sq: Decimal
    rq: Decimal
    psq: Decimal
    pri: Decimal
    order_number: str


@dataclass(frozen=True)
class Stop:
    id: int
    equipment_id: int
    lo: int
    hi: int | None  # None: still open
    category: str  # planned_downtime, delay, setup, idle, or '' (no time category)
    minor: bool
    is_failure: bool
    failure_mode_id: int
    maintenance_category: str  # none, corrective, preventive
    active_repair_s: Decimal


def _at(value: dt.datetime | None) -> int | None:
    return None if value is None else micros(value)


def load_units(plant) -> dict[int, Unit]:
    """Every unit in service at some point. Work unit or support equipment by the unit's own setting,
    else its class's (no class: a work unit).

    A work unit is in service from the production day of its first fact, not before commissioning. A
    support unit records only its stops, so with a commissioning date it is in service from then, but not
    before the plant's first fact of all (nothing was observed earlier), with or without facts of its own;
    without one, from its first fact."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT e.id, coalesce(e.is_work_unit, c.is_work_unit, true), e.equipment_class_id, e.commissioned_on,
                   e.decommissioned_on, f.first_start
              FROM dim_equipment AS e
              LEFT JOIN ref_iso14224_equipment_class AS c ON c.id = e.equipment_class_id
              LEFT JOIN (SELECT equipment_id, min(started_at) AS first_start
                           FROM (SELECT equipment_id, started_at FROM fact_production
                                 UNION ALL SELECT equipment_id, started_at FROM fact_downtime) AS f
                          GROUP BY equipment_id) AS f ON f.equipment_id = e.id
        """)
        rows = cursor.fetchall()
    starts = [micros(first_start) for *_, first_start in rows if first_start is not None]
    if not starts:
        return {}
    observed_from = plant.production_date(min(starts))
    units = {}
    for unit_id, work_unit, class_id, commissioned, decommissioned, first_start in rows:
        if not work_unit and commissioned is not None:
            first = max(commissioned, observed_from)
        elif first_start is not None:
            first = plant.production_date(micros(first_start))
            if commissioned and commissioned > first:
                first = commissioned
        else:
            continue
        units[unit_id] = Unit(unit_id, work_unit, class_id, first, decommissioned)
    return units


RUN_COLUMNS = ("id, equipment_id, started_at, ended_at, produced_qty, good_qty, scrap_qty, rework_qty,"
               " planned_scrap_qty, pri_seconds, order_number")


def _runs(rows) -> list[Run]:
    return [Run(i, e, micros(s), micros(t), *quantities, order) for i, e, s, t, *quantities, order in rows]


def load_runs(lo: dt.datetime, hi: dt.datetime) -> list[Run]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {RUN_COLUMNS} FROM fact_production"  # noqa: S608 (constant columns)
                       " WHERE started_at < %s AND ended_at >= %s ORDER BY id", [hi, lo])
        return _runs(cursor.fetchall())


def load_order_runs(lo: dt.datetime, hi: dt.datetime) -> list[Run]:
    """Every run of the orders that have a run starting in [lo, hi): an order's elapsed time is its first
    start to its last end, wherever those are."""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT {RUN_COLUMNS} FROM fact_production AS p
             WHERE p.order_number <> '' AND (p.equipment_id, p.order_number) IN (
                   SELECT equipment_id, order_number FROM fact_production
                    WHERE order_number <> '' AND started_at >= %s AND started_at < %s)
             ORDER BY id
        """, [lo, hi])  # noqa: S608 (constant columns)
        return _runs(cursor.fetchall())


STOP_SELECT = """
    SELECT d.id, d.equipment_id, d.started_at, d.ended_at, r.time_category, r.is_minor_stop, r.is_failure,
           coalesce(d.failure_mode_id, r.failure_mode_id, 0),
           CASE WHEN r.maintenance_category = '' THEN 'none' ELSE r.maintenance_category END,
           coalesce(d.active_repair_minutes, 0) * 60
      FROM fact_downtime AS d JOIN dim_downtime_reason AS r ON r.id = d.reason_id
"""


def _stops(rows) -> list[Stop]:
    return [Stop(i, e, micros(s), _at(t), *rest) for i, e, s, t, *rest in rows]


def load_stops(lo: dt.datetime, hi: dt.datetime) -> list[Stop]:
    with connection.cursor() as cursor:
        cursor.execute(STOP_SELECT + " WHERE d.started_at < %s AND (d.ended_at IS NULL OR d.ended_at >= %s)"
                       " ORDER BY d.id", [hi, lo])
        return _stops(cursor.fetchall())


def load_previous_failures(before: dt.datetime) -> dict[int, list[Stop]]:
    """Per unit, its failures that start before `before` (only the latest few matter: the time since the
    previous failure of each later one)."""
    with connection.cursor() as cursor:
        cursor.execute(STOP_SELECT + " WHERE r.is_failure AND d.started_at < %s"
                       " AND d.started_at >= (SELECT max(x.started_at) FROM fact_downtime AS x"
                       "  JOIN dim_downtime_reason AS y ON y.id = x.reason_id"
                       "  WHERE y.is_failure AND x.equipment_id = d.equipment_id AND x.started_at < %s)",
                       [before, before])
        found: dict[int, list[Stop]] = {}
        for stop in _stops(cursor.fetchall()):
            found.setdefault(stop.equipment_id, []).append(stop)
        return found
