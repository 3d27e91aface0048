"""Performance home: OEE and its factors for a node of the plant, with trend, sparkline and the
node's children worst first; the landing page after login."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from equipment.choices import TaxonomyLevel
from equipment.models import Equipment

from .. import charts, kpis
from ..selection import COMPARISONS, comparison_from, selection_from
from ..tables import PERCENT, TEXT, Column, Table, export_requested
from .base import render_page, workbench_view

KPI_LABELS = {"oee": "OEE", "availability": "Availability", "effectiveness": "Effectiveness",
              "quality_ratio": "Quality ratio"}
# Trend arrows ignore changes smaller than this (a tenth of a percentage point).
STEADY = 0.001


def ancestors(node: Equipment | None) -> list[Equipment]:
    """The node's ancestors from the top of the tree down, then the node itself."""
    if node is None:
        return []
    codes = node.path.split("/")
    by_code = {e.code: e for e in Equipment.objects.filter(code__in=codes)}
    return [by_code[code] for code in codes if code in by_code]


def children_of(node: Equipment | None) -> list[Equipment]:
    """The node's active children; for the whole plant its sites, or a single site's areas (a table of
    one row would only add a click)."""
    queryset = Equipment.objects.filter(is_active=True).select_related("equipment_class").order_by("code")
    if node is not None:
        return list(queryset.filter(parent=node))
    roots = list(queryset.filter(parent__isnull=True))
    return list(queryset.filter(parent=roots[0])) if len(roots) == 1 else roots


def trend(current: float | None, previous: float | None) -> dict | None:
    if current is None or previous is None:
        return None
    delta = current - previous
    direction = "steady" if abs(delta) < STEADY else ("up" if delta > 0 else "down")
    return {"delta": delta, "direction": direction, "previous": previous}


@workbench_view("production.view_factproduction")
def home(request):
    selection = selection_from(request)
    comparison = comparison_from(request, selection)
    current = kpis.totals(kpis.OEE_FAMILY, selection)
    # Trend arrows compare with the chosen range, or with the period just before.
    previous = kpis.totals(kpis.OEE_FAMILY, comparison or selection.previous())
    granularity = kpis.sparkline_granularity(selection.days)
    periods, trend_series = kpis.series(kpis.OEE_FAMILY, selection, granularity)

    cards = []
    for code in kpis.OEE_FAMILY:
        result = current[code]
        cards.append({
            "code": code, "label": KPI_LABELS[code], "result": result,
            "trend": trend(result.value, previous[code].value),
            "sparkline": charts.sparkline([kpis.value(r) for r in trend_series[code]]),
        })

    try:
        unit_page = reverse("workbench:unit")
    except NoReverseMatch:
        unit_page = None
    rows = []
    for child in children_of(selection.node):
        child_totals = kpis.totals(kpis.OEE_FAMILY, selection, equipment=[child.code])
        produced = (child_totals["oee"].elements or {}).get("PQ", 0)
        compared = {}
        if comparison is not None:
            then = kpis.totals(["oee"], comparison, equipment=[child.code])["oee"].value
            now = child_totals["oee"].value
            compared = {"oee_compared": then, "oee_change": None if then is None or now is None else now - then}
        is_unit = child.taxonomy_level >= TaxonomyLevel.EQUIPMENT_UNIT
        rows.append({
            "code": child.code, "name": child.name,
            "level": child.get_taxonomy_level_display(),
            "class": child.equipment_class.code if child.equipment_class_id else "",
            **{code: child_totals[code].value for code in kpis.OEE_FAMILY},
            "note": child_totals["oee"].reason or ("" if produced else "no production (support equipment)"),
            "drill_url": f"{reverse('workbench:home')}?{selection.query(node=child.code)}",
            "page_url": f"{unit_page}?{selection.query(node=child.code)}" if is_unit and unit_page else None,
            "produces": bool(produced),
            **compared,
        })
    # Worst first; children without production or without a value go last.
    rows.sort(key=lambda row: (not row["produces"], row["oee"] is None, row["oee"] or 0, row["code"]))

    trend_table = Table(
        "trend", f"OEE and its factors by {granularity}",
        [Column("period", "Period"), *[Column(code, KPI_LABELS[code], PERCENT) for code in kpis.OEE_FAMILY]],
        [{"period": period, **{code: kpis.value(trend_series[code][i]) for code in kpis.OEE_FAMILY}}
         for i, period in enumerate(periods)],
    )
    children_table = Table(
        "children", "Below this level, worst OEE first",
        [Column("code", "Code", TEXT, link_key="drill_url"), Column("name", "Name"), Column("level", "Level"),
         Column("class", "Class"), *[Column(code, KPI_LABELS[code], PERCENT) for code in kpis.OEE_FAMILY],
         *([Column("oee_compared", f"OEE, {comparison.range_label}", PERCENT),
            Column("oee_change", "OEE change", PERCENT)] if comparison else []),
         Column("note", "Note")],
        rows,
    )
    stem = f"performance-{selection.node.code if selection.node else 'plant'}-{selection.start}-{selection.end}"
    if export := export_requested(request, [trend_table, children_table], stem):
        return export

    return render_page(request, "workbench/home.html", {
        "trail": ancestors(selection.node),
        "cards": cards,
        "children_table": children_table,
        "trend_table": trend_table,
        "granularity_shown": granularity,
        "comparison": comparison, "comparisons": COMPARISONS,
        "is_unit": selection.node is not None and selection.node.taxonomy_level >= TaxonomyLevel.EQUIPMENT_UNIT,
    }, title="Performance", selection=selection)
