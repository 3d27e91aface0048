"""Reliability: MTBF, MTTR, failure rate with its confidence bounds and ISO 14224 availability for
the selection, by equipment class, by unit and by failure mode. Support equipment (master data:
equipment.work_units; pumps, compressors) is listed apart from the work units: it runs continuously,
so its operating time is its time in service minus its downtime, not the AUPT of production runs."""

from __future__ import annotations

from django.urls import reverse

from equipment.models import Equipment, EquipmentClass
from equipment.work_units import is_work_unit

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
        "operating_h": sum(float((rate.elements if rate else {}).get(e, 0)) for e in ("AUPT", "OT_SUPPORT")) / 3600,
        "mtbf": kpis.value(results.get("mtbf")), "mttr": kpis.value(results.get("mttr")),
        "failure_rate": kpis.value(rate), "rate_lower": details.get("lower"), "rate_upper": details.get("upper"),
        "availability": kpis.value(results.get("availability_iso14224")),
        "note": "; ".join(reasons),
    }


def _columns(*first: Column) -> list[Column]:
    return [*first, Column("failures", "Failures", INTEGER), Column("operating_h", "Operating time", HOURS),
            Column("mtbf", "MTBF", HOURS), Column("mttr", "MTTR", HOURS),
            Column("failure_rate", "λ per 1,000 h", RATE), Column("rate_lower", "λ lower (90 %)", RATE),
            Column("rate_upper", "λ upper (90 %)", RATE), Column("availability", "Availability (ISO 14224)", PERCENT),
            Column("note", "Note")]


def work_units(class_codes) -> dict[str, bool]:
    """Per equipment class code: whether its units are work units."""
    return dict(EquipmentClass.objects.filter(code__in=list(class_codes)).values_list("code", "is_work_unit"))


@workbench_view("reliability.view_factdowntime")
def reliability(request):
    selection = selection_from(request)
    overall = _row("selection", kpis.totals(CODES, selection))
    by_class = kpis.grouped(CODES, selection, "equipment_class")
    by_unit = kpis.grouped(CODES, selection, "equipment")
    by_mode = kpis.grouped(CODES, selection, "failure_mode")
    class_works = work_units(by_class)
    units = Equipment.objects.filter(code__in=list(by_unit)).select_related("equipment_class")
    unit_works = {unit.code: is_work_unit(unit) for unit in units}
    # The class beside each unit, so "how reliable are its pumps" is read off the table.
    unit_classes = {unit.code: str(unit.equipment_class.name) if unit.equipment_class else "" for unit in units}
    unit_page = reverse("workbench:unit")

    def unit_rows(support: bool) -> list[dict]:
        rows = []
        for code, results in by_unit.items():
            if unit_works.get(code, True) == support:
                continue
            row = _row(code, results) | {"class_name": unit_classes.get(code, "")}
            if row["failures"] == 0 and row["operating_h"] == 0 and row["mttr"] is None and support is False:
                continue
            row["url"] = f"{unit_page}?{selection.query(node=code)}"
            rows.append(row)
        return sorted(rows, key=lambda r: (-r["failures"], r["group"]))

    class_rows = sorted((_row(code, results) | {"support": not class_works.get(code, True)}
                         for code, results in by_class.items()), key=lambda r: (r["support"], r["group"]))
    mode_rows = sorted((_row(code, results) for code, results in by_mode.items() if code not in ("none", "all")),
                       key=lambda r: (-r["failures"], r["group"]))
    tables = [
        Table("summary", "The selection", _columns(Column("group", "")), [overall]),
        Table("classes", "By equipment class (support classes last)", _columns(Column("group", "Class")),
              class_rows),
        Table("units", "Work units, most failures first",
              _columns(Column("group", "Unit", link_key="url"), Column("class_name", "Class")), unit_rows(False)),
        Table("support", "Support equipment (pumps, compressors: runs continuously; not in OEE)",
              _columns(Column("group", "Unit", link_key="url"), Column("class_name", "Class")), unit_rows(True),
              note="Operating time (ISO 14224) of support equipment is its time in service minus its recorded "
                   "downtime; of a work unit, its AUPT (runs and setup)."),
        Table("modes", "By ISO 14224 failure mode (operating time of the whole selection is the exposure)",
              _columns(Column("group", "Failure mode")), mode_rows),
    ]
    stem = f"reliability-{selection.node.code if selection.node else 'plant'}-{selection.start}-{selection.end}"
    if export := export_requested(request, tables, stem):
        return export
    work_classes = [r for r in class_rows if r["mtbf"] is not None]
    return render_page(request, "workbench/reliability.html", {
        "tables": tables, "overall": overall,
        "mtbf_chart": charts.bar_chart([r["group"] for r in work_classes],
                                       {"MTBF (h)": [r["mtbf"] for r in work_classes]}, fmt="hours"),
        "mode_chart": charts.pareto_chart([r["group"] for r in mode_rows], [r["failures"] for r in mode_rows],
                                          fmt="number", name="failures"),
    }, title="Reliability", selection=selection)
