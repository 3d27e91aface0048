"""SQL of the shared calendar layer the KPI views stand on.

Each constant is one released version: migrations import it, so it is never edited once shipped;
a change is a new constant and a new migration.

- `mfg_plant_time_zone()` and `mfg_production_day_start()` hold the plant calendar settings
  (PLANT_TIME_ZONE, PRODUCTION_DAY_START) inside the database, so a refresh started from psql or by
  any job computes the same windows. `registry.sync_plant_calendar` rewrites them when the
  settings change.
- `mfg_production_date(ts)` is the production day of an instant (calendar.production_date in SQL).
- `mfg_seconds(multirange)` is the total length of a set of intervals, in seconds.
- `mv_shift_occurrence` is every shift occurrence of dim_date × dim_shift: the production day it
  belongs to and its real start and end in the plant zone (so a night shift on a daylight-saving
  change lasts 7 h or 9 h). A shift runs on working days when its weekday list is empty, otherwise
  on the listed ISO weekdays except holidays; inactive shift patterns have no occurrences.
- `mv_shift_segment_hour` is the calendar's hour index the views join facts to (see its constant).
"""

from __future__ import annotations

import datetime as dt


def plant_calendar_functions_sql(time_zone: str, day_start: dt.time) -> str:
    """The two settings functions, as CREATE OR REPLACE statements for the given values."""
    zone = time_zone.replace("'", "''")
    clock = day_start.strftime("%H:%M:%S")
    return f"""
CREATE OR REPLACE FUNCTION mfg_plant_time_zone() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT text '{zone}' $$;
CREATE OR REPLACE FUNCTION mfg_production_day_start() RETURNS time
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT time '{clock}' $$;
"""


# PostgreSQL 17 refreshes materialized views with search_path = pg_catalog, so a function body
# that calls another of our functions names its schema ({schema} is filled in by the migration).
HELPER_FUNCTIONS_V1 = """
CREATE OR REPLACE FUNCTION mfg_production_date(ts timestamptz) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ((ts AT TIME ZONE {schema}.mfg_plant_time_zone())
            - ({schema}.mfg_production_day_start() - time '00:00'))::date
$$;

CREATE OR REPLACE FUNCTION mfg_date_key(day date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (extract(year FROM day) * 10000 + extract(month FROM day) * 100 + extract(day FROM day))::integer
$$;

CREATE OR REPLACE FUNCTION mfg_seconds(intervals tstzmultirange) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(sum(extract(epoch FROM upper(r) - lower(r))), 0) FROM unnest(intervals) AS r
$$;
"""

DROP_HELPER_FUNCTIONS_V1 = """
DROP FUNCTION IF EXISTS mfg_seconds(tstzmultirange);
DROP FUNCTION IF EXISTS mfg_date_key(date);
DROP FUNCTION IF EXISTS mfg_production_date(timestamptz);
DROP FUNCTION IF EXISTS mfg_production_day_start();
DROP FUNCTION IF EXISTS mfg_plant_time_zone();
"""

SHIFT_OCCURRENCE_V1 = """
CREATE MATERIALIZED VIEW mv_shift_occurrence AS
SELECT d.date_key,
       s.id AS shift_id,
       d.date AS production_date,
       tstzrange(w.starts_at, w.ends_at) AS occurrence,
       s.planned_break_minutes * 60 AS break_seconds
  FROM dim_date AS d
 CROSS JOIN dim_shift AS s
 CROSS JOIN LATERAL (
        SELECT d.date + CASE WHEN s.start_time >= mfg_production_day_start() THEN 0 ELSE 1 END AS start_day
       ) AS sd
 CROSS JOIN LATERAL (
        SELECT (sd.start_day + s.start_time) AT TIME ZONE mfg_plant_time_zone() AS starts_at,
               (sd.start_day + CASE WHEN s.end_time > s.start_time THEN 0 ELSE 1 END + s.end_time)
                   AT TIME ZONE mfg_plant_time_zone() AS ends_at
       ) AS w
 WHERE s.is_active
   AND ((cardinality(s.weekdays) = 0 AND d.is_working_day)
        OR (d.day_of_week = ANY (s.weekdays) AND NOT d.is_holiday))
WITH NO DATA;

CREATE UNIQUE INDEX mv_shift_occurrence_key ON mv_shift_occurrence (date_key, shift_id);
CREATE INDEX mv_shift_occurrence_day_idx ON mv_shift_occurrence (production_date);
"""

DROP_SHIFT_OCCURRENCE_V1 = "DROP MATERIALIZED VIEW IF EXISTS mv_shift_occurrence;"

# The shift occurrence containing an instant; outside every shift, shift 0 of the instant's
# production day (the views' "outside the shift calendar" row). {schema} as above.
OCCURRENCE_AT_V1 = """
CREATE OR REPLACE FUNCTION mfg_occurrence_at(ts timestamptz)
RETURNS TABLE (date_key integer, shift_id bigint, production_date date)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(o.date_key, {schema}.mfg_date_key(d.day)),
           coalesce(o.shift_id, 0),
           coalesce(o.production_date, d.day)
      FROM (SELECT {schema}.mfg_production_date(ts) AS day) AS d
      LEFT JOIN LATERAL (
            SELECT so.date_key, so.shift_id, so.production_date
              FROM {schema}.mv_shift_occurrence AS so
             WHERE so.production_date IN (d.day, d.day - 1) AND so.occurrence @> ts
             ORDER BY lower(so.occurrence), so.shift_id
             LIMIT 1
           ) AS o ON true
$$;
"""

DROP_OCCURRENCE_AT_V1 = "DROP FUNCTION IF EXISTS mfg_occurrence_at(timestamptz);"

# Set-based form of mfg_occurrence_at for the views (version 2 of the views joins facts to it instead
# of calling the function once per fact row). Two CTEs to put in a view's WITH clause:
# - `occurrence_slot`: the part of each occurrence that its instants belong to. Where shift
#   patterns overlap, an instant belongs to the occurrence that starts first (then the lower shift
#   id), as in mfg_occurrence_at; every earlier-ordered occurrence that overlaps covers a prefix, so
#   the slot starts at the latest end among them. Slots are disjoint.
# - `slot_hour`: each slot once per whole hour (aligned to the Unix epoch) it touches, the hash key of
#   the lookup `slot_hour.hour = date_bin(interval '1 hour', <instant>, timestamptz 'epoch') AND
#   slot_hour.slot @> <instant>`. An instant in no slot is outside every shift: shift 0 of its
#   production day. The hour is plain arithmetic on the instant (no time zone lookup per record).
OCCURRENCE_SLOT_CTES_V2 = """
occurrence_slot AS (
    SELECT c.date_key, c.shift_id, c.production_date, tstzrange(c.slot_start, upper(c.occurrence)) AS slot
      FROM (SELECT o.date_key, o.shift_id, o.production_date, o.occurrence,
                   greatest(lower(o.occurrence), max(upper(o.occurrence)) OVER earlier) AS slot_start
              FROM mv_shift_occurrence AS o
            WINDOW earlier AS (ORDER BY lower(o.occurrence), o.shift_id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) AS c
     WHERE c.slot_start < upper(c.occurrence)
),
slot_hour AS (
    SELECT s.date_key, s.shift_id, s.production_date, s.slot, h.hour
      FROM occurrence_slot AS s
     CROSS JOIN LATERAL generate_series(date_bin(interval '1 hour', lower(s.slot), timestamptz 'epoch'),
                                        upper(s.slot) - interval '1 microsecond', interval '1 hour') AS h(hour)
)"""


# The calendar's hour index, the occurrence lookup the views of version 3 join facts to (instead of
# building occurrence_slot / slot_hour in every refresh; it changes only when the calendar does).
# The timeline is cut at every occurrence start and end into elementary segments; each segment that
# some occurrence covers has one row per covering occurrence and per whole hour (aligned to the Unix
# epoch) it touches. `is_owner` marks the occurrence an instant of the segment belongs to (the one
# that starts first, then the lower shift id, as in mfg_occurrence_at).
# - an instant: `hour = date_bin(interval '1 hour', ts, timestamptz 'epoch') AND starts_at <= ts AND
#   ts < ends_at AND is_owner`; no row means outside every shift (shift 0 of its production day);
# - an interval [lo, hi) with hi <= ends_at of lo's segment lies whole in each occurrence covering that
#   segment; only an interval that crosses a segment end needs cutting.
SHIFT_SEGMENT_HOUR_V1 = """
CREATE MATERIALIZED VIEW mv_shift_segment_hour AS
WITH boundary AS (
    SELECT lower(occurrence) AS at FROM mv_shift_occurrence
    UNION
    SELECT upper(occurrence) FROM mv_shift_occurrence
),
segment AS (
    SELECT at AS starts_at, lead(at) OVER (ORDER BY at) AS ends_at, mfg_production_date(at) AS day
      FROM boundary
),
covered AS (
    -- An occurrence of production day D starts in D and lasts at most a day, so the occurrences
    -- covering an instant belong to its production day or the one before.
    SELECT s.starts_at, s.ends_at, o.date_key, o.shift_id, o.production_date,
           row_number() OVER (PARTITION BY s.starts_at ORDER BY lower(o.occurrence), o.shift_id) = 1 AS is_owner
      FROM segment AS s
     CROSS JOIN (VALUES (0), (1)) AS back(days)
      JOIN mv_shift_occurrence AS o
        ON o.production_date = s.day - back.days AND o.occurrence @> tstzrange(s.starts_at, s.ends_at)
     WHERE s.ends_at IS NOT NULL
)
SELECT h.hour, c.starts_at, c.ends_at, c.date_key, c.shift_id, c.production_date, c.is_owner
  FROM covered AS c
 CROSS JOIN LATERAL generate_series(date_bin(interval '1 hour', c.starts_at, timestamptz 'epoch'),
                                    c.ends_at - interval '1 microsecond', interval '1 hour') AS h(hour)
WITH NO DATA;

CREATE UNIQUE INDEX mv_shift_segment_hour_key ON mv_shift_segment_hour (hour, starts_at, date_key, shift_id);
"""

DROP_SHIFT_SEGMENT_HOUR_V1 = "DROP MATERIALIZED VIEW IF EXISTS mv_shift_segment_hour;"
