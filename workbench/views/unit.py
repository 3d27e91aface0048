"""Unit / line page: OEE trend, the ISO 22400 loss waterfall, OEE by shift and the node's events."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

from mfgplatform.calendar import UNSCHEDULED
from mfgplatform.kpi import compute_elements
from mfgplatform.time_elements import label

from .. import charts, events, kpis
from ..selection import COMPARISONS, comparison_from, selection_from
from ..tables import HOURS, INTEGER, MINUTES, NUMBER, PERCENT, TEXT, Column, Table, export_requested
from .base import render_page, workbench_view
from .home import KPI_LABELS, ancestors

HOUR = 3600.0


def loss_steps(elements: dict) -> list[dict]:
    """The ISO 22400 time model from POT down to value-adding time, in hours: each loss and the time
    left after it. Speed loss is APT − PRI·PQ (negative when the unit ran faster than its PRI),
    quality loss PRI·PQ − PRI·GQ."""
    e = {key: float(value or 0) / HOUR for key, value in elements.items()}
    steps = [
        ("POT", "POT", label("POT"), e["POT"], "total"),
        ("PDT", "Planned", label("PDT"), e["PDT"], "loss"),
        ("PBT", "PBT", label("PBT"), e["PBT"], "subtotal"),
        ("ADOT", "Idle", label("ADOT"), e["ADOT"], "loss"),
        ("AUBT", "AUBT", label("AUBT"), e["AUBT"], "subtotal"),
        ("ADET", "Delay", label("ADET"), e["ADET"], "loss"),
        ("AUPT", "AUPT", label("AUPT"), e["AUPT"], "subtotal"),
        ("AUST", "Setup", label("AUST"), e["AUST"], "loss"),
        ("APT", "APT", label("APT"), e["APT"], "subtotal"),
        ("SPEED", "Speed", "Speed loss (APT − PRI·PQ)", e["APT"] - e["PRI_PQ"], "loss"),
        ("PRI_PQ", "PRI·PQ", label("PRI_PQ"), e["PRI_PQ"], "subtotal"),
        ("QUALITY", "Quality", "Quality loss (PRI·PQ − PRI·GQ)", e["PRI_PQ"] - e["PRI_GQ"], "loss"),
        ("PRI_GQ", "Value-adding", label("PRI_GQ"), e["PRI_GQ"], "total"),
    ]
    pot = e["POT"] or None
    return [{"element": code, "short": short, "label": label, "hours": hours, "kind": kind,
             "share_of_pot": hours / pot if pot else None} for code, short, label, hours, kind in steps]


def shift_heatmap(periods: list[str], results: list) -> tuple[dict, Table]:
    """OEE per production day (x) and shift (y) from the service's shift periods "YYYY-MM-DD CODE"."""
    days, shifts, values = [], [], {}
    for period, result in zip(periods, results, strict=True):
        day, _, shift = period.partition(" ")
        if day not in days:
            days.append(day)
        if shift not in shifts:
            shifts.append(shift)
        values[day, shift] = kpis.value(result)
    shifts.sort(key=lambda code: (code == UNSCHEDULED, code))  # the unscheduled occurrence last
    cells = [(x, y, values.get((day, shift))) for x, day in enumerate(days) for y, shift in enumerate(shifts)
             if (day, shift) in values]
    table = Table("shifts", "OEE by production day and shift",
                  [Column("day", "Day"), *[Column(shift, shift, PERCENT) for shift in shifts]],
                  [{"day": day, **{shift: values.get((day, shift)) for shift in shifts}} for day in days],
                  note=f"Empty: the shift did not run, or nothing was planned (PBT zero). {UNSCHEDULED}: "
                       "activity outside every shift (its POT is that off-shift span).")
    return charts.heatmap(days, shifts, cells), table


@workbench_view("production.view_factproduction")
def unit(request):
    selection = selection_from(request)
    if selection.node is None:
        # The page is about one node; without one the home's plant view is the right page.
        return redirect(f"{reverse('workbench:home')}?{selection.query()}")
    granularity = selection.granularity
    periods, trend = kpis.series(kpis.OEE_FAMILY, selection, granularity)
    totals = compute_elements("time_model", equipment=selection.equipment, start=selection.start, end=selection.end)
    steps = loss_steps(totals[0].elements) if totals else []
    comparison = comparison_from(request, selection)
    compare_columns = []
    if comparison is not None:
        then = compute_elements("time_model", equipment=comparison.equipment, start=comparison.start,
                                end=comparison.end)
        then_steps = {s["element"]: s for s in loss_steps(then[0].elements)} if then else {}
        for step in steps:
            before = then_steps.get(step["element"], {})
            step["hours_compared"], step["share_compared"] = before.get("hours"), before.get("share_of_pot")
        compare_columns = [Column("hours_compared", f"Hours, {comparison.range_label}", HOURS),
                           Column("share_compared", f"Share, {comparison.range_label}", PERCENT)]
    shift_periods, shift_results = kpis.series(["oee"], selection, "shift")
    heatmap_chart, shift_table = shift_heatmap(shift_periods, shift_results["oee"])
    scope = events.EventScope.of(selection.equipment, selection.start, selection.end)

    trend_table = Table(
        "trend", f"OEE and its factors by {granularity}",
        [Column("period", "Period"), *[Column(code, KPI_LABELS[code], PERCENT) for code in kpis.OEE_FAMILY]],
        [{"period": period, **{code: kpis.value(trend[code][i]) for code in kpis.OEE_FAMILY}}
         for i, period in enumerate(periods)],
    )
    waterfall_table = Table(
        "losses", "ISO 22400 time model: losses from POT to value-adding time",
        [Column("element", "Code"), Column("label", "Element"), Column("hours", "Hours", HOURS),
         Column("share_of_pot", "Share of POT", PERCENT), *compare_columns],
        steps, note="OEE = value-adding time / PBT. Speed loss below zero: the unit ran faster than its PRI.",
    )
    admin_filter = f"?equipment__id__exact={selection.node.pk}" if selection.node.taxonomy_level >= 6 else ""
    event_tables = [
        Table("stops", "Stops (latest first)",
              [Column("started_at", "Start", link_key="url"), Column("ended_at", "End"), Column("equipment", "Unit"),
               Column("reason", "Reason"), Column("category", "Time category"),
               Column("failure_mode", "Failure mode"), Column("minutes", "Duration", MINUTES)],
              events.stops(scope)),
        Table("runs", "Production runs (latest first)",
              [Column("started_at", "Start", link_key="url"), Column("ended_at", "End"), Column("equipment", "Unit"),
               Column("product", "Product"), Column("order", "Order"), Column("minutes", "Duration", MINUTES),
               Column("produced", "Produced", INTEGER), Column("good", "Good", INTEGER)],
              events.runs(scope)),
        Table("defects", "Inspections with defects (latest first)",
              [Column("inspected_at", "Inspected", link_key="url"), Column("equipment", "Unit"), Column("kind", "Kind"),
               Column("product", "Product"), Column("defect_type", "Defect"), Column("inspected", "Inspected", NUMBER),
               Column("defective", "Defective", NUMBER), Column("defects", "Defects", INTEGER)],
              events.defects(scope)),
        Table("scrap", "Scrap (latest first)",
              [Column("occurred_at", "Time", link_key="url"), Column("equipment", "Unit"), Column("product", "Product"),
               Column("reason", "Reason"), Column("quantity", "Quantity", NUMBER), Column("planned", "Planned", TEXT)],
              events.scrap(scope)),
    ]
    tables = [trend_table, waterfall_table, shift_table, *event_tables]
    if export := export_requested(request, tables, f"unit-{selection.node.code}-{selection.start}-{selection.end}"):
        return export

    return render_page(request, "workbench/unit.html", {
        "trail": ancestors(selection.node),
        "trend_chart": charts.line_chart(periods, {KPI_LABELS[c]: [kpis.value(r) for r in trend[c]]
                                                   for c in kpis.OEE_FAMILY}),
        "trend_table": trend_table,
        "waterfall_chart": charts.waterfall([(s["short"], s["hours"], s["kind"]) for s in steps
                                             if s["kind"] != "subtotal"]),
        "waterfall_table": waterfall_table,
        "heatmap_chart": heatmap_chart,
        "shift_table": shift_table,
        "event_tables": event_tables,
        "event_limit": events.EVENT_LIMIT,
        "admin_filter": admin_filter, "comparison": comparison, "comparisons": COMPARISONS,
    }, title=f"{selection.node.code} · {selection.node.name}", selection=selection)
