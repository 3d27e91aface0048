"""The CSV formats of quality checks and scrap (docs/ingest.md)."""

from __future__ import annotations

from mfgplatform.ingest.facts import (
    Column,
    FactSpec,
    calendar_check,
    calendar_join,
    equipment_unit_check,
    given,
    number_or,
    register_fact,
    shift_id,
    value,
)

QUALITY = FactSpec(
    name="quality",
    table="fact_quality",
    columns=(
        Column("kind", choices=("attribute", "variable")),
        Column("inspected_at", "timestamp"),
        Column("equipment", "code", lookup="dim_equipment"),
        Column("product", "code", lookup="dim_product"),
        Column("defect_type", "code", required=False, lookup="dim_quality_defect_type"),
        Column("inspected_qty", "number", required=False, nonnegative=True),
        Column("defective_qty", "number", required=False, nonnegative=True),
        Column("defect_count", "integer", required=False, nonnegative=True),
        Column("first_pass_good_qty", "number", required=False, nonnegative=True),
        Column("characteristic", required=False, max_length=64),
        Column("measured_value", "number", required=False),
        Column("lower_spec_limit", "number", required=False),
        Column("upper_spec_limit", "number", required=False),
        Column("target_value", "number", required=False),
        Column("unit", "code", required=False, lookup="dim_unit_of_measure"),
        Column("subgroup", "integer", required=False, nonnegative=True),
        Column("lot_code", required=False, max_length=64),
        Column("shift", "code", required=False, lookup="dim_shift"),
    ),
    extra_joins=calendar_join("inspected_at"),
    labelled_by="inspected_at",
    # The shapes of fact_quality's check constraints, as reasons per row.
    row_checks=(
        equipment_unit_check(),
        calendar_check("inspected_at"),
        ("inspected_qty", f"CASE WHEN s.kind = 'attribute' AND NOT {given('inspected_qty')} "
                          "THEN 'is required for an attribute check' "
                          f"WHEN s.kind = 'attribute' AND {value('inspected_qty', 'number')} = 0 "
                          "THEN 'must be positive for an attribute check' END"),
        ("defective_qty", f"CASE WHEN {value('defective_qty', 'number')} > {number_or('inspected_qty', '0')} "
                          "THEN 'exceeds inspected_qty' END"),
        ("first_pass_good_qty", f"CASE WHEN {value('first_pass_good_qty', 'number')} "
                                f"> {number_or('inspected_qty', '0')} THEN 'exceeds inspected_qty' END"),
        ("measured_value", f"CASE WHEN s.kind = 'attribute' AND {given('measured_value')} "
                           "THEN 'must be empty for an attribute check' "
                           f"WHEN s.kind = 'variable' AND NOT {given('measured_value')} "
                           "THEN 'is required for a variable measurement' END"),
        ("characteristic", f"CASE WHEN s.kind = 'variable' AND NOT {given('characteristic')} "
                           "THEN 'is required for a variable measurement' END"),
        ("upper_spec_limit", f"CASE WHEN {value('upper_spec_limit', 'number')} "
                             f"<= {value('lower_spec_limit', 'number')} THEN 'is not above lower_spec_limit' END"),
    ),
    insert=f"""
        INSERT INTO fact_quality (kind, inspected_at, equipment_id, product_id, date_key, shift_id, lot_code,
            defect_type_id, inspected_qty, defective_qty, defect_count, first_pass_good_qty, characteristic,
            measured_value, lower_spec_limit, upper_spec_limit, target_value, unit_id, subgroup, load_batch)
        SELECT s.kind, s.inspected_at::timestamptz, l_equipment.id, l_product.id, cal.date_key,
               {shift_id('inspected_at')}, coalesce(s.lot_code, ''), l_defect_type.id,
               {number_or('inspected_qty', '0')}, {number_or('defective_qty', '0')},
               coalesce({value('defect_count', 'integer')}, 0), {value('first_pass_good_qty', 'number')},
               coalesce(s.characteristic, ''), {value('measured_value', 'number')},
               {value('lower_spec_limit', 'number')}, {value('upper_spec_limit', 'number')},
               {value('target_value', 'number')}, l_unit.id, {value('subgroup', 'integer')}, %(batch)s
          FROM staging s {{joins}}""",
)

SCRAP = FactSpec(
    name="scrap",
    table="fact_scrap",
    columns=(
        Column("occurred_at", "timestamp"),
        Column("equipment", "code", lookup="dim_equipment"),
        Column("product", "code", lookup="dim_product"),
        Column("reason", "code", lookup="dim_quality_defect_type"),
        Column("quantity", "number", nonnegative=True),
        Column("unit", "code", required=False, lookup="dim_unit_of_measure"),
        Column("is_planned", required=False, choices=("true", "false")),
        Column("disposition", required=False, choices=("scrap", "recycle", "return")),
        Column("cost", "number", required=False, nonnegative=True),
        Column("currency", required=False),
        Column("shift", "code", required=False, lookup="dim_shift"),
    ),
    extra_joins=calendar_join("occurred_at"),
    labelled_by="occurred_at",
    row_checks=(
        equipment_unit_check(),
        calendar_check("occurred_at"),
        ("quantity", f"CASE WHEN {value('quantity', 'number')} = 0 THEN 'must be positive' END"),
        ("currency", f"CASE WHEN {given('currency')} AND s.currency !~ '^[A-Z]{{3}}$' "
                     "THEN 'is not a three-letter ISO 4217 code' END"),
    ),
    # Without a unit the quantity is in the product's unit.
    insert=f"""
        INSERT INTO fact_scrap (occurred_at, equipment_id, product_id, date_key, shift_id, reason_id, quantity,
            unit_id, is_planned, disposition, cost, currency, load_batch)
        SELECT s.occurred_at::timestamptz, l_equipment.id, l_product.id, cal.date_key, {shift_id('occurred_at')},
               l_reason.id, s.quantity::numeric, coalesce(l_unit.id, l_product.unit_id),
               coalesce(s.is_planned = 'true', false), coalesce(nullif(s.disposition, ''), 'scrap'),
               {number_or('cost', '0')}, coalesce(nullif(s.currency, ''), 'EUR'), %(batch)s
          FROM staging s {{joins}}""",
)

register_fact(QUALITY)
register_fact(SCRAP)
