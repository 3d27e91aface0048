"""The CSV formats `load_facts` accepts, and their validation and insert SQL.

Every column lands in the staging table as text, so a bad value never aborts the COPY: each
column's checks (required, timestamp with an offset, number, not negative, known business code,
allowed value, length) and each fact's row checks are CASE expressions, which guard the insert (the
single pass of a clean file) and list the reasons of a bad one (the detailed scan); checks across
rows (overlapping downtime) are separate queries. Values are cast only behind a CASE that proved
them valid, except the columns a fact names in `cast_by_insert`, whose cast raises on a bad value
and so sends the load to the detailed scan. docs/ingest.md documents the formats.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

from mfgplatform import bounds

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


def column_bound(table: str, column: Column) -> bounds.NumberBound | None:
    """The bound the storing model field declares for a number column (mfgplatform.bounds)."""
    if column.kind != "number":
        return None
    model = next(model for model in apps.get_models() if model._meta.db_table == table)
    return bounds.field_bound(model, column.name)


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


def _equipment_unit_check() -> tuple[str, str]:
    return ("equipment", "CASE WHEN l_equipment.taxonomy_level <> 6 THEN 'is not an equipment unit (level 6)' END")


def _calendar_check(column: str) -> tuple[str, str]:
    return (column, f"CASE WHEN {value(column, 'timestamp')} IS NOT NULL AND cal.date_key IS NULL "
                    "THEN 'falls on a production day that dim_date does not hold' END")


def _order_check(start: str, end: str) -> tuple[str, str]:
    return (end, f"CASE WHEN {value(end, 'timestamp')} <= {value(start, 'timestamp')} "
                 f"THEN 'is not after {start}' END")


def _shift_id(start: str) -> str:
    return f"coalesce(l_shift.id, {shift_at(value(start, 'timestamp'))})"


def _calendar_join(start: str) -> str:
    return f"LEFT JOIN dim_date AS cal ON cal.date = {production_day(value(start, 'timestamp'))}"


SENSOR_EVENT = FactSpec(
    name="sensor_event",
    table="fact_sensor_event",
    columns=(
        Column("time", "timestamp"),
        Column("equipment", "code", lookup="dim_equipment"),
        Column("tag", max_length=64),
        Column("value", "number"),
        Column("quality", "integer", required=False, choices=("0", "64", "192")),
    ),
    # The same statement records the time range of the readings for the hourly sensor aggregate's
    # next pass (reliability.sensor_aggregate); the readings are cast once, for both inserts.
    insert="""
        WITH reading AS (
            SELECT s.time::timestamptz AS time, l_equipment.id AS equipment_id, s.tag, s.value::float8 AS value,
                   coalesce(nullif(s.quality, '')::smallint, 192) AS quality
              FROM staging s {joins}),
        invalidated AS (
            INSERT INTO agg_sensor_hourly_invalidation (low, high)
            SELECT min(time), max(time) FROM reading HAVING count(*) > 0)
        INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality)
        SELECT time, equipment_id, tag, value, quality FROM reading""",
    # The unique (equipment, tag, time) key makes a replayed reading a no-op.
    skip_present=True,
    cast_by_insert=("time", "value", "quality"),
)

_PRI = (
    "coalesce({given}, (SELECT r.pri_seconds FROM ref_planned_run_time r WHERE r.product_id = l_product.id "
    "AND r.equipment_id = l_equipment.id AND r.valid_from <= cal.date ORDER BY r.valid_from DESC LIMIT 1), "
    "l_product.default_pri_seconds)"
).format(given=value("pri_seconds", "number"))

PRODUCTION = FactSpec(
    name="production",
    table="fact_production",
    columns=(
        Column("equipment", "code", lookup="dim_equipment"),
        Column("product", "code", lookup="dim_product"),
        Column("started_at", "timestamp"),
        Column("ended_at", "timestamp"),
        Column("produced_qty", "number", nonnegative=True),
        Column("good_qty", "number", nonnegative=True),
        Column("scrap_qty", "number", required=False, nonnegative=True),
        Column("rework_qty", "number", required=False, nonnegative=True),
        Column("planned_scrap_qty", "number", required=False, nonnegative=True),
        Column("pri_seconds", "number", required=False, nonnegative=True),
        Column("order_number", required=False, max_length=64),
        Column("planned_order_qty", "number", required=False, nonnegative=True),
        Column("shift", "code", required=False, lookup="dim_shift"),
    ),
    extra_joins=_calendar_join("started_at"),
    row_checks=(
        _equipment_unit_check(),
        _calendar_check("started_at"),
        _order_check("started_at", "ended_at"),
        ("produced_qty", f"CASE WHEN {value('good_qty', 'number')} + coalesce({value('scrap_qty', 'number')}, 0) "
                         f"+ coalesce({value('rework_qty', 'number')}, 0) > {value('produced_qty', 'number')} "
                         "THEN 'is less than good + scrap + rework' END"),
        ("pri_seconds", f"CASE WHEN {value('pri_seconds', 'number')} = 0 THEN 'must be positive' "
                        f"WHEN l_product.id IS NOT NULL AND l_equipment.id IS NOT NULL AND {_PRI} IS NULL "
                        "THEN 'is required: no planned run time is recorded for this product and equipment' END"),
    ),
    insert=f"""
        INSERT INTO fact_production (equipment_id, product_id, date_key, shift_id, started_at, ended_at,
            order_number, planned_order_qty, produced_qty, good_qty, scrap_qty, rework_qty, planned_scrap_qty,
            pri_seconds, load_batch)
        SELECT l_equipment.id, l_product.id, cal.date_key, {_shift_id('started_at')},
               s.started_at::timestamptz, s.ended_at::timestamptz, coalesce(s.order_number, ''),
               {value('planned_order_qty', 'number')}, s.produced_qty::numeric, s.good_qty::numeric,
               coalesce({value('scrap_qty', 'number')}, 0), coalesce({value('rework_qty', 'number')}, 0),
               coalesce({value('planned_scrap_qty', 'number')}, 0), {_PRI}, %(batch)s
          FROM staging s {{joins}}""",
)

_DOWNTIME_SPANS = f"""
    SELECT s.row_no, s.equipment, {value('started_at', 'timestamp')} AS started,
           coalesce({value('ended_at', 'timestamp')}, 'infinity') AS ended
      FROM staging s
     WHERE {value('started_at', 'timestamp')} IS NOT NULL
       AND (coalesce(s.ended_at, '') = '' OR {value('ended_at', 'timestamp')} IS NOT NULL)"""

DOWNTIME = FactSpec(
    name="downtime",
    table="fact_downtime",
    columns=(
        Column("equipment", "code", lookup="dim_equipment"),
        Column("reason", "code", lookup="dim_downtime_reason"),
        Column("started_at", "timestamp"),
        Column("ended_at", "timestamp", required=False),
        Column("failure_mode", "code", required=False, lookup="ref_iso14224_failure_mode"),
        Column("failure_mechanism", "code", required=False, lookup="ref_iso14224_failure_mechanism"),
        Column("failure_cause", "code", required=False, lookup="ref_iso14224_failure_cause"),
        Column("failure_impact", required=False, choices=("critical", "degraded", "incipient", "unknown")),
        Column("detection_method", "code", required=False, lookup="ref_iso14224_detection_method"),
        Column("maintenance_activity", "code", required=False, lookup="ref_iso14224_maintenance_activity"),
        Column("active_repair_minutes", "number", required=False, nonnegative=True),
        Column("work_order", required=False, max_length=64),
        Column("comment", required=False),
        Column("shift", "code", required=False, lookup="dim_shift"),
    ),
    extra_joins=_calendar_join("started_at"),
    row_checks=(
        _equipment_unit_check(),
        _calendar_check("started_at"),
        _order_check("started_at", "ended_at"),
        # A group is any reason with children, whatever its time category says.
        ("reason", "CASE WHEN l_reason.time_category = '' OR EXISTS (SELECT 1 FROM dim_downtime_reason child "
                   "WHERE child.parent_id = l_reason.id) THEN 'is a reason group; book a leaf reason' END"),
    ),
    set_checks=(
        # Within the file: a stop starting before the latest end of the earlier stops of its unit.
        f"""SELECT row_no, 'started_at', 'overlaps another downtime of the same equipment in this file'
              FROM (SELECT row_no, started,
                           max(ended) OVER (PARTITION BY equipment ORDER BY started, row_no
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end
                      FROM ({_DOWNTIME_SPANS}) spans) ordered
             WHERE earlier_end > started""",
        # Against what is already recorded.
        f"""SELECT spans.row_no, 'started_at',
                   'overlaps downtime already recorded for this equipment from ' || d.started_at
              FROM ({_DOWNTIME_SPANS}) spans
              JOIN dim_equipment e ON e.code = spans.equipment
              CROSS JOIN LATERAL (SELECT d.started_at FROM fact_downtime d
                                   WHERE d.equipment_id = e.id AND d.started_at < spans.ended
                                     AND coalesce(d.ended_at, 'infinity') > spans.started
                                   ORDER BY d.started_at LIMIT 1) d""",
    ),
    insert=f"""
        INSERT INTO fact_downtime (equipment_id, reason_id, date_key, shift_id, started_at, ended_at,
            failure_mode_id, failure_mechanism_id, failure_cause_id, failure_impact, detection_method_id,
            maintenance_activity_id, active_repair_minutes, work_order, comment, load_batch)
        SELECT l_equipment.id, l_reason.id, cal.date_key, {_shift_id('started_at')},
               s.started_at::timestamptz, {value('ended_at', 'timestamp')},
               l_failure_mode.id, l_failure_mechanism.id, l_failure_cause.id, coalesce(s.failure_impact, ''),
               l_detection_method.id, l_maintenance_activity.id, {value('active_repair_minutes', 'number')},
               coalesce(s.work_order, ''), coalesce(s.comment, ''), %(batch)s
          FROM staging s {{joins}}""",
)



def _number_or(name: str, default: str) -> str:
    """An optional number: the default when empty, NULL when not a valid number (rejected elsewhere)."""
    return f"(CASE WHEN coalesce(s.{name}, '') = '' THEN {default} ELSE {value(name, 'number')} END)"


def _given(name: str) -> str:
    return f"coalesce(s.{name}, '') <> ''"


QUALITY = FactSpec(
    name="quality",
    table="fact_quality",
    columns=(
        Column("kind", choices=("attribute", "variable")),
        Column("inspected_at", "timestamp"),
        Column("equipment", "code", lookup="dim_equipment"),
        Column("product", "code", lookup="dim_product"),
        Column("defect_type", "code", required=False, lookup="dim_quality_defect_type"),
        Column("inspected_qty", "number", required=False, nonnegative=True),
        Column("defective_qty", "number", required=False, nonnegative=True),
        Column("defect_count", "integer", required=False, nonnegative=True),
        Column("first_pass_good_qty", "number", required=False, nonnegative=True),
        Column("characteristic", required=False, max_length=64),
        Column("measured_value", "number", required=False),
        Column("lower_spec_limit", "number", required=False),
        Column("upper_spec_limit", "number", required=False),
        Column("target_value", "number", required=False),
        Column("unit", "code", required=False, lookup="dim_unit_of_measure"),
        Column("subgroup", "integer", required=False, nonnegative=True),
        Column("lot_code", required=False, max_length=64),
        Column("shift", "code", required=False, lookup="dim_shift"),
    ),
    extra_joins=_calendar_join("inspected_at"),
    # The shapes of fact_quality's check constraints, as reasons per row.
    row_checks=(
        _equipment_unit_check(),
        _calendar_check("inspected_at"),
        ("inspected_qty", f"CASE WHEN s.kind = 'attribute' AND NOT {_given('inspected_qty')} "
                          "THEN 'is required for an attribute check' "
                          f"WHEN s.kind = 'attribute' AND {value('inspected_qty', 'number')} = 0 "
                          "THEN 'must be positive for an attribute check' END"),
        ("defective_qty", f"CASE WHEN {value('defective_qty', 'number')} > {_number_or('inspected_qty', '0')} "
                          "THEN 'exceeds inspected_qty' END"),
        ("first_pass_good_qty", f"CASE WHEN {value('first_pass_good_qty', 'number')} "
                                f"> {_number_or('inspected_qty', '0')} THEN 'exceeds inspected_qty' END"),
        ("measured_value", f"CASE WHEN s.kind = 'attribute' AND {_given('measured_value')} "
                           "THEN 'must be empty for an attribute check' "
                           f"WHEN s.kind = 'variable' AND NOT {_given('measured_value')} "
                           "THEN 'is required for a variable measurement' END"),
        ("characteristic", f"CASE WHEN s.kind = 'variable' AND NOT {_given('characteristic')} "
                           "THEN 'is required for a variable measurement' END"),
        ("upper_spec_limit", f"CASE WHEN {value('upper_spec_limit', 'number')} "
                             f"<= {value('lower_spec_limit', 'number')} THEN 'is not above lower_spec_limit' END"),
    ),
    insert=f"""
        INSERT INTO fact_quality (kind, inspected_at, equipment_id, product_id, date_key, shift_id, lot_code,
            defect_type_id, inspected_qty, defective_qty, defect_count, first_pass_good_qty, characteristic,
            measured_value, lower_spec_limit, upper_spec_limit, target_value, unit_id, subgroup, load_batch)
        SELECT s.kind, s.inspected_at::timestamptz, l_equipment.id, l_product.id, cal.date_key,
               {_shift_id('inspected_at')}, coalesce(s.lot_code, ''), l_defect_type.id,
               {_number_or('inspected_qty', '0')}, {_number_or('defective_qty', '0')},
               coalesce({value('defect_count', 'integer')}, 0), {value('first_pass_good_qty', 'number')},
               coalesce(s.characteristic, ''), {value('measured_value', 'number')},
               {value('lower_spec_limit', 'number')}, {value('upper_spec_limit', 'number')},
               {value('target_value', 'number')}, l_unit.id, {value('subgroup', 'integer')}, %(batch)s
          FROM staging s {{joins}}""",
)

SCRAP = FactSpec(
    name="scrap",
    table="fact_scrap",
    columns=(
        Column("occurred_at", "timestamp"),
        Column("equipment", "code", lookup="dim_equipment"),
        Column("product", "code", lookup="dim_product"),
        Column("reason", "code", lookup="dim_quality_defect_type"),
        Column("quantity", "number", nonnegative=True),
        Column("unit", "code", required=False, lookup="dim_unit_of_measure"),
        Column("is_planned", required=False, choices=("true", "false")),
        Column("disposition", required=False, choices=("scrap", "recycle", "return")),
        Column("cost", "number", required=False, nonnegative=True),
        Column("currency", required=False),
        Column("shift", "code", required=False, lookup="dim_shift"),
    ),
    extra_joins=_calendar_join("occurred_at"),
    row_checks=(
        _equipment_unit_check(),
        _calendar_check("occurred_at"),
        ("quantity", f"CASE WHEN {value('quantity', 'number')} = 0 THEN 'must be positive' END"),
        ("currency", f"CASE WHEN {_given('currency')} AND s.currency !~ '^[A-Z]{{3}}$' "
                     "THEN 'is not a three-letter ISO 4217 code' END"),
    ),
    # Without a unit the quantity is in the product's unit.
    insert=f"""
        INSERT INTO fact_scrap (occurred_at, equipment_id, product_id, date_key, shift_id, reason_id, quantity,
            unit_id, is_planned, disposition, cost, currency, load_batch)
        SELECT s.occurred_at::timestamptz, l_equipment.id, l_product.id, cal.date_key, {_shift_id('occurred_at')},
               l_reason.id, s.quantity::numeric, coalesce(l_unit.id, l_product.unit_id),
               coalesce(s.is_planned = 'true', false), coalesce(nullif(s.disposition, ''), 'scrap'),
               {_number_or('cost', '0')}, coalesce(nullif(s.currency, ''), 'EUR'), %(batch)s
          FROM staging s {{joins}}""",
)

FACTS: dict[str, FactSpec] = {spec.name: spec for spec in (SENSOR_EVENT, PRODUCTION, DOWNTIME, QUALITY, SCRAP)}
