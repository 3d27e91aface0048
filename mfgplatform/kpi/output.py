"""Rendering KPI results as a text table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from .types import KpiResult, value_unit

CSV_COLUMNS = ["kpi", "standard", "period", "group", "value", "unit", "reason", "flags", "formula", "elements",
               "data_as_of", "stale"]


def display_value(result: KpiResult) -> str:
    if result.value is None:
        return "—"
    if result.unit == "%":
        return f"{result.value * 100:.2f} %"
    if abs(result.value) != 0 and (abs(result.value) < 1e-3 or abs(result.value) >= 1e6):
        return f"{result.value:.4g} {result.unit}"
    return f"{result.value:,.4f} {result.unit}"


def as_json(results: Sequence[KpiResult]) -> str:
    return json.dumps([r.as_dict() | {"display": display_value(r)} for r in results], indent=2, default=str)


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ could run as a formula in a spreadsheet (OWASP CSV injection).
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def as_csv(results: Sequence[KpiResult]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for r in results:
        writer.writerow([
            r.kpi, r.standard, r.period, r.group or "", "" if r.value is None else repr(r.value),
            _csv_safe(value_unit(r.unit)), _csv_safe(r.reason or ""), ";".join(r.flags), _csv_safe(r.formula),
            json.dumps(r.elements), r.data_as_of.isoformat() if r.data_as_of else "", "yes" if r.stale else "no",
        ])
    return buffer.getvalue()


def as_table(results: Sequence[KpiResult]) -> str:
    rows = [("KPI", "period", "group", "value", "flags / reason")]
    for r in results:
        rows.append((r.kpi, r.period, r.group or "", display_value(r), " ".join(r.flags) or (r.reason or "")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines) + "\n" + freshness_line(results)


def freshness_line(results: Sequence[KpiResult]) -> str:
    """ "data as of …", and STALE with the reason when the aggregates behind the answer are behind."""
    first = next((r for r in results if r.data_as_of or r.stale), None)
    if first is None:
        return ""
    as_of = f"{first.data_as_of:%Y-%m-%d %H:%M} UTC" if first.data_as_of else "never"
    return f"data as of {as_of}" + (f" — STALE: {first.stale_reason}" if first.stale else "") + "\n"
