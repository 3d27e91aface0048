"""The summed elements behind the KPIs, for pages and reports that show them as such.

A loss waterfall shows POT, planned downtime, ADOT, … themselves; a Pareto shows stop time per
downtime reason. Those are the same sums the formulas divide, read through the same element
sources and the same selection rules as `compute_kpis` (equipment subtree, named range or dates,
granularity), so a page never has a second definition of an element:

    compute_elements("time_model", equipment=["LINE-1"], date_range="last_week")
    compute_elements("downtime_by_reason", start=d1, end=d2, group_by="reason")

`group_by` accepts the breakdowns of `compute_kpis` and any other group column the source declares
(downtime by reason: "reason"; defects: "defect_type").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .registry import element_sources
from .service import _shift_id, resolve_dates, resolve_equipment
from .types import Granularity, GroupBy, Selection


@dataclass(frozen=True)
class ElementRow:
    """The element sums of one period bucket (and group)."""

    start: dt.date | None  # first production date of the bucket; None for the total
    shift_id: int | None
    group: Any  # the group's id (equipment, class, reason, …) or None
    elements: dict[str, Any]


def compute_elements(
    source: str,
    *,
    equipment: Iterable[str] = (),
    equipment_classes: Iterable[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    date_range: str | None = None,
    today: dt.date | None = None,
    granularity: str = Granularity.TOTAL,
    group_by: str = GroupBy.NONE,
    shift: str | None = None,
) -> list[ElementRow]:
    sources = element_sources()
    if source not in sources:
        raise ValueError(f"unknown element source {source!r}; known: {', '.join(sorted(sources))}")
    element_source = sources[source]
    if granularity not in Granularity.ALL:
        raise ValueError(f"granularity must be one of {', '.join(Granularity.ALL)}")
    if not element_source.supports_group(group_by):
        raise ValueError(f"{source} cannot be broken down by {group_by!r}")
    dates = resolve_dates(start=start, end=end, date_range=date_range, today=today)
    selection = Selection(
        equipment_ids=resolve_equipment(equipment, equipment_classes), start=dates.start, end=dates.end,
        granularity=granularity, group_by=group_by, shift_id=_shift_id(shift),
    )
    fetched = element_source.fetch(selection)
    rows = [ElementRow(bucket.start, bucket.shift_id, bucket.group, elements)
            for bucket, elements in fetched.items()]
    return sorted(rows, key=lambda row: (row.start or dt.date.min, row.shift_id or 0, str(row.group or "")))
