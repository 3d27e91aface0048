"""Chart images for the report (matplotlib, no display: the object API with the Agg canvas)."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from .document import Chart

WIDTH_IN, HEIGHT_IN, DPI = 7.0, 3.2, 110
BAR_COLOUR, LINE_COLOUR = "#2f6f9f", "#c0392b"


def render_png(chart: Chart) -> bytes:
    """The chart as PNG bytes. Figure objects (not pyplot) keep rendering thread-safe in a worker."""
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(chart.title, fontsize=10)
    if not chart.values:
        axes.text(0.5, 0.5, "no data in this period", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
    elif chart.kind == "barh":
        axes.barh(chart.labels[::-1], chart.values[::-1], color=BAR_COLOUR)
        axes.set_xlabel(chart.unit)
    else:
        axes.bar(chart.labels, chart.values, color=BAR_COLOUR)
        axes.set_ylabel(chart.unit)
        axes.tick_params(axis="x", labelrotation=30, labelsize=8)
        if chart.kind == "pareto":
            total = sum(chart.values)
            running, cumulative = 0.0, []
            for value in chart.values:
                running += value
                cumulative.append(running / total if total else 0.0)
            share = axes.twinx()
            share.plot(chart.labels, cumulative, color=LINE_COLOUR, marker="o")
            share.set_ylim(0, 1.05)
            share.yaxis.set_major_formatter(PercentFormatter(1.0))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
