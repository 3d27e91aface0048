"""The CSV formats `load_facts` accepts, and their validation and insert SQL.

Every column lands in the staging table as text, so a bad value never aborts the COPY: each
column's checks (required, timestamp with an offset, number, not negative, known business code,
allowed value, length) and each fact's row checks are CASE expressions evaluated in one scan of the
staging table; checks across rows (overlapping downtime) are separate queries. Values are cast
only behind a CASE that proved them valid. docs/ingest.md documents the formats.
"""

from __future__ import annotations

from dataclasses import dataclass

# Checks avoid regular expressions, which cost more than the COPY itself at a million rows:
# PostgreSQL's own input functions decide validity (pg_input_is_valid), plain string tests the rest.
# Queries run with parameters, so a literal % is written %%.


def _timestamp_shape(raw: str) -> str:
    """Starts like an ISO 8601 date and time (PostgreSQL alone would also take "yesterday")."""
    return f"({raw} LIKE '____-__-__%%' AND substr({raw}, 11, 1) IN ('T', 't', ' '))"


def _has_offset(raw: str) -> str:
    """Says where it is relative to UTC: ends in Z, or has a sign after the date part."""
    time_part = f"substr({raw}, 12)"
    return f"(right({raw}, 1) IN ('Z', 'z') OR strpos({time_part}, '+') > 0 OR strpos({time_part}, '-') > 0)"


def _finite_number(raw: str) -> str:
    # NaN, Infinity and inf are valid float input; every spelling of them contains an "n", no
    # plain decimal or exponent number does.
    return f"(pg_input_is_valid({raw}, 'float8') AND strpos(lower({raw}), 'n') = 0)"


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


def column_check(column: Column) -> str:
    """A CASE expression giving the reason the column's value is rejected, or NULL."""
    raw = f"s.{column.name}"
    whens = [f"WHEN coalesce({raw}, '') = '' THEN {'' if column.required else 'NULL::text'}"]
    if column.required:
        whens[0] += "'is required'"
    if column.kind == "timestamp":
        whens.append(f"WHEN NOT {_timestamp_shape(raw)} THEN 'is not an ISO 8601 timestamp'")
        whens.append(f"WHEN NOT {_has_offset(raw)} THEN 'has no UTC offset (end it with Z or e.g. +01:00)'")
        whens.append(f"WHEN NOT pg_input_is_valid({raw}, 'timestamptz') THEN 'is not a valid timestamp'")
    elif column.kind == "number":
        whens.append(f"WHEN NOT {_finite_number(raw)} THEN 'is not a number'")
    elif column.kind == "integer":
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
    """The active shift whose local clock range contains the instant (a night shift wraps midnight)."""
    local = f"({timestamp_sql} AT TIME ZONE %(tz)s)::time"
    return (
        "(SELECT sh.id FROM dim_shift sh WHERE sh.is_active AND CASE WHEN sh.end_time > sh.start_time "
        f"THEN {local} >= sh.start_time AND {local} < sh.end_time "
        f"ELSE {local} >= sh.start_time OR {local} < sh.end_time END ORDER BY sh.sort_order, sh.code LIMIT 1)"
    )


@dataclass(frozen=True)
class FactSpec:
    name: str
    table: str
    columns: tuple[Column, ...]
    extra_joins: str = ""  # joins after the code lookups, shared by checks and insert
    row_checks: tuple[tuple[str, str], ...] = ()  # (column, CASE expression giving a reason or NULL)
    set_checks: tuple[str, ...] = ()  # queries yielding (row_no, column, reason) across rows
    insert: str = ""  # INSERT … SELECT … FROM staging s {joins}; may use %(batch)s

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

    def insert_sql(self) -> str:
        return self.insert.replace("{joins}", self.joins)


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
    # The unique (equipment, tag, time) key makes a replayed reading a no-op.
    insert="""
        INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality)
        SELECT s.time::timestamptz, l_equipment.id, s.tag, s.value::float8,
               coalesce(nullif(s.quality, '')::smallint, 192)
          FROM staging s {joins}
        ON CONFLICT DO NOTHING""",
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
        ("reason", "CASE WHEN l_reason.time_category = '' THEN 'is a reason group; book a leaf reason' END"),
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

FACTS: dict[str, FactSpec] = {spec.name: spec for spec in (SENSOR_EVENT, PRODUCTION, DOWNTIME)}
