"""Quality counts in plain Python: per equipment × shift occurrence × defect type (0 = none), the attribute
inspections (inspected, defective units, defects, first-pass good units and the units they were counted
from, defect opportunities = inspected × the product's opportunities per unit) and the scrap records
(quantity, planned part, cost), each booked to the occurrence its instant belongs to (outside every
shift: shift 0 of its production day). FPY = first-pass good / inspected (where counted), DPMO = defects /
opportunities × 10⁶."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection

from .plant import UNSCHEDULED, Plant, date_key, micros

QUALITY_COLUMNS = ("inspected_qty", "defective_qty", "defect_count", "first_pass_good_qty",
                   "first_pass_inspected_qty", "defect_opportunities", "scrap_qty", "planned_scrap_qty", "scrap_cost")

QualityKey = tuple[int, int, int, int]  # equipment, date_key, shift_id, defect type


def quality_counts(plant: Plant, lo: dt.datetime, hi: dt.datetime) -> dict[QualityKey, dict]:
    rows: dict[QualityKey, dict] = {}

    def add(equipment_id: int, at: dt.datetime, defect_type_id: int, **values) -> None:
        instant = micros(at)
        owner = plant.owner(instant)
        day, shift_id = (owner.production_date, owner.shift_id) if owner else (
            plant.production_date(instant), UNSCHEDULED)
        if not plant.first <= day <= plant.last:
            return
        row = rows.setdefault((equipment_id, date_key(day), shift_id, defect_type_id),
                              {"production_date": day, **dict.fromkeys(QUALITY_COLUMNS, Decimal(0))})
        for column, value in values.items():
            row[column] += value  # recorded decimals: their sums are exact

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT q.equipment_id, q.inspected_at, coalesce(q.defect_type_id, 0), q.inspected_qty, q.defective_qty,
                   q.defect_count, q.first_pass_good_qty, p.defect_opportunities_per_unit
              FROM fact_quality AS q JOIN dim_product AS p ON p.id = q.product_id
             WHERE q.kind = 'attribute' AND q.inspected_at >= %s AND q.inspected_at < %s
        """, [lo, hi])
        for equipment_id, at, defect_type, inspected, defective, defects, first_pass, per_unit in cursor.fetchall():
            add(equipment_id, at, defect_type, inspected_qty=inspected, defective_qty=defective,
                defect_count=defects, first_pass_good_qty=first_pass or 0,
                first_pass_inspected_qty=0 if first_pass is None else inspected,
                defect_opportunities=inspected * per_unit)
        cursor.execute("SELECT equipment_id, occurred_at, reason_id, quantity, is_planned, cost FROM fact_scrap"
                       " WHERE occurred_at >= %s AND occurred_at < %s", [lo, hi])
        for equipment_id, at, reason_id, quantity, planned, cost in cursor.fetchall():
            add(equipment_id, at, reason_id or 0, scrap_qty=quantity, planned_scrap_qty=quantity if planned else 0,
                scrap_cost=cost or 0)
    return rows
