"""Every ISO 22400 element per work unit × shift occurrence, for an auditor who recomputes the KPIs.

    manage.py kpi elements --equipment LINE-1 --from 2025-03-01 --to 2025-03-07 --format csv

One row per unit × occurrence of `agg_time_model` (the rows the KPIs sum, shift 0, the unscheduled
occurrence, included as "Unscheduled"), for any equipment subtree, class, shift pattern and range, with
the time elements in seconds and the quantities as recorded. Planned downtime is also shown split into break windows and
the rest (the time model source's occurrence details).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps

from ..calendar import UNSCHEDULED, shift_label
from ..models import DimShift
from ..time_elements import ELEMENTS
from .elements import compute_elements
from .registry import element_sources
from .types import Granularity, GroupBy

SOURCE = "time_model"
# The columns in the order of the time model, POT down to APT, then the quantities.
COLUMNS = ("POT", "PDT", "PDT_BREAKS", "PDT_OTHER", "PBT", "ADOT", "AUBT", "ADET", "ADET_MINOR", "AUPT", "AUST",
           "APT", "PQ", "GQ", "SQ", "RQ", "PSQ", "PRI_PQ", "PRI_GQ")


@dataclass(frozen=True)
class OccurrenceElements:
    production_date: dt.date
    shift: str
    equipment: str
    elements: dict[str, Decimal]


def occurrence_elements(
    *,
    equipment: Iterable[str] = (),
    equipment_classes: Iterable[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    date_range: str | None = None,
    today: dt.date | None = None,
    shift: str | None = None,
) -> list[OccurrenceElements]:
    sums = compute_elements(SOURCE, equipment=equipment, equipment_classes=equipment_classes, start=start, end=end,
                            date_range=date_range, today=today, granularity=Granularity.SHIFT,
                            group_by=GroupBy.EQUIPMENT, shift=shift)
    fetched = {(row.group, row.start, row.shift_id): dict(row.elements) for row in sums}
    source = element_sources()[SOURCE]
    if source.occurrence_details is not None:
        source.occurrence_details(fetched)
    codes = dict(apps.get_model("equipment", "Equipment").objects.filter(pk__in={k[0] for k in fetched})
                 .values_list("pk", "code"))
    shifts = dict(DimShift.objects.values_list("id", "code"))
    rows = [
        OccurrenceElements(day, shift_label(shift_id, shifts),
                           codes.get(equipment_id, str(equipment_id)),
                           {symbol: Decimal(elements.get(symbol) or 0) for symbol in COLUMNS})
        for (equipment_id, day, shift_id), elements in fetched.items()
    ]
    return sorted(rows, key=lambda row: (row.production_date, row.shift == UNSCHEDULED, row.shift, row.equipment))


def _number(value: Decimal) -> int | float:
    """Whole numbers as integers, others (prorated quantities) as they are."""
    return int(value) if value == value.to_integral_value() else float(value)


def as_json(rows: Sequence[OccurrenceElements]) -> str:
    legend = {symbol: {"meaning": ELEMENTS[symbol].meaning, "iso_name": ELEMENTS[symbol].iso_name,
                       "unit": ELEMENTS[symbol].unit} for symbol in COLUMNS}
    return json.dumps({
        "elements": legend,
        "rows": [{"production_date": row.production_date.isoformat(), "shift": row.shift, "equipment": row.equipment,
                  **{symbol: _number(row.elements[symbol]) for symbol in COLUMNS}} for row in rows],
    }, indent=2) + "\n"


def as_csv(rows: Sequence[OccurrenceElements]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["production_date", "shift", "equipment",
                     *(f"{symbol}_{ELEMENTS[symbol].unit}" for symbol in COLUMNS)])
    for row in rows:
        writer.writerow([row.production_date.isoformat(), row.shift, row.equipment,
                         *(_number(row.elements[symbol]) for symbol in COLUMNS)])
    return buffer.getvalue()


def as_table(rows: Sequence[OccurrenceElements]) -> str:
    """Times in minutes (a shift reads 480, a break 30), quantities as recorded."""
    header = ("date", "shift", "equipment", *COLUMNS)
    lines: list[tuple[str, ...]] = [header]
    for row in rows:
        cells = []
        for symbol in COLUMNS:
            value = row.elements[symbol]
            if ELEMENTS[symbol].unit == "s":
                value = value / 60
            number = _number(value.quantize(Decimal("0.01")))
            cells.append(str(number) if isinstance(number, int) else f"{number:.2f}".rstrip("0").rstrip("."))
        lines.append((row.production_date.isoformat(), row.shift, row.equipment, *cells))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = ["  ".join(cell.rjust(width) if i > 2 else cell.ljust(width) for i, (cell, width)
                      in enumerate(zip(line, widths, strict=True))).rstrip() for line in lines]
    text.insert(1, "  ".join("-" * width for width in widths))
    legend = "; ".join(f"{symbol} = {ELEMENTS[symbol].meaning}" for symbol in COLUMNS)
    return "\n".join(text) + f"\n\nTimes in minutes. {legend}.\n"


RENDERERS: dict[str, Any] = {"table": as_table, "json": as_json, "csv": as_csv}
