"""Sensor trend per unit and tag: min / mean / max from the hourly sensor aggregate."""

from __future__ import annotations

from django.urls import reverse

from equipment.models import Equipment
from reliability.sensor_trend import sensor_trend, tags_of

from .. import charts, events
from ..selection import selection_from
from ..tables import INTEGER, NUMBER, Column, Table, export_requested
from .base import render_page, workbench_view


@workbench_view("reliability.view_factsensorevent")
def sensors(request):
    selection = selection_from(request)
    node = selection.node
    context: dict = {"units": [], "tags": [], "tag": None, "table": None}
    if node is None or node.taxonomy_level < 6:
        # Pick a unit first: the units below the node.
        units = Equipment.objects.filter(taxonomy_level__gte=6, is_active=True).order_by("path")
        if node is not None:
            units = units.filter(path__startswith=f"{node.path}/")
        base = reverse("workbench:sensors")
        context["units"] = [{"code": u.code, "name": u.name, "url": f"{base}?{selection.query(node=u.code)}"}
                            for u in units]
        return render_page(request, "workbench/sensors.html", context, title="Sensor trend", selection=selection)

    tags = tags_of(node.pk)
    tag = request.GET.get("tag") if request.GET.get("tag") in tags else (tags[0] if tags else None)
    table = Table("readings", "No sensor readings for this unit", [Column("start", "Start")])
    chart = None
    if tag:
        step, points = sensor_trend(node.pk, tag, selection.start, selection.end)
        rows = [{"start": events.local(p.start), "readings": int(p.readings), "good": int(p.good_readings),
                 "min": p.minimum, "mean": p.mean, "max": p.maximum} for p in points]
        table = Table("readings", f"{tag} of {node.code} per {step} (good readings only)",
                      [Column("start", "Start (plant time)"), Column("readings", "Readings", INTEGER),
                       Column("good", "Good", INTEGER), Column("min", "Min", NUMBER), Column("mean", "Mean", NUMBER),
                       Column("max", "Max", NUMBER)], rows)
        chart = charts.band_chart([r["start"] for r in rows], [r["min"] for r in rows], [r["mean"] for r in rows],
                                  [r["max"] for r in rows], name=tag)
    if export := export_requested(request, [table], f"sensor-{node.code}-{tag}-{selection.start}-{selection.end}"):
        return export
    base = reverse("workbench:sensors")
    context.update({
        "tags": [{"tag": t, "url": f"{base}?{selection.query(tag=t)}", "current": t == tag} for t in tags],
        "tag": tag, "table": table, "chart": chart, "extra_params": {"tag": tag} if tag else {},
    })
    return render_page(request, "workbench/sensors.html", context, title=f"Sensor trend · {node.code}",
                       selection=selection)
