"""The CSV format of production counts (docs/ingest.md)."""

from __future__ import annotations

from mfgplatform.ingest.facts import (
    Column,
    FactSpec,
    calendar_check,
    calendar_join,
    equipment_unit_check,
    order_check,
    register_fact,
    shift_id,
    value,
)

# Without a PRI in the file, the one lookup of the planned run time (production/sql/planned_run_time).
_PRI = f"coalesce({value('pri_seconds', 'number')}, mfg_planned_run_time(l_product.id, l_equipment.id, cal.date))"

PRODUCTION = FactSpec(
    name="production",
    table="fact_production",
    columns=(
        Column("equipment", "code", lookup="dim_equipment"),
        Column("product", "code", lookup="dim_product"),
        Column("started_at", "timestamp"),
        Column("ended_at", "timestamp"),
        Column("produced_qty", "number", nonnegative=True),
        Column("good_qty", "number", nonnegative=True),
        Column("scrap_qty", "number", required=False, nonnegative=True),
        Column("rework_qty", "number", required=False, nonnegative=True),
        Column("planned_scrap_qty", "number", required=False, nonnegative=True),
        Column("pri_seconds", "number", required=False, nonnegative=True),
        Column("order_number", required=False, max_length=64),
        Column("planned_order_qty", "number", required=False, nonnegative=True),
        Column("shift", "code", required=False, lookup="dim_shift"),
    ),
    extra_joins=calendar_join("started_at"),
    labelled_by="started_at",
    row_checks=(
        equipment_unit_check(),
        calendar_check("started_at"),
        order_check("started_at", "ended_at"),
        ("produced_qty", f"CASE WHEN {value('good_qty', 'number')} + coalesce({value('scrap_qty', 'number')}, 0) "
                         f"+ coalesce({value('rework_qty', 'number')}, 0) > {value('produced_qty', 'number')} "
                         "THEN 'is less than good + scrap + rework' END"),
        ("pri_seconds", f"CASE WHEN {value('pri_seconds', 'number')} = 0 THEN 'must be positive' "
                        f"WHEN l_product.id IS NOT NULL AND l_equipment.id IS NOT NULL AND {_PRI} IS NULL "
                        "THEN 'is required: no planned run time is recorded for this product and equipment' END"),
    ),
    insert=f"""
        INSERT INTO fact_production (equipment_id, product_id, date_key, shift_id, started_at, ended_at,
            order_number, planned_order_qty, produced_qty, good_qty, scrap_qty, rework_qty, planned_scrap_qty,
            pri_seconds, load_batch)
        SELECT l_equipment.id, l_product.id, cal.date_key, {shift_id('started_at')},
               s.started_at::timestamptz, s.ended_at::timestamptz, coalesce(s.order_number, ''),
               {value('planned_order_qty', 'number')}, s.produced_qty::numeric, s.good_qty::numeric,
               coalesce({value('scrap_qty', 'number')}, 0), coalesce({value('rework_qty', 'number')}, 0),
               coalesce({value('planned_scrap_qty', 'number')}, 0), {_PRI}, %(batch)s
          FROM staging s {{joins}}""",
)

register_fact(PRODUCTION)
