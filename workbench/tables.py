"""Data tables: every chart's numbers as an HTML table beneath it, and the same rows as CSV.

A page builds its tables once; the template renders them (readable without JavaScript) and
`?export=<table name>` on the page's URL returns that table as a CSV file with the same values.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse

PERCENT, NUMBER, HOURS, TEXT, INTEGER, MINUTES = "percent", "number", "hours", "text", "integer", "minutes"
RATE = "rate"  # per hour, shown per 1,000 h


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT  # how the HTML shows the value; the CSV always carries the raw value
    link_key: str | None = None  # a row key holding a URL for this cell


@dataclass
class Table:
    name: str  # unique on its page: the ?export= value and the HTML id
    caption: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    def cells(self) -> list[list[dict[str, Any]]]:
        """Rows as cells with their display text, for the template."""
        return [[{"text": format_value(row.get(column.key), column.kind), "raw": row.get(column.key),
                  "url": row.get(column.link_key) if column.link_key else None, "kind": column.kind}
                 for column in self.columns] for row in self.rows]


def format_value(value: Any, kind: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == PERCENT:
        return f"{value * 100:.1f} %"
    if kind == HOURS:
        return f"{value:,.1f} h"
    if kind == MINUTES:
        return f"{value:,.0f} min"
    if kind == RATE:
        return f"{value * 1000:.3f}"
    if kind == INTEGER:
        return f"{value:,.0f}"
    if kind == NUMBER:
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def _csv_safe(value: Any) -> Any:
    # A cell starting with = + - @ could run as a formula in a spreadsheet (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return f"'{value}"
    return "" if value is None else value


def csv_response(table: Table, filename_stem: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename_stem}-{table.name}.csv"'
    writer = csv.writer(response)
    writer.writerow([column.key for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_safe(row.get(column.key)) for column in table.columns])
    return response


def export_requested(request, tables: list[Table], filename_stem: Callable[[], str] | str) -> HttpResponse | None:
    """The CSV of the table named by ?export=, or None when the page itself is asked for."""
    name = request.GET.get("export")
    if not name:
        return None
    for table in tables:
        if table.name == name:
            return csv_response(table, filename_stem() if callable(filename_stem) else filename_stem)
    return HttpResponse(f"No table named {name!r} on this page.", status=404, content_type="text/plain")
