"""Reliability: MTBF, MTTR, failure rate with its confidence bounds and ISO 14224 availability for
the selection, by equipment class, by unit and by failure mode. Support equipment (units that run
and fail but produce nothing: pumps, compressors) is listed apart from the work units, because the
operating-time KPIs have no operating time to stand on there."""

from __future__ import annotations

from django.urls import reverse

from equipment.models import Equipment, EquipmentClass
from mfgplatform.kpi import compute_elements

from .. import charts, kpis
from ..selection import selection_from
from ..tables import HOURS, INTEGER, PERCENT, RATE, Column, Table, export_requested
from .base import render_page, workbench_view

CODES = ("mtbf", "mttr", "failure_rate", "availability_iso14224")


def _row(group: str, results: dict) -> dict:
    rate = results.get("failure_rate")
    details = rate.details if rate else {}
    reasons = sorted({r.reason for r in results.values() if r.reason})
    return {
        "group": group,
        "failures": int((rate.elements if rate else {}).get("FE", 0)),
        "operating_h": float((rate.elements if rate else {}).get("AUPT", 0)) / 3600,
        "mtbf": kpis.value(results.get("mtbf")), "mttr": kpis.value(results.get("mttr")),
        "failure_rate": kpis.value(rate), "rate_lower": details.get("lower"), "rate_upper": details.get("upper"),
        "availability": kpis.value(results.get("availability_iso14224")),
        "note": "; ".join(reasons),
    }


def _columns(first: Column) -> list[Column]:
    return [first, Column("failures", "Failures", INTEGER), Column("operating_h", "Operating time", HOURS),
            Column("mtbf", "MTBF", HOURS), Column("mttr", "MTTR", HOURS),
            Column("failure_rate", "λ per 1,000 h", RATE), Column("rate_lower", "λ lower (90 %)", RATE),
            Column("rate_upper", "λ upper (90 %)", RATE), Column("availability", "Availability (ISO 14224)", PERCENT),
            Column("note", "Note")]


def producing(selection, group_by: str) -> dict[str, bool]:
    """Per group code: whether it produced anything in the range (PQ of the time model above zero)."""
    model = Equipment if group_by == "equipment" else EquipmentClass
    rows = compute_elements("time_model", equipment=selection.equipment, start=selection.start,
                            end=selection.end, group_by=group_by)
    codes = model.objects.in_bulk([row.group for row in rows])
    return {codes[row.group].code: float(row.elements["PQ"] or 0) > 0 for row in rows if row.group in codes}


@workbench_view("reliability.view_factdowntime")
def reliability(request):
    selection = selection_from(request)
    overall = _row("selection", kpis.totals(CODES, selection))
    by_class = kpis.grouped(CODES, selection, "equipment_class")
    by_unit = kpis.grouped(CODES, selection, "equipment")
    by_mode = kpis.grouped(CODES, selection, "failure_mode")
    class_produces, unit_produces = producing(selection, "equipment_class"), producing(selection, "equipment")
    unit_page = reverse("workbench:unit")

    def unit_rows(support: bool) -> list[dict]:
        rows = []
        for code, results in by_unit.items():
            if unit_produces.get(code, False) == support:
                continue
            row = _row(code, results)
            if row["failures"] == 0 and row["operating_h"] == 0 and row["mttr"] is None and support is False:
                continue
            row["url"] = f"{unit_page}?{selection.query(node=code)}"
            rows.append(row)
        return sorted(rows, key=lambda r: (-r["failures"], r["group"]))

    class_rows = sorted((_row(code, results) | {"support": not class_produces.get(code, False)}
                         for code, results in by_class.items()), key=lambda r: (r["support"], r["group"]))
    mode_rows = sorted((_row(code, results) for code, results in by_mode.items() if code not in ("none", "all")),
                       key=lambda r: (-r["failures"], r["group"]))
    tables = [
        Table("summary", "The selection", _columns(Column("group", "")), [overall]),
        Table("classes", "By equipment class (support classes last)", _columns(Column("group", "Class")),
              class_rows),
        Table("units", "Work units, most failures first", _columns(Column("group", "Unit", link_key="url")),
              unit_rows(False)),
        Table("support", "Support equipment (produces nothing: no operating time, so no MTBF, λ or availability)",
              _columns(Column("group", "Unit", link_key="url")), unit_rows(True),
              note="Failures and MTTR are counted as for work units; the operating-time KPIs need AUPT, "
                   "which only production runs record."),
        Table("modes", "By ISO 14224 failure mode (operating time of the whole selection is the exposure)",
              _columns(Column("group", "Failure mode")), mode_rows),
    ]
    stem = f"reliability-{selection.node.code if selection.node else 'plant'}-{selection.start}-{selection.end}"
    if export := export_requested(request, tables, stem):
        return export
    work_classes = [r for r in class_rows if not r["support"] and r["mtbf"] is not None]
    return render_page(request, "workbench/reliability.html", {
        "tables": tables, "overall": overall,
        "mtbf_chart": charts.bar_chart([r["group"] for r in work_classes],
                                       {"MTBF (h)": [r["mtbf"] for r in work_classes]}, fmt="hours"),
        "mode_chart": charts.pareto_chart([r["group"] for r in mode_rows], [r["failures"] for r in mode_rows],
                                          fmt="number", name="failures"),
    }, title="Reliability", selection=selection)
