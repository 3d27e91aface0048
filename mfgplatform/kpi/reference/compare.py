"""The views against the reference, element by element: what differs, where, by how much.

A difference names the view, the unit, the occurrence (production day and shift, "Unscheduled" for
shift 0), the element, the view's value and the reference's. Values agree when they are equal up to
numeric rounding (the views divide in numeric, the reference in exact fractions): 1e-6 absolute or
1e-9 relative."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import connection

from ...calendar import UNSCHEDULED as UNSCHEDULED_LABEL
from .compute import Reference
from .plant import UNSCHEDULED
from .quality import QUALITY_COLUMNS
from .reliability import EVENT_COLUMNS, SUPPORT_COLUMNS
from .time_model import COLUMNS

ABSOLUTE, RELATIVE = 1e-6, 1e-9
MISSING = None


@dataclass(frozen=True)
class Difference:
    view: str
    equipment: str
    occurrence: str  # "2025-03-14 A", "2025-03-15 Unscheduled", or the production day
    element: str
    view_value: float | None  # None: the view has no such row
    reference_value: float | None  # None: the reference has no such row

    def __str__(self) -> str:
        def shown(value):
            return "no row" if value is None else f"{value:.6f}".rstrip("0").rstrip(".")
        return (f"{self.view} {self.equipment} {self.occurrence} {self.element}: view {shown(self.view_value)}, "
                f"reference {shown(self.reference_value)}")


def same(a, b) -> bool:
    return math.isclose(float(a), float(b), rel_tol=RELATIVE, abs_tol=ABSOLUTE)


def compare_with_views(reference: Reference, equipment_ids: Iterable[int] | None = None) -> list[Difference]:
    """Every element of agg_time_model (work units), mv_reliability_event, v_support_operation,
    mv_quality_by_defect and mv_quality_by_occurrence in the reference's production days that differs
    from the reference."""
    wanted = None if equipment_ids is None else set(equipment_ids)
    labels = _Labels()
    work_units = {i for i, unit in reference.units.items() if unit.is_work_unit}

    def keep(equipment_id: int) -> bool:
        return wanted is None or equipment_id in wanted

    differences = []
    view_rows = _read("SELECT * FROM agg_time_model WHERE production_date BETWEEN %s AND %s", reference,
                      ("equipment_id", "date_key", "shift_id"))
    expected = {key: row.values for key, row in reference.time_model.items()}
    differences += _differ("agg_time_model", {k: v for k, v in view_rows.items() if k[0] in work_units and keep(k[0])},
                           {k: v for k, v in expected.items() if keep(k[0])}, COLUMNS, labels)
    view_rows = _read("SELECT * FROM mv_reliability_event WHERE production_date BETWEEN %s AND %s", reference,
                      ("equipment_id", "date_key", "shift_id", "failure_mode_id", "maintenance_category"))
    differences += _differ("mv_reliability_event", {k: v for k, v in view_rows.items() if keep(k[0])},
                           {k: v for k, v in reference.events.items() if keep(k[0])}, EVENT_COLUMNS, labels)
    view_rows = _read("SELECT * FROM v_support_operation WHERE production_date BETWEEN %s AND %s", reference,
                      ("equipment_id", "date_key"))
    differences += _differ("v_support_operation", {k: v for k, v in view_rows.items() if keep(k[0])},
                           {k: v for k, v in reference.support.items() if keep(k[0])}, SUPPORT_COLUMNS, labels)
    view_rows = _read("SELECT * FROM mv_quality_by_defect WHERE production_date BETWEEN %s AND %s", reference,
                      ("equipment_id", "date_key", "shift_id", "defect_type_id"))
    differences += _differ("mv_quality_by_defect", {k: v for k, v in view_rows.items() if keep(k[0])},
                           {k: v for k, v in reference.quality.items() if keep(k[0])}, QUALITY_COLUMNS, labels)
    if _exists("mv_quality_by_occurrence"):  # the same counts over all defect types (the counting KPIs read it)
        view_rows = _read("SELECT * FROM mv_quality_by_occurrence WHERE production_date BETWEEN %s AND %s",
                          reference, ("equipment_id", "date_key", "shift_id"))
        differences += _differ("mv_quality_by_occurrence", {k: v for k, v in view_rows.items() if keep(k[0])},
                               _over_defect_types(reference.quality, keep), QUALITY_COLUMNS, labels)
    return differences


def _exists(relation: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [relation])
        return cursor.fetchone()[0]


def _over_defect_types(rows: dict, keep) -> dict:
    summed: dict = {}
    for (equipment_id, day, shift_id, _), row in rows.items():
        if keep(equipment_id):
            target = summed.setdefault((equipment_id, day, shift_id), dict.fromkeys(QUALITY_COLUMNS, Decimal(0)))
            for column in QUALITY_COLUMNS:
                target[column] += row[column]
    return summed


def _read(sql: str, reference: Reference, key_columns: tuple[str, ...]) -> dict[tuple, dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [reference.first, reference.last])
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return {tuple(row[c] for c in key_columns): row for row in rows}


def _differ(view: str, actual: dict, expected: dict, columns: tuple[str, ...], labels: _Labels) -> list[Difference]:
    found = []
    for key in sorted(set(actual) | set(expected), key=lambda k: tuple(str(part) for part in k)):
        have, want = actual.get(key), expected.get(key)
        for column in columns:
            view_value = None if have is None else have[column]
            reference_value = None if want is None else want[column]
            if view_value is not None and reference_value is not None and same(view_value, reference_value):
                continue
            # A row only one side has is a difference only where it holds something.
            if (view_value is None and not reference_value) or (reference_value is None and not view_value):
                continue
            found.append(Difference(view, labels.equipment(key[0]), labels.occurrence(key), _element(column, key),
                                    _number(view_value), _number(reference_value)))
    return found


def _element(column: str, key: tuple) -> str:
    if len(key) == 5:
        return f"{column} (failure mode {key[3]}, {key[4]})"
    if len(key) == 4:
        return f"{column} (defect type {key[3]})"
    return column


def _number(value) -> float | None:
    return None if value is None else float(Fraction(value) if not isinstance(value, float) else value)


def describe(differences: list[Difference], limit: int = 20) -> str:
    lines = [str(d) for d in differences[:limit]]
    if len(differences) > limit:
        lines.append(f"… and {len(differences) - limit} more")
    return "\n".join(lines)


class _Labels:
    def __init__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, code FROM dim_equipment")
            self._equipment = dict(cursor.fetchall())
            cursor.execute("SELECT id, code FROM dim_shift")
            self._shifts = dict(cursor.fetchall())

    def equipment(self, equipment_id: int) -> str:
        return self._equipment.get(equipment_id, f"#{equipment_id}")

    def occurrence(self, key: tuple) -> str:
        day = str(key[1])
        day = f"{day[:4]}-{day[4:6]}-{day[6:]}"
        if len(key) < 3:
            return day
        shift = UNSCHEDULED_LABEL if key[2] == UNSCHEDULED else self._shifts.get(key[2], f"shift #{key[2]}")
        return f"{day} {shift}"
