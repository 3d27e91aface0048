"""Chart specifications for the browser: Apache ECharts options built on the server.

A page puts an option dict into its context; `{% include "workbench/includes/chart.html" %}` writes
it into a JSON data island and `static/workbench/charts.js` draws it. Options are plain JSON (no
functions), so two conventions stand in for formatters:

- `"wbFormat": "percent" | "hours" | "minutes" | "number"` on the option formats value axes and
  tooltips (percent: fractions 0..1 shown as %);
- a data item `{"value": …, "url": "…"}` makes that bar or point a link (drill-down).
"""

from __future__ import annotations

from typing import Any

# Colours of the admin's palette, so the charts sit in the admin's look.
PRIMARY = "#417690"
ACCENT = "#79aec8"
LOSS = "#ba2121"
GOOD = "#2e7d32"
MUTED = "#999999"


def _base(fmt: str, **extra) -> dict[str, Any]:
    return {"wbFormat": fmt, "animation": False, "grid": {"left": 56, "right": 24, "top": 36, "bottom": 56,
                                                         "containLabel": True},
            "tooltip": {"trigger": "axis"}, **extra}


def line_chart(categories: list[str], series: dict[str, list[float | None]], *, fmt: str = "percent",
               title: str = "", scale: bool = False) -> dict[str, Any]:
    """One line per series over shared categories (periods); None leaves a gap. `scale` lets the value
    axis start near the smallest value instead of zero (for ratios that move within a few percent)."""
    return _base(fmt, title={"text": title, "textStyle": {"fontSize": 13}}, legend={"top": 0, "right": 0},
                 xAxis={"type": "category", "data": categories},
                 yAxis={"type": "value", "scale": scale},
                 series=[{"name": name, "type": "line", "data": values, "connectNulls": False, "showSymbol": True}
                         for name, values in series.items()])


def sparkline(values: list[float | None], *, fmt: str = "percent") -> dict[str, Any]:
    return {"wbFormat": fmt, "animation": False, "grid": {"left": 2, "right": 2, "top": 4, "bottom": 4},
            "xAxis": {"type": "category", "show": False, "data": list(range(len(values)))},
            "yAxis": {"type": "value", "show": False, "scale": True},
            "tooltip": {"trigger": "axis"},
            "series": [{"type": "line", "data": values, "showSymbol": False, "lineStyle": {"width": 1.5},
                        "color": PRIMARY, "areaStyle": {"opacity": 0.15}}]}


def pareto_chart(labels: list[str], values: list[float], *, fmt: str, urls: list[str | None] | None = None,
                 name: str = "value") -> dict[str, Any]:
    """Bars sorted as given (largest first) with the cumulative share on a second axis."""
    total = sum(values) or 1
    cumulative, running = [], 0.0
    for value in values:
        running += value
        cumulative.append(round(running / total, 6))
    urls = urls or [None] * len(values)
    bars = [{"value": value, "url": url} if url else value for value, url in zip(values, urls, strict=True)]
    return _base(fmt, legend={"top": 0, "right": 0},
                 xAxis={"type": "category", "data": labels, "axisLabel": {"rotate": 30, "interval": 0}},
                 yAxis=[{"type": "value", "name": name}, {"type": "value", "max": 1, "wbFormat": "percent",
                                                           "name": "cumulative"}],
                 series=[{"name": name, "type": "bar", "data": bars, "color": PRIMARY},
                         {"name": "cumulative", "type": "line", "yAxisIndex": 1, "data": cumulative,
                          "color": LOSS, "wbFormat": "percent"}])


def waterfall(steps: list[tuple[str, float, str]], *, fmt: str = "hours") -> dict[str, Any]:
    """A loss waterfall: steps of (label, value, kind) with kind "total" (a bar from zero) or "loss"
    (a bar hanging from the previous total, drawn as a drop)."""
    labels, base, bars, colours = [], [], [], []
    level = 0.0
    for label, value, kind in steps:
        labels.append(label)
        if kind == "total":
            level = value
            base.append(0)
            bars.append(value)
            colours.append(PRIMARY)
        else:
            # A negative loss (a unit faster than its PRI) is drawn upwards, in green.
            after = level - value
            base.append(min(level, after))
            bars.append(abs(value))
            colours.append(LOSS if value >= 0 else GOOD)
            level = after
    return _base(fmt, tooltip={"trigger": "item"},
                 xAxis={"type": "category", "data": labels, "axisLabel": {"rotate": 30, "interval": 0}},
                 yAxis={"type": "value"},
                 series=[{"type": "bar", "stack": "w", "data": base, "itemStyle": {"color": "transparent"},
                          "tooltip": {"show": False}, "silent": True},
                         {"type": "bar", "stack": "w", "name": "hours",
                          "data": [{"value": v, "itemStyle": {"color": c}} for v, c in zip(bars, colours,
                                                                                            strict=True)]}])


def heatmap(x_labels: list[str], y_labels: list[str], cells: list[tuple[int, int, float | None]], *,
            fmt: str = "percent") -> dict[str, Any]:
    """Cells (x index, y index, value); a None value is an empty cell."""
    values = [value for _, _, value in cells if value is not None]
    return {"wbFormat": fmt, "animation": False, "tooltip": {"position": "top"},
            "grid": {"left": 56, "right": 24, "top": 16, "bottom": 72, "containLabel": True},
            "xAxis": {"type": "category", "data": x_labels, "splitArea": {"show": True}},
            "yAxis": {"type": "category", "data": y_labels, "splitArea": {"show": True}},
            "visualMap": {"min": min(values, default=0), "max": max(values, default=1), "calculable": True,
                          "orient": "horizontal", "left": "center", "bottom": 0, "wbFormat": fmt,
                          "inRange": {"color": ["#ba2121", "#f4d03f", "#2e7d32"]}},
            "series": [{"type": "heatmap", "data": [[x, y, value if value is not None else "-"]
                                                    for x, y, value in cells],
                        "label": {"show": len(cells) <= 120, "wbFormat": fmt}}]}


def bar_chart(labels: list[str], series: dict[str, list[float | None]], *, fmt: str = "number",
              urls: list[str | None] | None = None) -> dict[str, Any]:
    urls = urls or [None] * len(labels)
    return _base(fmt, legend={"top": 0, "right": 0},
                 xAxis={"type": "category", "data": labels, "axisLabel": {"rotate": 30, "interval": 0}},
                 yAxis={"type": "value"},
                 series=[{"name": name, "type": "bar",
                          "data": [{"value": v, "url": u} if u else v for v, u in zip(values, urls, strict=True)]}
                         for name, values in series.items()])


def band_chart(categories: list[str], minimum: list, mean: list, maximum: list, *, name: str) -> dict[str, Any]:
    """A min–max band (stacked: the minimum as an invisible base, the range on top) with the mean as a line."""
    spread = [None if lo is None or hi is None else hi - lo for lo, hi in zip(minimum, maximum, strict=True)]
    return _base("number", legend={"top": 0, "right": 0},
                 tooltip={"trigger": "axis"},
                 xAxis={"type": "category", "data": categories},
                 yAxis={"type": "value", "scale": True, "name": name},
                 series=[{"name": "min", "type": "line", "data": minimum, "stack": "band", "symbol": "none",
                          "lineStyle": {"opacity": 0}, "color": MUTED},
                         {"name": "max − min", "type": "line", "data": spread, "stack": "band", "symbol": "none",
                          "lineStyle": {"opacity": 0}, "areaStyle": {"color": ACCENT, "opacity": 0.35},
                          "color": ACCENT},
                         {"name": "mean", "type": "line", "data": mean, "symbol": "none", "color": PRIMARY}])
