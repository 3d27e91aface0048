"""Result and request types of the KPI service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

Number = Fraction | float


class NotComputable(Exception):  # noqa: N818 (a result state, not an error of the caller)
    """A KPI has no value for these elements (zero denominator, missing data); `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Granularity:
    SHIFT = "shift"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    TOTAL = "total"
    ALL = (SHIFT, DAY, WEEK, MONTH, TOTAL)


class GroupBy:
    NONE = "none"
    EQUIPMENT = "equipment"
    EQUIPMENT_CLASS = "equipment_class"
    FAILURE_MODE = "failure_mode"
    ALL = (NONE, EQUIPMENT, EQUIPMENT_CLASS, FAILURE_MODE)


@dataclass(frozen=True)
class Selection:
    """What to aggregate: equipment ids (None = the whole plant), production dates, options."""

    equipment_ids: tuple[int, ...] | None
    start: dt.date
    end: dt.date
    granularity: str = Granularity.TOTAL
    group_by: str = GroupBy.NONE
    failure_mode_id: int | None = None
    characteristic: str | None = None
    product_id: int | None = None
    shift_id: int | None = None  # one shift pattern's occurrences only
    from_facts: bool = False  # aggregate the facts directly instead of the materialized views


@dataclass(frozen=True)
class Bucket:
    """One period of the requested granularity, optionally one group of a breakdown."""

    start: dt.date | None
    shift_id: int | None = None
    group: Any = None

    def sort_key(self) -> tuple:
        return (self.start or dt.date.min, self.shift_id or 0, str(self.group or ""))


FRACTION = "fraction"


def value_unit(unit: str) -> str:
    """The unit of the number a result carries. Ratios are computed and given as fractions (0.82); "%" is
    only how they are displayed ("82.00 %"), so machine-readable output calls their unit "fraction"."""
    return FRACTION if unit == "%" else unit


@dataclass
class KpiResult:
    kpi: str
    name: str
    standard: str
    period: str
    value: float | None
    unit: str
    formula: str
    elements: dict[str, float]
    reason: str | None = None
    flags: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    group: str | None = None
    note: str = ""
    # The aggregates' state behind the answer (kpi.freshness); None / False when read from the facts.
    data_as_of: dt.datetime | None = None
    stale: bool = False
    stale_reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi, "name": self.name, "standard": self.standard, "period": self.period,
            "group": self.group, "value": self.value, "unit": value_unit(self.unit), "display_unit": self.unit,
            "formula": self.formula,
            "elements": self.elements, "reason": self.reason, "flags": self.flags, "details": self.details,
            "note": self.note, "data_as_of": self.data_as_of.isoformat() if self.data_as_of else None,
            "stale": self.stale, "stale_reason": self.stale_reason,
        }
