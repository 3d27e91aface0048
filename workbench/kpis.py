"""The workbench's reads of the KPI service: totals and series of catalog KPIs for a selection.

Pages never compute a KPI themselves; these helpers only call `compute_kpis` and arrange its
results for tables and charts.
"""

from __future__ import annotations

from collections.abc import Sequence

from mfgplatform.kpi import compute_kpis
from mfgplatform.kpi.types import KpiResult

from .selection import Selection

OEE_FAMILY = ("oee", "availability", "effectiveness", "quality_ratio")


def totals(codes: Sequence[str], selection: Selection, *, equipment: Sequence[str] | None = None,
           **options) -> dict[str, KpiResult]:
    """One result per KPI for the whole selection (or for `equipment` instead of its node)."""
    results = compute_kpis(list(codes), equipment=selection.equipment if equipment is None else equipment,
                           start=selection.start, end=selection.end, **options)
    return {result.kpi: result for result in results}


def grouped(codes: Sequence[str], selection: Selection, group_by: str, **options) -> dict[str, dict[str, KpiResult]]:
    """Results per group (equipment, class or failure mode code) and KPI, for the whole range."""
    by_group: dict[str, dict[str, KpiResult]] = {}
    for result in compute_kpis(list(codes), equipment=selection.equipment, start=selection.start,
                               end=selection.end, group_by=group_by, **options):
        if result.group is not None:
            by_group.setdefault(result.group, {})[result.kpi] = result
    return by_group


def series(codes: Sequence[str], selection: Selection, granularity: str, *,
           equipment: Sequence[str] | None = None, **options) -> tuple[list[str], dict[str, list[KpiResult | None]]]:
    """Periods (labels in the service's order) and, per KPI, its result in each period (None where the
    service returned nothing for that period)."""
    results = compute_kpis(list(codes), equipment=selection.equipment if equipment is None else equipment,
                           start=selection.start, end=selection.end, granularity=granularity, **options)
    periods: list[str] = []
    by_code: dict[str, dict[str, KpiResult]] = {code: {} for code in codes}
    for result in results:
        if result.period not in periods and ".." not in result.period:
            periods.append(result.period)
        by_code.setdefault(result.kpi, {})[result.period] = result
    return periods, {code: [by_code[code].get(period) for period in periods] for code in codes}


def value(result: KpiResult | None) -> float | None:
    return None if result is None else result.value


def sparkline_granularity(days: int) -> str:
    if days <= 62:
        return "day"
    if days <= 400:
        return "week"
    return "month"
