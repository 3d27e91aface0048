"""Quality overview: defect Pareto by defect type and the FPY, DPMO and PPM trend for the selection.
Capability per characteristic (control charts, Cp/Cpk/Pp/Ppk) is the quality app's own page, linked
from here."""

from __future__ import annotations

from django.urls import reverse

from mfgplatform.kpi import compute_elements
from quality.models import DefectType

from .. import charts, events, kpis
from ..selection import selection_from
from ..tables import INTEGER, NUMBER, PERCENT, Column, Table, export_requested
from .base import render_page, workbench_view

TREND = ("fpy", "dpmo", "ppm_defective")
MEASURES = {"defects": "defects", "defective": "defective units", "scrap": "scrapped units"}
ELEMENT = {"defects": "DEFECTS", "defective": "DEFECTIVE", "scrap": "SCRAP"}
DRILL_LIMIT = 200


@workbench_view("quality.view_factquality")
def quality(request):
    selection = selection_from(request)
    measure = request.GET.get("measure") if request.GET.get("measure") in MEASURES else "defects"
    sums = compute_elements("defects_by_type", equipment=selection.equipment, start=selection.start,
                            end=selection.end, group_by="defect_type")
    types = DefectType.objects.in_bulk([row.group for row in sums if row.group])
    base = f"{reverse('workbench:quality')}?{selection.query(measure=measure)}"
    rows = []
    for row in sums:
        defect_type = types.get(row.group)
        if defect_type is None:
            continue  # defect type 0: inspections without a defect
        rows.append({
            "code": defect_type.code, "name": defect_type.name, "category": defect_type.get_category_display(),
            "defects": int(row.elements["DEFECTS"]), "defective": float(row.elements["DEFECTIVE"]),
            "scrap": float(row.elements["SCRAP"]), "scrap_cost": float(row.elements["SCRAP_COST"]),
            "drill_url": f"{base}&defect={defect_type.code}#defects",
        })
    rows = [r for r in rows if r[measure]]
    rows.sort(key=lambda r: (-r[measure], r["code"]))
    total = sum(r[measure] for r in rows) or 1
    running = 0.0
    for r in rows:
        running += r[measure]
        r["share"], r["cumulative"] = r[measure] / total, running / total

    periods, trend = kpis.series(TREND, selection, selection.granularity)
    totals = kpis.totals(TREND, selection)
    tables = [
        Table("pareto", f"By defect type, by {MEASURES[measure]}, largest first",
              [Column("code", "Defect type", link_key="drill_url"), Column("name", "Name"),
               Column("category", "Category"), Column("defects", "Defects", INTEGER),
               Column("defective", "Defective units", INTEGER), Column("scrap", "Scrap", INTEGER),
               Column("scrap_cost", "Scrap cost", NUMBER), Column("share", "Share", PERCENT),
               Column("cumulative", "Cumulative", PERCENT)], rows),
        Table("trend", f"FPY, DPMO and PPM by {selection.granularity}",
              [Column("period", "Period"), Column("fpy", "FPY", PERCENT), Column("dpmo", "DPMO", NUMBER),
               Column("ppm_defective", "PPM defective", NUMBER)],
              [{"period": p, **{code: kpis.value(trend[code][i]) for code in TREND}} for i, p in enumerate(periods)]),
    ]
    drilled = DefectType.objects.filter(code=request.GET.get("defect") or "").first()
    if drilled is not None:
        scope = events.EventScope.of(selection.equipment, selection.start, selection.end)
        tables.append(Table(
            "defects", f"Inspections with {drilled.code} {drilled.name} (latest first, at most {DRILL_LIMIT})",
            [Column("inspected_at", "Inspected", link_key="url"), Column("equipment", "Unit"),
             Column("product", "Product"), Column("inspected", "Inspected", NUMBER),
             Column("defective", "Defective", NUMBER), Column("defects", "Defects", INTEGER)],
            events.defects(scope, defect_type_ids=[drilled.pk], limit=DRILL_LIMIT)))
    stem = f"quality-{selection.node.code if selection.node else 'plant'}-{selection.start}-{selection.end}"
    if export := export_requested(request, tables, stem):
        return export
    return render_page(request, "workbench/quality.html", {
        "tables": tables, "totals": totals, "measure": measure, "measures": MEASURES, "drilled": drilled,
        "pareto_chart": charts.pareto_chart([r["code"] for r in rows], [r[measure] for r in rows], fmt="number",
                                            urls=[r["drill_url"] for r in rows], name=MEASURES[measure]),
        "fpy_chart": charts.line_chart(periods, {"FPY": [kpis.value(r) for r in trend["fpy"]]}, scale=True),
        "ppm_chart": charts.line_chart(periods, {"DPMO": [kpis.value(r) for r in trend["dpmo"]],
                                                 "PPM defective": [kpis.value(r) for r in trend["ppm_defective"]]},
                                       fmt="number"),
        "extra_params": {"measure": measure},
    }, title="Quality", selection=selection)
