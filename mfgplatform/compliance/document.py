"""The compliance report as data: sections of tables and charts, independent of HTML, PDF or CSV."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from .periods import ReportPeriod

SectionStatus = Literal["ok", "attention", "unavailable"]


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]
    csv_name: str  # the CSV attachment that carries this table, e.g. "retention.csv"


@dataclass
class Chart:
    """A bar chart; a Pareto chart adds the cumulative share on a second axis."""

    content_id: str  # also the PNG's file name, e.g. "defect-pareto.png"
    title: str
    labels: list[str]
    values: list[float]
    unit: str = ""
    kind: Literal["bar", "barh", "pareto"] = "bar"


@dataclass
class Section:
    key: str
    title: str
    standard: str
    status: SectionStatus
    summary: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ReportDocument:
    title: str
    period: ReportPeriod
    generated_at: dt.datetime
    sections: list[Section]
    scope: str = ""  # site, area or line code; empty: the whole plant
    # How current the aggregates the sections read were (mfgplatform.kpi.freshness): stale when the
    # last refresh of one failed or is overdue, so a report built on old numbers says so.
    data_as_of: dt.datetime | None = None
    stale: bool = False
    stale_reason: str = ""

    @property
    def freshness_line(self) -> str:
        """"Data as of … UTC", with " — STALE: <reason>" when stale; empty when no aggregate was read."""
        if self.data_as_of is None and not self.stale:
            return ""
        as_of = f"{self.data_as_of:%Y-%m-%d %H:%M} UTC" if self.data_as_of else "never"
        return f"Data as of {as_of}" + (f" — STALE: {self.stale_reason}" if self.stale else "")

    @property
    def status(self) -> SectionStatus:
        statuses = {section.status for section in self.sections}
        for status in ("attention", "unavailable"):
            if status in statuses:
                return status  # type: ignore[return-value]
        return "ok"

    def summary(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "scope": self.scope,
            "sections": {
                section.key: {"status": section.status, "summary": section.summary} for section in self.sections
            },
        }
