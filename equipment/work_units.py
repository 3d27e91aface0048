"""Which equipment is a production work unit (ISO 22400) and which is support equipment.

Master data: `EquipmentClass.is_work_unit`, overridden per unit by `Equipment.is_work_unit` when set.
Work units enter OEE and the time model's roll-ups; support equipment (pumps, compressors) runs
continuously, makes no product, and enters only the reliability figures, with its own operating time
(time in service minus recorded downtime, the view `v_support_operation`).
"""

from __future__ import annotations

# The ids of the work units / of the support equipment, as SQL subqueries (one rule for every query).
WORK_UNIT_IDS_SQL = (
    "SELECT e.id FROM dim_equipment AS e LEFT JOIN ref_iso14224_equipment_class AS c ON c.id = e.equipment_class_id"
    " WHERE coalesce(e.is_work_unit, c.is_work_unit, true)"
)
SUPPORT_IDS_SQL = (
    "SELECT e.id FROM dim_equipment AS e LEFT JOIN ref_iso14224_equipment_class AS c ON c.id = e.equipment_class_id"
    " WHERE NOT coalesce(e.is_work_unit, c.is_work_unit, true)"
)


def is_work_unit(equipment) -> bool:
    """The unit's own setting when it has one, otherwise its class's (no class: a work unit)."""
    if equipment.is_work_unit is not None:
        return equipment.is_work_unit
    return equipment.equipment_class.is_work_unit if equipment.equipment_class_id else True
