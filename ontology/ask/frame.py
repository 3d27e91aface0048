"""The query frame a question is compiled into, and its canonical form (the stable JSON shape)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class DateSpan:
    start: dt.date
    end: dt.date
    label: str
    partial: bool = False
    default: bool = False

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label,
                "partial": self.partial, "default": self.default}

    @property
    def text(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass
class Frame:
    """metric × filters × production-date range × grain × group × order × limit × comparison."""

    metrics: list[str] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)  # codes of any level (whole subtree)
    equipment_classes: list[str] = field(default_factory=list)
    shift: str | None = None
    failure_mode: str | None = None
    product: str | None = None
    characteristic: str | None = None
    range: DateSpan | None = None
    granularity: str = "total"  # shift, day, week, month, total
    group_by: str = "none"  # none, equipment, equipment_class, failure_mode, line, area, site, member
    order: str | None = None  # best, worst, highest, lowest
    limit: int | None = None
    compare: DateSpan | None = None

    def canonical(self) -> dict:
        """The frame as comparable codes (the gold set compares exactly this)."""
        return {
            "metrics": list(self.metrics), "equipment": sorted(self.equipment),
            "equipment_class": sorted(self.equipment_classes), "shift": self.shift,
            "failure_mode": self.failure_mode, "product": self.product, "characteristic": self.characteristic,
            "range": self.range.text if self.range else None, "partial": bool(self.range and self.range.partial),
            "granularity": self.granularity, "group_by": self.group_by, "order": self.order, "limit": self.limit,
            "compare": self.compare.text if self.compare else None,
        }

    def as_dict(self) -> dict:
        return self.canonical() | {
            "range": self.range.as_dict() if self.range else None,
            "compare": self.compare.as_dict() if self.compare else None,
        }


DEFAULTS = Frame().canonical()
