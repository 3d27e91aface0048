"""The machinery of the fact formats `load_facts` accepts, and their registry.

Each domain app declares the formats of its own facts in `<app>/facts.py` (production, downtime and
sensor readings, quality checks and scrap) with the building blocks below and `register_fact`; the
registry (mfgplatform.app_registry) discovers those modules the way the KPI registry discovers `kpis.py`,
so the ingest layer reads the formats without importing a domain app.

Every column lands in the staging table as text, so a bad value never aborts the COPY: each
column's checks (required, timestamp with an offset, number, not negative, known business code,
allowed value, length) and each fact's row checks are CASE expressions, which guard the insert (the
single pass of a clean file) and list the reasons of a bad one (the detailed scan); checks across
rows (overlapping downtime) are separate queries. Values are cast only behind a CASE that proved
them valid, except the columns a fact names in `cast_by_insert`, whose cast raises on a bad value
and so sends the load to the detailed scan. docs/ingest.md documents the formats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps

from mfgplatform import bounds
from mfgplatform.app_registry import AppRegistry

# The column checks avoid regular expressions, which cost more than the COPY itself at a million rows, and
# substr/right/lower, which cost about as much as parsing the value: PostgreSQL's own input functions
# decide validity (pg_input_is_valid, or the insert's cast), LIKE patterns the rest.
# Queries run with parameters, so a literal % is written %%.


def _timestamp_shape(raw: str) -> str:
    """Starts like an ISO 8601 date and time (PostgreSQL alone would also take "yesterday")."""
    return f"({raw} LIKE '____-__-__T%%' OR {raw} LIKE '____-__-__ %%' OR {raw} LIKE '____-__-__t%%')"


def _has_offset(raw: str) -> str:
    """Says where it is relative to UTC: ends in Z, or has a sign after the date part (the first
    11 characters)."""
    return (f"({raw} LIKE '%%Z' OR {raw} LIKE '%%z' OR {raw} LIKE '___________%%+%%' "
            f"OR {raw} LIKE '___________%%-%%')")


def _not_nan_or_infinite(raw: str) -> str:
    # NaN, Infinity and inf are valid float input; every spelling of them contains an "n", no
    # plain decimal or exponent number does.
    return f"({raw} NOT LIKE '%%n%%' AND {raw} NOT LIKE '%%N%%')"


def _finite_number(raw: str) -> str:
    return f"(pg_input_is_valid({raw}, 'float8') AND {_not_nan_or_infinite(raw)})"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text | timestamp | number | integer | code
    required: bool = True
    lookup: str | None = None  # for codes: the table whose `code` the value must match
    nonnegative: bool = False
    choices: tuple[str, ...] = ()
    max_length: int | None = None

    @property
    def alias(self) -> str:
        return f"l_{self.name}"


def value(name: str, kind: str) -> str:
    """The typed value of a staging column, NULL unless it passed its checks."""
    raw = f"s.{name}"
    if kind == "timestamp":
        return (
            f"(CASE WHEN {_timestamp_shape(raw)} AND {_has_offset(raw)} AND pg_input_is_valid({raw}, 'timestamptz') "
            f"THEN {raw}::timestamptz END)"
        )
    if kind == "number":
        return f"(CASE WHEN {_finite_number(raw)} THEN {raw}::numeric END)"
    if kind == "integer":
        return f"(CASE WHEN pg_input_is_valid({raw}, 'integer') THEN {raw}::integer END)"
    return f"nullif({raw}, '')"


def model_of_table(table: str):
    """The model storing a fact table, found by table name so the ingest layer imports no domain app."""
    return next(model for model in apps.get_models() if model._meta.db_table == table)


def column_bound(table: str, column: Column) -> bounds.NumberBound | None:
    """The bound the storing model field declares for a number column (mfgplatform.bounds)."""
    if column.kind != "number":
        return None
    return bounds.field_bound(model_of_table(table), column.name)


# Parameters of every statement: the instants a timestamp may take (bounds.time_window).
_OUTSIDE_WINDOW = ("WHEN {raw}::timestamptz < %(earliest)s::timestamptz "
                   "THEN 'is before the first production day of the calendar (dim_date)' "
                   "WHEN {raw}::timestamptz > %(latest)s::timestamptz "
                   "THEN 'is later than the calendar''s end or now plus the future tolerance'")


def column_check(column: Column, *, parse: bool = True, bound: bounds.NumberBound | None = None) -> str:
    """A CASE expression giving the reason the column's value is rejected, or NULL.

    Without `parse` the check leaves out whether the value parses as its type, for a guard in front of
    an insert whose cast raises on such a value anyway: parsing a timestamp twice costs more than
    the rest of the checks together."""
    raw = f"s.{column.name}"
    whens = [f"WHEN coalesce({raw}, '') = '' THEN {'' if column.required else 'NULL::text'}"]
    if column.required:
        whens[0] += "'is required'"
    if column.kind == "timestamp":
        whens.append(f"WHEN NOT {_timestamp_shape(raw)} THEN 'is not an ISO 8601 timestamp'")
        whens.append(f"WHEN NOT {_has_offset(raw)} THEN 'has no UTC offset (end it with Z or e.g. +01:00)'")
        if parse:
            whens.append(f"WHEN NOT pg_input_is_valid({raw}, 'timestamptz') THEN 'is not a valid timestamp'")
        whens.append(_OUTSIDE_WINDOW.format(raw=raw))
    elif column.kind == "number":
        finite = _finite_number(raw) if parse else _not_nan_or_infinite(raw)
        whens.append(f"WHEN NOT {finite} THEN 'is not a number'")
        if bound is not None:
            whens.append(bound.sql_reason(raw))
    elif column.kind == "integer" and parse:
        whens.append(f"WHEN NOT pg_input_is_valid({raw}, 'integer') THEN 'is not an integer'")
    if column.nonnegative:
        whens.append(f"WHEN {raw}::numeric < 0 THEN 'is negative'")
    if column.lookup:
        whens.append(f"WHEN {column.alias}.id IS NULL THEN 'unknown code ' || quote_literal({raw})")
    if column.choices:
        allowed = ", ".join(f"'{choice}'" for choice in column.choices)
        whens.append(f"WHEN {raw} NOT IN ({allowed}) THEN 'must be one of {', '.join(column.choices)}'")
    if column.max_length:
        whens.append(f"WHEN length({raw}) > {column.max_length} THEN 'is longer than {column.max_length} characters'")
    return "CASE " + " ".join(whens) + " END"


# --- shared expressions (parameters: %(tz)s plant time zone, %(day_start)s production day start) --

def production_day(timestamp_sql: str) -> str:
    return f"(({timestamp_sql} AT TIME ZONE %(tz)s) - %(day_start)s::interval)::date"


def shift_at(timestamp_sql: str) -> str:
    """The regular shift whose occurrence contains the instant, by the shift calendar (weekdays, working
    days, holidays), or NULL off shift: mfg_shift_at, the one rule every path that labels facts uses."""
    return f"mfg_shift_at({timestamp_sql})"


@dataclass(frozen=True)
class FactSpec:
    name: str
    table: str
    columns: tuple[Column, ...]
    extra_joins: str = ""  # joins after the code lookups, shared by checks and insert
    row_checks: tuple[tuple[str, str], ...] = ()  # (column, CASE expression giving a reason or NULL)
    set_checks: tuple[str, ...] = ()  # queries yielding (row_no, column, reason) across rows
    insert: str = ""  # INSERT … SELECT … FROM staging s {joins}; may use %(batch)s
    skip_present: bool = False  # rows the table's unique key already holds are skipped, not refused
    # Columns the insert casts unconditionally (a value that does not parse makes it raise), so the
    # guard of the single-pass insert need not parse them first.
    cast_by_insert: tuple[str, ...] = ()
    # The owning app's function to call, in the writing transaction, with the time range of rows written
    # around this format's insert (the ingest API's sensor readings), or None.
    record_writes: Callable[[dt.datetime | None, dt.datetime | None], None] | None = None
    # The instant column whose production day and shift label a row (date_key, shift_id), or None for
    # facts without them; `manage.py rezone_calendar` relabels by it.
    labelled_by: str | None = None

    @property
    def required(self) -> list[str]:
        return [column.name for column in self.columns if column.required]

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def joins(self) -> str:
        """The code lookups (every code column, present in the file or not) and the extra joins."""
        lookups = [
            f"LEFT JOIN {c.lookup} AS {c.alias} ON {c.alias}.code = s.{c.name}" for c in self.columns if c.lookup
        ]
        return " ".join([*lookups, self.extra_joins])

    @property
    def checks(self) -> list[tuple[str, str]]:
        """(column, CASE expression giving the reason or NULL) for every column and row check."""
        return [(column.name, column_check(column, bound=column_bound(self.table, column)))
                for column in self.columns] + list(self.row_checks)

    def reasons_values(self) -> str:
        """A VALUES list of (column, reason) per staged row, for the detailed scan."""
        return ", ".join(f"('{name}', {expression})" for name, expression in self.checks)

    def insert_sql(self, *, skip_present: bool = False) -> str:
        """The insert of rows already checked; with skip_present, rows already stored are skipped
        (skipping costs about a fifth of the insert, so it is used only once a plain insert met one)."""
        sql = self.insert.replace("{joins}", self.joins)
        return f"{sql} ON CONFLICT DO NOTHING" if skip_present and self.skip_present else sql

    def guarded_insert_sql(self) -> str:
        """The insert with every check as its WHERE clause: a row failing one calls
        pg_temp.load_facts_reject(), which raises. Its CASE is not strict, so the code lookups stay
        outer joins, and a row's values are cast only after its guard passed."""
        checks = [column_check(column, parse=column.name not in self.cast_by_insert,
                               bound=column_bound(self.table, column)) for column in self.columns]
        checks += [expression for _, expression in self.row_checks]
        any_bad = " OR ".join(f"({expression}) IS NOT NULL" for expression in checks)
        guard = f"WHERE CASE WHEN {any_bad} THEN pg_temp.load_facts_reject() ELSE true END"
        return self.insert.replace("{joins}", f"{self.joins} {guard}")


def equipment_unit_check() -> tuple[str, str]:
    return ("equipment", "CASE WHEN l_equipment.taxonomy_level <> 6 THEN 'is not an equipment unit (level 6)' END")


def calendar_check(column: str) -> tuple[str, str]:
    return (column, f"CASE WHEN {value(column, 'timestamp')} IS NOT NULL AND cal.date_key IS NULL "
                    "THEN 'falls on a production day that dim_date does not hold' END")


def order_check(start: str, end: str) -> tuple[str, str]:
    return (end, f"CASE WHEN {value(end, 'timestamp')} <= {value(start, 'timestamp')} "
                 f"THEN 'is not after {start}' END")


def shift_id(start: str) -> str:
    return f"coalesce(l_shift.id, {shift_at(value(start, 'timestamp'))})"


def calendar_join(start: str) -> str:
    return f"LEFT JOIN dim_date AS cal ON cal.date = {production_day(value(start, 'timestamp'))}"


def number_or(name: str, default: str) -> str:
    """An optional number: the default when empty, NULL when not a valid number (rejected elsewhere)."""
    return f"(CASE WHEN coalesce(s.{name}, '') = '' THEN {default} ELSE {value(name, 'number')} END)"


def given(name: str) -> str:
    return f"coalesce(s.{name}, '') <> ''"


# --- the registry ------------------------------------------------------------------------------

_formats: AppRegistry[FactSpec] = AppRegistry("facts", "fact format")


def register_fact(spec: FactSpec) -> FactSpec:
    return _formats.register(spec.name, spec)


def fact_formats() -> dict[str, FactSpec]:
    """Every registered fact format by name (`load_facts <name>`)."""
    return _formats.entries()
