"""Element sources: SQL that sums KPI elements from a materialized view (or, for comparison and
benchmarks, from the same SELECT run straight on the facts) per period bucket and group."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from .types import Bucket, Granularity, GroupBy, Selection

BUCKET_START = {
    Granularity.SHIFT: "v.production_date",
    Granularity.DAY: "v.production_date",
    # Truncated as a timestamp without time zone: the same day, without a zone conversion per row (a date
    # passed to date_trunc alone becomes a timestamptz at the session's midnight).
    Granularity.WEEK: "date_trunc('week', v.production_date::timestamp)::date",  # ISO week, Monday
    Granularity.MONTH: "date_trunc('month', v.production_date::timestamp)::date",
    Granularity.TOTAL: "NULL::date",
}


@dataclass(frozen=True)
class ElementSource:
    """Sums of `elements` (symbol → SQL aggregate over alias v) from `view`.

    `select_sql` is the view's defining SELECT; with Selection.from_facts it replaces the view, so
    the same elements are computed straight from the fact tables. `group_columns` says which
    breakdowns the view can split by; a source that cannot split by a breakdown contributes the
    same elements to every group (e.g. operating time is shared by all failure modes).
    """

    name: str
    view: str
    select_sql: str
    elements: dict[str, str]
    group_columns: dict[str, str] = field(default_factory=dict)
    filter_columns: dict[str, str] = field(default_factory=dict)
    # A subquery of the equipment ids the source covers (e.g. the work units only); "" for all.
    equipment_ids_sql: str = ""
    # Elements a listing per unit × shift occurrence adds to the view's (e.g. planned downtime split into
    # breaks and the rest): called with {(equipment id, production date, shift id): elements}, it adds
    # its symbols to each dict in place.
    occurrence_details: Callable[[dict], None] | None = None

    def relation(self, selection: Selection) -> str:
        return f"({self.select_sql})" if selection.from_facts else self.view

    def supports_group(self, group_by: str) -> bool:
        return group_by == GroupBy.NONE or group_by in self.group_columns

    def fetch(self, selection: Selection, symbols: Collection[str] | None = None) -> dict[Bucket, dict[str, Any]]:
        """Sums per bucket of `symbols` (default: every element); summing only what the formulas read
        is most of a year's read (each numeric sum costs about as much as the scan)."""
        sql, params = self.query(selection, symbols)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            columns = [c.name for c in cursor.description]
            rows = cursor.fetchall()
        result: dict[Bucket, dict[str, Any]] = {}
        for row in rows:
            record = dict(zip(columns, row, strict=True))
            bucket = Bucket(record.pop("b_start"), record.pop("b_shift"), record.pop("b_group"))
            result[bucket] = record
        return result

    def query(self, selection: Selection, symbols: Collection[str] | None = None) -> tuple[str, list[Any]]:
        group_sql = "NULL"
        joins = ""
        if self.supports_group(selection.group_by) and selection.group_by != GroupBy.NONE:
            group_sql = self.group_columns[selection.group_by]
            if "e." in group_sql:
                joins = " JOIN dim_equipment AS e ON e.id = v.equipment_id"
        shift_sql = "v.shift_id" if selection.granularity == Granularity.SHIFT else "NULL::bigint"
        sums = ",\n       ".join(f'{expr} AS "{symbol}"' for symbol, expr in self.elements.items()
                                   if symbols is None or symbol in symbols)
        where = ["v.production_date BETWEEN %s AND %s"]
        params: list[Any] = [selection.start, selection.end]
        if selection.equipment_ids is not None:
            where.append("v.equipment_id = ANY(%s)")
            params.append(list(selection.equipment_ids))
        if self.equipment_ids_sql:
            where.append(f"v.equipment_id IN ({self.equipment_ids_sql})")
        if selection.shift_id is not None:
            where.append("v.shift_id = %s")
            params.append(selection.shift_id)
        for option, column in self.filter_columns.items():
            value = getattr(selection, option)
            if value is not None:
                where.append(f"{column} = %s")
                params.append(value)
        sql = (
            f"SELECT {BUCKET_START[selection.granularity]} AS b_start, {shift_sql} AS b_shift, "
            f"{group_sql} AS b_group,\n       {sums}\n  FROM {self.relation(selection)} AS v{joins}\n"
            f" WHERE {' AND '.join(where)}\n GROUP BY 1, 2, 3"
        )
        return sql, params
