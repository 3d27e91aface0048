"""Control charts in the browser: the characteristics of a selection, one characteristic's page (the
control chart, a capability histogram with the specification limits and the normal curves, the
indices beside it, the signals) and the same chart as JSON (the KPI API of the charts)."""

from __future__ import annotations

import datetime as dt
import math
from itertools import islice
from urllib.parse import urlencode

import numpy as np
from django.db import connection
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import reverse

from mfgplatform.models import IngestToken
from workbench import charts as wb_charts
from workbench.selection import selection_from
from workbench.tables import INTEGER, NUMBER, TEXT, Column, Table, export_requested
from workbench.views.base import render_page, workbench_view

from .spc import CHART_TYPES, RULE_SETS, ChartError, control_chart, select
from .spc.charts import TITLES
from .spc.estimators import DESCRIPTIONS as ESTIMATORS
from .spc.output import as_dict
from .spc.service import histogram

PERMISSION = "quality.view_factquality"
SUBGROUP_CHARTS = ("xbar_r", "xbar_s", "i_mr")
SIGNAL_ROWS = 100  # the table lists the first signals; the CSV and the JSON have them all


def _options(query) -> dict:
    """Chart options from the query string (chart, sigma, rules, product, baseline_start/_end)."""
    options = {"chart": query.get("chart") or "xbar_r", "sigma": query.get("sigma") or None,
               "rules": query.get("rules") or RULE_SETS[0], "product": query.get("product") or None}
    start, end = query.get("baseline_start"), query.get("baseline_end")
    options["baseline"] = (dt.date.fromisoformat(start), dt.date.fromisoformat(end)) if start and end else None
    return options


@workbench_view(PERMISSION)
def characteristics(request):
    selection = selection_from(request)
    where, params = ["production_date BETWEEN %s AND %s"], [selection.start, selection.end]
    if selection.node is not None:
        where.append("equipment_id IN (SELECT id FROM dim_equipment WHERE path = %s OR path LIKE %s)")
        params += [selection.node.path, f"{selection.node.path}/%"]
    with connection.cursor() as cursor:
        cursor.execute(f"""
SELECT characteristic, count(*) FILTER (WHERE subgroup <> 0), sum(n), count(DISTINCT equipment_id)
  FROM mv_quality_measurement WHERE {' AND '.join(where)}
 GROUP BY characteristic ORDER BY characteristic""", params)  # noqa: S608
        rows = cursor.fetchall()
    query = selection.query()
    table = Table("characteristics", "Measured characteristics in the selection",
                  [Column("characteristic", "Characteristic", TEXT, link_key="url"),
                   Column("subgroups", "Subgroups", INTEGER), Column("measurements", "Measurements", INTEGER),
                   Column("units", "Work units", INTEGER)],
                  [{"characteristic": code, "subgroups": subgroups, "measurements": int(measurements),
                    "units": units, "url": f"{reverse('quality:characteristic', args=[code])}?{query}"}
                   for code, subgroups, measurements, units in rows])
    exported = export_requested(request, [table], "characteristics")
    if exported:
        return exported
    return render_page(request, "quality/characteristics.html", {"table": table}, title="Control charts",
                       selection=selection)


def _chart_options(panel, *, name: str) -> dict:
    """A control chart panel as an ECharts option: the points, centre line and limits (steps where
    the subgroup size varies), the signalling points in red."""
    labels = [panel.samples.describe(i) for i in range(len(panel.values))]
    signalled = set(panel.violations.indices.tolist())

    limits = []
    marks = []
    for values, label, colour in ((panel.centres, "centre", wb_charts.GOOD), (panel.ucls, "UCL", wb_charts.LOSS),
                                  (panel.lcls, "LCL", wb_charts.LOSS)):
        if len(values) and float(values.min()) == float(values.max()):
            # A constant line: one mark instead of a value per point.
            marks.append({"yAxis": float(values[0]), "name": label, "lineStyle": {"color": colour}})
        else:
            limits.append({"name": label, "type": "line", "step": "middle", "showSymbol": False,
                           "data": [float(v) for v in values], "color": colour,
                           "lineStyle": {"type": "dashed", "width": 1}})
    points = {"name": name, "type": "line", "data": [float(v) for v in panel.values], "symbolSize": 3,
              "color": wb_charts.PRIMARY, "lineStyle": {"width": 1}}
    if marks:
        # ECharts rounds a mark line's value to `precision` decimals (2 by default), which would move
        # limits of a fine characteristic onto each other.
        points["markLine"] = {"symbol": "none", "silent": True, "precision": 12, "label": {"formatter": "{b}"},
                              "lineStyle": {"type": "dashed"}, "data": marks}
    return {
        "wbFormat": "number", "animation": False, "legend": {"top": 0, "right": 0},
        "grid": {"left": 56, "right": 48, "top": 36, "bottom": 64, "containLabel": True},
        "tooltip": {"trigger": "axis"},
        "dataZoom": [{"type": "inside"}, {"type": "slider", "height": 18, "bottom": 8}],
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"show": False}},
        "yAxis": {"type": "value", "scale": True, "name": name, **_axis_range(panel)},
        "series": [
            points, *limits,
            {"name": "signal", "type": "scatter", "symbolSize": 6, "color": wb_charts.LOSS,
             "data": [float(v) if i in signalled else None for i, v in enumerate(panel.values)]},
        ],
    }


def _axis_range(panel) -> dict:
    """Axis bounds that show the points and the limits (mark lines do not widen an axis)."""
    values = np.concatenate([panel.values, panel.lcls, panel.ucls, panel.centres])
    values = values[np.isfinite(values)]
    if not values.size:
        return {}
    low, high = float(values.min()), float(values.max())
    pad = (high - low) * 0.05 or abs(high) * 0.01 or 1.0
    # The padded ends are odd numbers: label only the regular ticks between them.
    return {"min": low - pad, "max": high + pad, "axisLabel": {"showMinLabel": False, "showMaxLabel": False}}


def _products(code: str, selection) -> list[tuple[str, int]]:
    """(product code, subgroups) of the characteristic in the selection, the most measured first."""
    where, params = ["v.characteristic = %s", "v.production_date BETWEEN %s AND %s"], [code, selection.start,
                                                                                        selection.end]
    if selection.node is not None:
        where.append("v.equipment_id IN (SELECT id FROM dim_equipment WHERE path = %s OR path LIKE %s)")
        params += [selection.node.path, f"{selection.node.path}/%"]
    with connection.cursor() as cursor:
        cursor.execute(f"""
SELECT p.code, count(*) FROM mv_quality_measurement AS v JOIN dim_product AS p ON p.id = v.product_id
 WHERE {' AND '.join(where)} GROUP BY p.code ORDER BY 2 DESC, 1""", params)  # noqa: S608
        return cursor.fetchall()


def _span(values) -> str:
    if not len(values):
        return "—"
    low, high = float(values.min()), float(values.max())
    return f"{low:.6g}" if low == high else f"{low:.6g} … {high:.6g}"


def _points_table(chart) -> Table:
    """Every point of every panel (exported as CSV only: a year is tens of thousands of rows)."""
    rows = []
    for panel in chart.panels:
        rules: dict[int, list[str]] = {}
        for v in panel.violations:
            rules.setdefault(v.index, []).append(v.rule)
        rows += [{"panel": panel.name, **point, "rules": ";".join(rules.get(point["index"], []))}
                 for point in panel.points()]
    return Table("points", "Points", [Column(key, key) for key in (
        "panel", "index", "label", "at", "n", "value", "centre", "lcl", "ucl", "phase", "rules")], rows)


def _normal_density(x: float, mean: float, sigma: float) -> float:
    return math.exp(-0.5 * ((x - mean) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def _histogram_options(bins: list[tuple[float, float, int]], capability) -> dict:
    """Bars of the measurements with the specification limits and the normal curves of σ_within and
    σ_overall, scaled to counts (count = density × measurements × bin width)."""
    if not bins:
        return {}
    width = bins[0][1] - bins[0][0]
    total = sum(count for *_, count in bins)
    centres = [(low + high) / 2 for low, high, _ in bins]
    series = [{"name": "measurements", "type": "bar", "barWidth": "96%", "color": wb_charts.ACCENT,
               "data": [[c, count] for c, (*_, count) in zip(centres, bins, strict=True)]}]
    for label, sigma, colour in (("within", capability.sigma_within, wb_charts.PRIMARY),
                                 ("overall", capability.sigma_overall, wb_charts.MUTED)):
        if sigma and math.isfinite(sigma):
            series.append({"name": f"normal ({label})", "type": "line", "showSymbol": False, "smooth": True,
                           "color": colour, "data": [[c, _normal_density(c, capability.mean, sigma) * total * width]
                                                    for c in centres]})
    limits = [{"xAxis": value, "name": name} for name, value in (("LSL", capability.lsl), ("USL", capability.usl))
              if value is not None]
    if limits:
        series[0]["markLine"] = {"symbol": "none", "precision": 12,
                                 "lineStyle": {"color": wb_charts.LOSS, "type": "solid"},
                                 "label": {"formatter": "{b}"}, "data": limits}
    low = min([bins[0][0]] + [x["xAxis"] for x in limits])
    high = max([bins[-1][1]] + [x["xAxis"] for x in limits])
    pad = (high - low) * 0.03
    return {"wbFormat": "number", "animation": False, "legend": {"top": 0, "right": 0},
            "grid": {"left": 56, "right": 24, "top": 36, "bottom": 32, "containLabel": True},
            "tooltip": {"trigger": "axis"}, "xAxis": {"type": "value", "min": low - pad, "max": high + pad,
                                                      "scale": True},
            "yAxis": {"type": "value", "name": "count"}, "series": series}


@workbench_view(PERMISSION)
def characteristic(request, code: str):
    selection = selection_from(request)
    try:
        options = _options(request.GET)
    except ValueError:
        return HttpResponseBadRequest("baseline_start and baseline_end must be dates (YYYY-MM-DD).")
    products = _products(code, selection)
    if options["product"] is None and len(products) > 1:
        # One chart per product: products of one characteristic have their own targets and limits, and
        # a chart mixing them would show their differences. The most measured one comes first.
        options["product"] = products[0][0]
        context_note = (f"{code} is measured on {len(products)} products with their own specifications: "
                        f"showing {products[0][0]}; choose another above.")
    else:
        context_note = ""
    context: dict = {"code": code, "options": options, "chart_types": [(k, TITLES[k]) for k in SUBGROUP_CHARTS],
                     "estimators": ESTIMATORS, "rule_sets": RULE_SETS, "error": None, "products": products,
                     "product_note": context_note}
    try:
        spc_selection = select(options["chart"], characteristic=code, product=options["product"],
                               equipment=selection.equipment, start=selection.start, end=selection.end,
                               baseline=options["baseline"])
        result = control_chart(spc_selection, estimator=options["sigma"], rule_set=options["rules"])
    except ValueError as error:  # ChartError too: no data, no baseline, a bad option
        context["error"] = str(error)
        result = None
    if result is not None:
        chart = result.chart
        context["result"] = result
        context["panels"] = [{"title": p.title, "chart_id": f"spc-{p.name}", "option": _chart_options(p, name=p.name),
                              "count": len(p.values), "signals": len(p.violations)} for p in chart.panels]
        count = chart.signal_count
        # The page lists the first signals (a drifting year has tens of thousands); the CSV all of them.
        listed = chart.violations
        if request.GET.get("export") != "signals":
            listed = islice(listed, SIGNAL_ROWS)
        signals = Table("signals", "Signals (rule, the point completing the pattern, the points involved)",
                        [Column("panel", "Chart"), Column("rule", "Rule"), Column("description", "Pattern"),
                         Column("point", "Point"), Column("points", "Points involved")],
                        [{"panel": panel.title, "rule": v.rule, "description": v.description,
                          "point": panel.samples.describe(v.index), "points": " ".join(str(i + 1) for i in v.points)}
                         for panel, v in listed],
                        note=(f"The first {SIGNAL_ROWS} of {count} signals; the CSV has them all."
                              if count > SIGNAL_ROWS else ""))
        limits = Table("limits", "Control limits (per point where subgroup sizes vary)",
                       [Column("panel", "Chart"), Column("points", "Points", INTEGER), Column("centre", "Centre"),
                        Column("lcl", "LCL"), Column("ucl", "UCL"), Column("signals", "Signals", INTEGER)],
                       [{"panel": p.title, "points": len(p.values), "centre": _span(p.centres), "lcl": _span(p.lcls),
                         "ucl": _span(p.ucls), "signals": len(p.violations)} for p in chart.panels],
                       note="Every point with its limits, phase and signals: the points CSV.")
        exported = export_requested(request, [signals, limits, _points_table(chart)], f"spc-{code}")
        if exported:
            return exported
        context["limits"] = limits
        shown = signals
        context["signals"] = shown
        if result.capability is not None:
            bins = histogram(spc_selection, result.capability)
            context["histogram"] = _histogram_options(bins, result.capability)
            c = result.capability
            context["indices"] = Table("indices", "Capability", [Column("index", "Index"), Column("value", "Value",
                                                                                                   NUMBER)],
                                       [{"index": label, "value": value} for label, value in (
                                           ("Cp", c.cp), ("Cpk", c.cpk), ("Pp", c.pp), ("Ppk", c.ppk),
                                           ("mean", c.mean), ("σ within", c.sigma_within),
                                           ("σ overall", c.sigma_overall), ("LSL", c.lsl), ("USL", c.usl),
                                           ("measurements", c.n))],
                                       note=(f"Cp, Cpk with σ_within = {ESTIMATORS[chart.estimator]}; Pp, Ppk with "
                                             f"σ_overall (all measurements). {c.note}").strip())
        api_query = {"chart": options["chart"], "characteristic": code, "from": selection.start.isoformat(),
                     "to": selection.end.isoformat(), "rules": options["rules"]}
        for key, value in (("node", selection.node.code if selection.node else None), ("sigma", options["sigma"]),
                           ("product", options["product"])):
            if value:
                api_query[key] = value
        if options["baseline"]:
            api_query["baseline"] = f"{options['baseline'][0]}..{options['baseline'][1]}"
        context["api_url"] = f"{reverse('quality:spc-api')}?{urlencode(api_query)}"
    return render_page(request, "quality/characteristic.html", context, title=f"Characteristic {code}",
                       selection=selection)


def spc_api(request):
    """GET ?chart=&characteristic=&from=&to=|range=&node=&product=&defect_type=&baseline=FIRST..LAST&sigma=&rules=
    &points=0 → the chart as JSON (quality.spc.output.as_dict); a bad request is a 400 with the reason.
    Machine clients send a read-scope token (`Authorization: Bearer …`, as for /api/ask/); in the browser
    the staff session with the quality view permission serves."""
    if request.headers.get("Authorization"):
        if IngestToken.from_request(request, IngestToken.Scope.READ) is None:
            response = JsonResponse({"error": "send an active read-scope token: Authorization: Bearer <token>"},
                                    status=401)
            response["WWW-Authenticate"] = 'Bearer realm="spc"'
            return response
        return _chart_json(request)
    return workbench_view(PERMISSION)(_chart_json)(request)


def _chart_json(request):
    query = request.GET
    try:
        baseline = None
        if query.get("baseline"):
            first, _, last = query["baseline"].partition("..")
            baseline = (dt.date.fromisoformat(first), dt.date.fromisoformat(last))
        selection = select(
            query.get("chart", ""), characteristic=query.get("characteristic"), product=query.get("product"),
            equipment=[query["node"]] if query.get("node") else [], defect_type=query.get("defect_type"),
            start=dt.date.fromisoformat(query["from"]) if query.get("from") else None,
            end=dt.date.fromisoformat(query["to"]) if query.get("to") else None, date_range=query.get("range"),
            baseline=baseline,
        )
        result = control_chart(selection, estimator=query.get("sigma") or None,
                               rule_set=query.get("rules") or RULE_SETS[0])
    except (ValueError, ChartError) as error:
        return JsonResponse({"error": str(error), "chart_types": list(CHART_TYPES)}, status=400)
    return JsonResponse(as_dict(result, points=query.get("points") != "0"), json_dumps_params={"default": str})
