"""The seeded plant's master data: equipment hierarchy, products and planned run times.

Rows are created with `bulk_create_with_history` and the change reason "seed_iso_compliant", under
the system account that `seed_plant` makes the history user, so the history shows where they came
from and `--reset` can find exactly the rows the seed created (their "+" history records carry that
reason) without touching master data entered by people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from simple_history.utils import bulk_create_with_history

from equipment.models import Equipment
from mfgplatform.hierarchy import child_path
from production.models import PlannedRunTime, Product
from reliability.sensor_aggregate import empty_sensor_hourly

from .catalog import SEED_CHANGE_REASON
from .layout import PlantLayout
from .reference import Reference

FACT_TABLES = ("fact_scrap", "fact_quality", "fact_production", "fact_downtime", "fact_sensor_event")


@dataclass(frozen=True)
class PlantRows:
    equipment: dict[str, Equipment]
    products: dict[str, Product]


def ensure_plant(layout: PlantLayout, reference: Reference, valid_from: dt.date) -> PlantRows:
    equipment = {row.code: row for row in Equipment.objects.filter(code__in=_all_codes(layout))}
    levels = [[layout.site], list(layout.areas), list(layout.lines)]
    for nodes in levels:
        missing = []
        for node in nodes:
            if node.code in equipment:
                continue
            parent = equipment[node.parent] if node.parent else None
            missing.append(
                Equipment(code=node.code, name=node.name, taxonomy_level=node.level, parent=parent,
                          path=_path(parent, node.code))
            )
        _create(missing, Equipment, equipment)
    missing_units = []
    for unit in layout.units:
        if unit.code in equipment:
            continue
        parent = equipment[unit.line_code]
        missing_units.append(
            Equipment(
                code=unit.code, name=unit.name, taxonomy_level=6, parent=parent, path=_path(parent, unit.code),
                equipment_class=reference.classes[unit.class_code], manufacturer=unit.manufacturer,
                serial_number=unit.serial_number, attributes=unit.attributes,
                commissioned_on=valid_from - dt.timedelta(days=3 * 365),
            )
        )
    _create(missing_units, Equipment, equipment)

    products = {row.code: row for row in Product.objects.filter(code__in=[p.code for p in layout.products])}
    _create(
        [
            Product(code=p.code, name=p.name, product_family=p.family, unit=reference.piece,
                    default_pri_seconds=Decimal(str(p.base_pri_seconds)))
            for p in layout.products if p.code not in products
        ],
        Product,
        products,
    )
    _ensure_planned_run_times(layout, equipment, products, valid_from)
    return PlantRows(equipment, products)


def _ensure_planned_run_times(layout, equipment, products, valid_from: dt.date) -> None:
    """One PRI per product and unit, valid from the start of the simulated horizon."""
    unit_ids = [equipment[unit.code].id for unit in layout.units]
    covered = set(
        PlannedRunTime.objects.filter(equipment_id__in=unit_ids, valid_from__lte=valid_from)
        .values_list("equipment_id", "product_id")
    )
    rows = [
        PlannedRunTime(product=products[code], equipment=equipment[unit.code], valid_from=valid_from,
                       pri_seconds=Decimal(str(pri)))
        for unit in layout.units
        for code, pri in unit.pri_seconds.items()
        if (equipment[unit.code].id, products[code].id) not in covered
    ]
    if rows:
        bulk_create_with_history(rows, PlannedRunTime, default_change_reason=SEED_CHANGE_REASON)


def _create(rows, model, into: dict) -> None:
    if rows:
        created = bulk_create_with_history(rows, model, default_change_reason=SEED_CHANGE_REASON)
        into.update({row.code: row for row in created})


def _path(parent: Equipment | None, code: str) -> str:
    return child_path(parent.path if parent else None, code)


def _all_codes(layout: PlantLayout) -> list[str]:
    return [layout.site.code, *(n.code for n in layout.areas), *(n.code for n in layout.lines),
            *(u.code for u in layout.units)]


def facts_exist() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM fact_production) OR EXISTS (SELECT 1 FROM fact_downtime)")
        return bool(cursor.fetchone()[0])


def truncate_facts() -> None:
    """Empties every fact table (chunks of the hypertable included) and the hourly sensor aggregate,
    whose history would otherwise outlive the readings it came from; development databases only."""
    with connection.cursor() as cursor:
        # TRUNCATE refuses tables with deferred foreign-key checks still queued in this transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(FACT_TABLES)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    empty_sensor_hourly()


def delete_seeded_master_data() -> dict[str, int]:
    """Deletes the equipment, products and planned run times the seed created (by history reason).

    Row by row, so each deletion gets its own history record with the reason.
    """
    deleted = {}
    for model, order in ((PlannedRunTime, "id"), (Equipment, "-taxonomy_level"), (Product, "id")):
        ids = model.history.filter(history_type="+", history_change_reason=SEED_CHANGE_REASON).values("id")
        count = 0
        for row in model.objects.filter(id__in=ids).order_by(order):
            row._change_reason = f"{SEED_CHANGE_REASON} --reset"
            row.delete()
            count += 1
        deleted[model._meta.db_table] = count
    return deleted
