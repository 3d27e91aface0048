"""A control chart as JSON (the API and the page), CSV (one row per point) and a text table."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import asdict
from typing import Any

from .charts import Panel
from .estimators import DESCRIPTIONS as ESTIMATORS
from .service import ChartResult

CSV_COLUMNS = ["panel", "index", "label", "at", "n", "value", "centre", "lcl", "ucl", "phase", "rules"]


def _finite(value):
    return value if not isinstance(value, float) or math.isfinite(value) else None


def _violations(panel: Panel) -> list[dict[str, Any]]:
    return [{"rule": v.rule, "description": v.description, "point": v.index, "label": panel.samples.describe(v.index),
             "points": list(v.points)} for v in panel.violations]


def as_dict(result: ChartResult, *, points: bool = True) -> dict[str, Any]:
    chart, selection = result.chart, result.selection
    return {
        "chart": chart.chart_type, "title": chart.title,
        "selection": {"characteristic": selection.characteristic, "start": selection.start.isoformat(),
                      "end": selection.end.isoformat(),
                      "baseline": None if selection.baseline_start is None else
                      [selection.baseline_start.isoformat(), selection.baseline_end.isoformat()]},
        "estimator": chart.estimator, "estimator_description": ESTIMATORS.get(chart.estimator),
        "sigma_within": _finite(chart.sigma_within), "centre": _finite(chart.centre),
        "baseline_points": chart.baseline_points, "rule_set": chart.rule_set,
        "capability": None if result.capability is None else
        {key: _finite(value) for key, value in asdict(result.capability).items()},
        "panels": [
            {"name": panel.name, "title": panel.title, "points_count": len(panel.values),
             **({"points": [{k: _finite(v) for k, v in p.items()} for p in panel.points()]} if points else {}),
             "violations": _violations(panel)}
            for panel in chart.panels
        ],
    }


def as_json(result: ChartResult, *, points: bool = True) -> str:
    return json.dumps(as_dict(result, points=points), indent=2, default=str)


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ could run as a formula in a spreadsheet (OWASP CSV injection).
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def as_csv(result: ChartResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for panel in result.chart.panels:
        rules: dict[int, list[str]] = {}
        for v in panel.violations:
            rules.setdefault(v.index, []).append(v.rule)
        for p in panel.points():
            writer.writerow([panel.name, p["index"], _csv_safe(p["label"]), p["at"], p["n"], repr(p["value"]),
                             repr(p["centre"]), repr(p["lcl"]), repr(p["ucl"]), p["phase"],
                             ";".join(rules.get(p["index"], []))])
    return buffer.getvalue()


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{value:.6g}"


def _span(values) -> str:
    low, high = float(min(values)), float(max(values))
    return _fmt(low) if low == high else f"{_fmt(low)} … {_fmt(high)}"


def as_table(result: ChartResult, *, points: bool = False) -> str:
    chart, lines = result.chart, []
    subject = f"{result.selection.characteristic} " if result.selection.characteristic else ""
    lines.append(f"{chart.title}: {subject}{result.selection.start} … {result.selection.end}")
    if chart.estimator:
        lines.append(f"σ_within {_fmt(chart.sigma_within)} ({ESTIMATORS[chart.estimator]})")
    lines.append(f"phase I: {chart.baseline_points} points; rules: {chart.rule_set}")
    for panel in chart.panels:
        lines.append("")
        lines.append(f"{panel.title}: {len(panel.values)} points, centre {_span(panel.centres)}, "
                     f"LCL {_span(panel.lcls)}, UCL {_span(panel.ucls)}, {len(panel.violations)} signals")
        if points:
            for p in panel.points():
                lines.append(f"  {p['index']:>6} {p['label']:<40} {_fmt(p['value']):>12} "
                             f"[{_fmt(p['lcl'])}, {_fmt(p['ucl'])}] {p['phase']}")
        for v in panel.violations:
            involved = ", ".join(map(str, v.points))
            lines.append(f"  {v.rule:<16} at {panel.samples.describe(v.index)} (points {involved})")
    if result.capability is not None:
        c = result.capability
        lines.append("")
        lines.append(f"capability: n {c.n}, mean {_fmt(c.mean)}, σ_within {_fmt(c.sigma_within)}, "
                     f"σ_overall {_fmt(c.sigma_overall)}, LSL {_fmt(c.lsl)}, USL {_fmt(c.usl)}")
        lines.append(f"  Cp {_fmt(c.cp)}  Cpk {_fmt(c.cpk)}  Pp {_fmt(c.pp)}  Ppk {_fmt(c.ppk)} {c.note}".rstrip())
    return "\n".join(lines) + "\n"
