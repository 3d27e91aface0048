"""Downtime Pareto: stop time or stop count by downtime reason for any subtree and range, with the
cumulative share, each reason's ISO 22400 time category and ISO 14224 failure mode, and a drill into
the stops behind a bar."""

from __future__ import annotations

from django.urls import reverse

from mfgplatform.kpi import compute_elements
from reliability.choices import TimeCategory
from reliability.models import DowntimeReason

from .. import charts, events
from ..selection import COMPARISONS, comparison_from, selection_from
from ..tables import HOURS, INTEGER, MINUTES, PERCENT, Column, Table, export_requested
from .base import render_page, workbench_view

# The ISO 22400 time categories, for the toggles: the admin's words (one source, time_elements).
CATEGORY_NAMES = dict(TimeCategory.choices)
MEASURES = {"duration": "stop time (h)", "count": "stops"}
DRILL_LIMIT = 200


def pareto_rows(selection, *, measure: str, category: str | None) -> list[dict]:
    """One row per reason with stops in the selection, largest first, with its share and the
    cumulative share of the total shown."""
    sums = compute_elements("downtime_by_reason", equipment=selection.equipment, start=selection.start,
                            end=selection.end, group_by="reason")
    reasons = DowntimeReason.objects.select_related("failure_mode").in_bulk([row.group for row in sums])
    rows = []
    for row in sums:
        reason = reasons[row.group]
        if category and reason.time_category != category:
            continue
        rows.append({
            "code": reason.code, "name": reason.name, "category": reason.get_time_category_display(),
            "failure_mode": reason.failure_mode.code if reason.failure_mode_id else "",
            "failure_mode_name": reason.failure_mode.name if reason.failure_mode_id else "",
            "stops": int(row.elements["STOPS"]), "hours": float(row.elements["STOP_S"]) / 3600,
            "open_stops": int(row.elements["OPEN_STOPS"]),
        })
    key = "hours" if measure == "duration" else "stops"
    rows.sort(key=lambda r: (-r[key], r["code"]))
    total = sum(r[key] for r in rows) or 1
    running = 0.0
    for r in rows:
        running += r[key]
        r["share"], r["cumulative"] = r[key] / total, running / total
    return rows


@workbench_view("reliability.view_factdowntime")
def pareto(request):
    selection = selection_from(request)
    measure = request.GET.get("measure") if request.GET.get("measure") in MEASURES else "duration"
    category = request.GET.get("category") if request.GET.get("category") in TimeCategory.values else None
    rows = pareto_rows(selection, measure=measure, category=category)
    comparison = comparison_from(request, selection)
    compare_columns = []
    if comparison is not None:
        then = {r["code"]: r for r in pareto_rows(comparison, measure=measure, category=category)}
        for r in rows:
            before = then.get(r["code"], {"hours": 0.0, "stops": 0})
            r["hours_compared"], r["stops_compared"] = before["hours"], before["stops"]
            r["hours_change"], r["stops_change"] = r["hours"] - before["hours"], r["stops"] - before["stops"]
        compare_columns = [Column("stops_compared", f"Stops, {comparison.range_label}", INTEGER),
                           Column("hours_compared", f"Stop time, {comparison.range_label}", HOURS),
                           Column("hours_change", "Stop time change", HOURS)]
    base = f"{reverse('workbench:pareto')}?{selection.query(measure=measure, category=category)}"
    for r in rows:
        r["drill_url"] = f"{base}&reason={r['code']}#stops"

    pareto_table = Table(
        "pareto", f"Downtime by reason, by {MEASURES[measure]}, largest first",
        [Column("code", "Reason", link_key="drill_url"), Column("name", "Name"), Column("category", "Time category"),
         Column("failure_mode", "Failure mode (ISO 14224)"), Column("stops", "Stops", INTEGER),
         Column("hours", "Stop time", HOURS), Column("share", "Share", PERCENT),
         Column("cumulative", "Cumulative", PERCENT), *compare_columns],
        rows, note="Stops are counted on the production day they start; stop time is their full duration.",
    )
    tables = [pareto_table]
    drilled = None
    if request.GET.get("reason"):
        drilled = DowntimeReason.objects.filter(code=request.GET["reason"]).first()
    if drilled is not None:
        scope = events.EventScope.of(selection.equipment, selection.start, selection.end)
        stop_rows = events.stops(scope, reason_ids=[drilled.pk], limit=DRILL_LIMIT)
        tables.append(Table(
            "stops", f"Stops for {drilled.code} {drilled.name} (latest first, at most {DRILL_LIMIT})",
            [Column("started_at", "Start", link_key="url"), Column("ended_at", "End"), Column("equipment", "Unit"),
             Column("failure_mode", "Failure mode"), Column("minutes", "Duration", MINUTES)],
            stop_rows,
        ))
    stem = f"downtime-pareto-{selection.node.code if selection.node else 'plant'}-{selection.start}-{selection.end}"
    if export := export_requested(request, tables, stem):
        return export

    key = "hours" if measure == "duration" else "stops"
    chart = charts.pareto_chart([r["code"] for r in rows], [r[key] for r in rows],
                                fmt="hours" if measure == "duration" else "number",
                                urls=[r["drill_url"] for r in rows], name=MEASURES[measure])
    return render_page(request, "workbench/pareto.html", {
        "chart": chart, "pareto_table": pareto_table, "stops_table": tables[1] if drilled else None,
        "drilled": drilled, "measure": measure, "measures": MEASURES, "category": category,
        "categories": list(CATEGORY_NAMES.items()), "comparison": comparison, "comparisons": COMPARISONS,
        "extra_params": {"measure": measure, **({"category": category} if category else {})},
    }, title="Downtime Pareto", selection=selection)
