"""The reference's elements summed per KPI bucket, in place of an element source's SQL: with
`compute_kpis(..., fetch=ReferenceFetch())` every KPI of the time model and of reliability is computed
from the plain-Python reference with the same formulas, selection and roll-up as from the views."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction
from typing import Any

from ..types import Bucket, Granularity, GroupBy, Selection
from .compute import Reference, compute

# The view's element expressions (sum(v.pot_s), …) name the reference's columns.
COVERED = ("time_model", "reliability_events", "support_operation", "quality_counts")


class ReferenceFetch:
    """Callable as `fetch(source, selection)`; computes the reference once per date range."""

    def __init__(self, now: dt.datetime | None = None, computed: Reference | None = None):
        self.now = now
        self._computed: dict[tuple[dt.date, dt.date], Reference] = {}
        if computed is not None:  # already computed for its range: one read of the facts serves both
            self._computed[(computed.first, computed.last)] = computed

    @property
    def computed(self) -> dict[tuple[dt.date, dt.date], Reference]:
        return self._computed

    def compute(self, first: dt.date, last: dt.date) -> Reference:
        if (first, last) not in self._computed:
            self._computed[(first, last)] = compute(first, last, now=self.now)
        return self._computed[(first, last)]

    def reference(self, selection: Selection) -> Reference:
        return self.compute(selection.start, selection.end)

    def __call__(self, source, selection: Selection) -> dict[Bucket, dict[str, Any]]:
        if source.name not in COVERED:
            raise ValueError(f"the plain-Python reference does not compute the elements of {source.name!r} "
                             f"(it covers {', '.join(COVERED)})")
        reference = self.reference(selection)
        rows = list(self._rows(source.name, reference, selection))
        columns = {symbol: expression.removeprefix("sum(v.").removesuffix(")")
                   for symbol, expression in source.elements.items()}
        sums: dict[Bucket, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(columns, Fraction(0)))
        for row in rows:
            bucket = Bucket(_bucket_start(row["production_date"], selection.granularity),
                            row["shift_id"] if selection.granularity == Granularity.SHIFT else None,
                            _group(row, selection.group_by) if source.supports_group(selection.group_by) else None)
            target = sums[bucket]
            for symbol, column in columns.items():
                target[symbol] += Fraction(row[column])
        return dict(sums)

    def _rows(self, name: str, reference: Reference, selection: Selection):
        units = reference.units
        wanted = None if selection.equipment_ids is None else set(selection.equipment_ids)

        def selected(equipment_id: int, shift_id: int) -> bool:
            return (wanted is None or equipment_id in wanted) and (
                selection.shift_id is None or shift_id == selection.shift_id)

        if name == "time_model":
            for (equipment_id, _, shift_id), row in reference.time_model.items():
                if selected(equipment_id, shift_id):
                    yield {**row.values, "production_date": row.production_date, "shift_id": shift_id,
                           "equipment_id": equipment_id, "class_id": units[equipment_id].equipment_class_id}
        elif name == "reliability_events":
            for (equipment_id, _, shift_id, mode, _), row in reference.events.items():
                if selected(equipment_id, shift_id) and selection.failure_mode_id in (None, mode):
                    yield {**row, "shift_id": shift_id, "equipment_id": equipment_id, "failure_mode_id": mode,
                           "class_id": units[equipment_id].equipment_class_id}
        elif name == "quality_counts":
            for (equipment_id, _, shift_id, _), row in reference.quality.items():
                if selected(equipment_id, shift_id):
                    yield {**row, "shift_id": shift_id, "equipment_id": equipment_id,
                           "class_id": _class_of(equipment_id, units)}
        else:
            for (equipment_id, _), row in reference.support.items():
                if selected(equipment_id, 0):
                    yield {**row, "shift_id": 0, "equipment_id": equipment_id,
                           "class_id": units[equipment_id].equipment_class_id}


def _class_of(equipment_id: int, units: dict) -> int | None:
    """Quality records may come from equipment without runs or stops (not among the reference's units)."""
    unit = units.get(equipment_id)
    if unit is not None:
        return unit.equipment_class_id
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT equipment_class_id FROM dim_equipment WHERE id = %s", [equipment_id])
        return cursor.fetchone()[0]


def _bucket_start(day: dt.date, granularity: str) -> dt.date | None:
    if granularity in (Granularity.SHIFT, Granularity.DAY):
        return day
    if granularity == Granularity.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if granularity == Granularity.MONTH:
        return day.replace(day=1)
    return None


def _group(row: dict, group_by: str):
    return {GroupBy.NONE: None, GroupBy.EQUIPMENT: row["equipment_id"], GroupBy.EQUIPMENT_CLASS: row["class_id"],
            GroupBy.FAILURE_MODE: row.get("failure_mode_id")}[group_by]
