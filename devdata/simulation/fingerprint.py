"""A content hash of the fact tables in business terms (codes, instants, quantities), not ids.

Two databases seeded with the same options have the same fingerprint even though their surrogate
keys differ; the seed's determinism test compares them.
"""

from __future__ import annotations

import hashlib

from django.db import connection

# Each query renders every row of a fact table in business terms; the digest sorts the rendered rows.
TABLE_QUERIES: dict[str, str] = {
    "fact_production": """
        SELECT e.code, p.code, f.date_key, s.code, f.started_at, f.ended_at, f.order_number, f.planned_order_qty,
               f.produced_qty, f.good_qty, f.scrap_qty, f.rework_qty, f.planned_scrap_qty, f.pri_seconds
        FROM fact_production f JOIN dim_equipment e ON e.id = f.equipment_id
        JOIN dim_product p ON p.id = f.product_id LEFT JOIN dim_shift s ON s.id = f.shift_id
        ORDER BY e.code, f.started_at""",
    "fact_downtime": """
        SELECT e.code, r.code, f.date_key, s.code, f.started_at, f.ended_at, m.code, mc.code, c.code,
               f.failure_impact, dm.code, a.code, f.active_repair_minutes, f.work_order
        FROM fact_downtime f JOIN dim_equipment e ON e.id = f.equipment_id
        JOIN dim_downtime_reason r ON r.id = f.reason_id LEFT JOIN dim_shift s ON s.id = f.shift_id
        LEFT JOIN ref_iso14224_failure_mode m ON m.id = f.failure_mode_id
        LEFT JOIN ref_iso14224_failure_mechanism mc ON mc.id = f.failure_mechanism_id
        LEFT JOIN ref_iso14224_failure_cause c ON c.id = f.failure_cause_id
        LEFT JOIN ref_iso14224_detection_method dm ON dm.id = f.detection_method_id
        LEFT JOIN ref_iso14224_maintenance_activity a ON a.id = f.maintenance_activity_id
        ORDER BY e.code, f.started_at""",
    "fact_quality": """
        SELECT f.kind, f.inspected_at, e.code, p.code, f.date_key, s.code, f.lot_code, d.code, f.inspected_qty,
               f.defective_qty, f.defect_count, f.first_pass_good_qty, f.characteristic, f.measured_value,
               f.lower_spec_limit, f.upper_spec_limit, f.target_value, f.subgroup
        FROM fact_quality f JOIN dim_equipment e ON e.id = f.equipment_id
        JOIN dim_product p ON p.id = f.product_id LEFT JOIN dim_shift s ON s.id = f.shift_id
        LEFT JOIN dim_quality_defect_type d ON d.id = f.defect_type_id
        ORDER BY e.code, f.inspected_at, f.kind, d.code NULLS FIRST, f.subgroup, f.measured_value""",
    "fact_scrap": """
        SELECT f.occurred_at, e.code, p.code, f.date_key, d.code, f.quantity, f.is_planned, f.disposition, f.cost,
               r.started_at
        FROM fact_scrap f JOIN dim_equipment e ON e.id = f.equipment_id
        JOIN dim_product p ON p.id = f.product_id JOIN dim_quality_defect_type d ON d.id = f.reason_id
        LEFT JOIN fact_production r ON r.id = f.production_run_id
        ORDER BY e.code, f.occurred_at, d.code""",
    "fact_sensor_event": """
        SELECT e.code, f.tag, f.time, f.value, f.quality
        FROM fact_sensor_event f JOIN dim_equipment e ON e.id = f.equipment_id
        ORDER BY e.code, f.tag, f.time""",
}


DIGEST = "md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"


def fact_fingerprint() -> str:
    """SHA-256 over the per-table digests, each computed in the database."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for table, query in TABLE_QUERIES.items():
            cursor.execute(f"SELECT count(*), {DIGEST} FROM ({query}) t")
            count, table_md5 = cursor.fetchone()
            digest.update(f"{table}:{count}:{table_md5}\n".encode())
    return digest.hexdigest()
