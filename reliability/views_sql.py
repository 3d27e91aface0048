"""SQL of the reliability materialized views (sums only, never ratios).

- `mv_downtime_by_reason`: per equipment × shift occurrence × downtime reason the stops that start
  there (count, open ones, their full duration, open stops running to now) and the stop time inside
  that shift window (stops of the same reason merged, a stop across shifts split between them).
- `mv_reliability_event`: per equipment × shift occurrence × failure mode (0 = none) × maintenance
  category ('none', 'corrective', 'preventive') the failures that start there (FE), the restored ones
  and their restoration times (TTR = end − start), active repair time, elapsed time since the
  previous failure of the unit was restored (TBF, elapsed), and corrective / preventive maintenance
  time (CMT: failures and corrective stops; PMT: preventive stops). Operating time between failures
  comes from mv_time_model (AUPT), so MTBF = ΣAUPT / FE rolls up exactly.
- `mv_sensor_hourly`: per equipment × tag × hour (time_bucket) the readings, the good ones, and
  sum, sum of squares, minimum and maximum of the good values.

A stop or failure belongs to the shift occurrence containing its start; outside every shift, to
shift 0 of its production day. Each constant is one released version; migrations import it.

Version 2 of mv_downtime_by_reason (same results; the other views are unchanged) finds the
occurrence of each stop's start with a hash join on the hour (mfgplatform.views_sql
OCCURRENCE_SLOT_CTES_V2) instead of calling mfg_occurrence_at per stop, and sums the merged stop
time inline instead of calling mfg_seconds per group.

Since version 4 the downtime by reason is the day-kept table `agg_downtime_by_reason`
(mfgplatform.aggregates.day_kept) instead of a materialized view: same columns and rows, recomputed only
for the production days written since the last pass.
"""

from mfgplatform.aggregates.day_kept import day_aggregate_triggers_sql, drop_day_aggregate_triggers_sql
from mfgplatform.views_sql import OCCURRENCE_SLOT_CTES_V2

DOWNTIME_BY_REASON_SELECT_V1 = """
WITH as_of AS (SELECT now() AS at),
stop AS (
    SELECT d.id, d.equipment_id, d.reason_id, d.ended_at IS NULL AS is_open,
           tstzrange(d.started_at, greatest(d.started_at, coalesce(d.ended_at, a.at))) AS span
      FROM fact_downtime AS d CROSS JOIN as_of AS a
),
started AS (
    SELECT o.date_key, o.shift_id, s.equipment_id, s.reason_id, min(o.production_date) AS production_date,
           count(*) AS stops, count(*) FILTER (WHERE s.is_open) AS open_stops,
           sum(extract(epoch FROM upper(s.span) - lower(s.span))) AS stop_s
      FROM stop AS s
     CROSS JOIN LATERAL mfg_occurrence_at(lower(s.span)) AS o
     GROUP BY o.date_key, o.shift_id, s.equipment_id, s.reason_id
),
scheduled AS (
    SELECT so.date_key, so.shift_id, s.equipment_id, s.reason_id, so.production_date,
           mfg_seconds(range_agg(s.span * so.occurrence)) AS scheduled_s
      FROM stop AS s
     CROSS JOIN LATERAL generate_series(0, mfg_production_date(upper(s.span)) - mfg_production_date(lower(s.span)) + 1)
           AS g(n)
      JOIN mv_shift_occurrence AS so
        ON so.production_date = mfg_production_date(lower(s.span)) - 1 + g.n AND so.occurrence && s.span
     GROUP BY so.date_key, so.shift_id, s.equipment_id, s.reason_id, so.production_date
)
SELECT date_key, shift_id, equipment_id, reason_id,
       coalesce(st.production_date, sc.production_date) AS production_date,
       coalesce(st.stops, 0) AS stops,
       coalesce(st.open_stops, 0) AS open_stops,
       coalesce(st.stop_s, 0) AS stop_s,
       coalesce(sc.scheduled_s, 0) AS scheduled_s
  FROM started AS st
  FULL JOIN scheduled AS sc USING (date_key, shift_id, equipment_id, reason_id)
"""

RELIABILITY_EVENT_SELECT_V1 = """
WITH as_of AS (SELECT now() AS at),
stop AS (
    SELECT d.equipment_id, d.started_at, d.ended_at,
           coalesce(d.failure_mode_id, r.failure_mode_id, 0) AS failure_mode_id,
           CASE WHEN r.maintenance_category = '' THEN 'none' ELSE r.maintenance_category END AS maintenance_category,
           r.is_failure,
           extract(epoch FROM greatest(d.started_at, coalesce(d.ended_at, a.at)) - d.started_at) AS duration_s,
           d.active_repair_minutes * 60 AS active_repair_s,
           CASE WHEN r.is_failure THEN
               d.started_at - lag(d.ended_at) OVER (PARTITION BY d.equipment_id, r.is_failure
                                                    ORDER BY d.started_at, d.id)
           END AS since_previous_failure
      FROM fact_downtime AS d
      JOIN dim_downtime_reason AS r ON r.id = d.reason_id
     CROSS JOIN as_of AS a
)
SELECT o.date_key, o.shift_id, s.equipment_id, s.failure_mode_id, s.maintenance_category,
       min(o.production_date) AS production_date,
       count(*) FILTER (WHERE s.is_failure) AS failures,
       count(*) FILTER (WHERE s.is_failure AND s.ended_at IS NOT NULL) AS restored_failures,
       coalesce(sum(s.duration_s) FILTER (WHERE s.is_failure AND s.ended_at IS NOT NULL), 0) AS ttr_s,
       coalesce(sum(s.active_repair_s) FILTER (WHERE s.is_failure), 0) AS active_repair_s,
       coalesce(sum(extract(epoch FROM s.since_previous_failure))
                FILTER (WHERE s.since_previous_failure >= interval '0'), 0) AS tbf_elapsed_s,
       count(*) FILTER (WHERE s.since_previous_failure >= interval '0') AS tbf_count,
       coalesce(sum(s.duration_s) FILTER (WHERE s.is_failure OR s.maintenance_category = 'corrective'), 0) AS cmt_s,
       coalesce(sum(s.duration_s) FILTER (WHERE NOT s.is_failure AND s.maintenance_category = 'preventive'), 0)
           AS pmt_s
  FROM stop AS s
 CROSS JOIN LATERAL mfg_occurrence_at(s.started_at) AS o
 WHERE s.is_failure OR s.maintenance_category <> 'none'
 GROUP BY o.date_key, o.shift_id, s.equipment_id, s.failure_mode_id, s.maintenance_category
"""

SENSOR_HOURLY_SELECT_V1 = """
SELECT equipment_id, tag, time_bucket(interval '1 hour', time) AS bucket,
       count(*) AS readings,
       count(*) FILTER (WHERE quality = 192) AS good_readings,
       sum(value) FILTER (WHERE quality = 192) AS value_sum,
       sum(value * value) FILTER (WHERE quality = 192) AS value_sq_sum,
       min(value) FILTER (WHERE quality = 192) AS value_min,
       max(value) FILTER (WHERE quality = 192) AS value_max
  FROM fact_sensor_event
 GROUP BY equipment_id, tag, time_bucket(interval '1 hour', time)
"""

RELIABILITY_VIEWS_V1 = f"""
CREATE MATERIALIZED VIEW mv_downtime_by_reason AS
{DOWNTIME_BY_REASON_SELECT_V1}
WITH NO DATA;
CREATE UNIQUE INDEX mv_downtime_by_reason_key ON mv_downtime_by_reason (date_key, shift_id, equipment_id, reason_id);
CREATE INDEX mv_downtime_by_reason_day_idx ON mv_downtime_by_reason (production_date);

CREATE MATERIALIZED VIEW mv_reliability_event AS
{RELIABILITY_EVENT_SELECT_V1}
WITH NO DATA;
CREATE UNIQUE INDEX mv_reliability_event_key
    ON mv_reliability_event (date_key, shift_id, equipment_id, failure_mode_id, maintenance_category);
CREATE INDEX mv_reliability_event_day_idx ON mv_reliability_event (production_date);

CREATE MATERIALIZED VIEW mv_sensor_hourly AS
{SENSOR_HOURLY_SELECT_V1}
WITH NO DATA;
CREATE UNIQUE INDEX mv_sensor_hourly_key ON mv_sensor_hourly (equipment_id, tag, bucket);
CREATE INDEX mv_sensor_hourly_bucket_idx ON mv_sensor_hourly (bucket);
"""

DROP_RELIABILITY_VIEWS_V1 = """
DROP MATERIALIZED VIEW IF EXISTS mv_sensor_hourly;
DROP MATERIALIZED VIEW IF EXISTS mv_reliability_event;
DROP MATERIALIZED VIEW IF EXISTS mv_downtime_by_reason;
"""

DOWNTIME_BY_REASON_SELECT_V2 = f"""
WITH as_of AS (SELECT now() AS at),
{OCCURRENCE_SLOT_CTES_V2},
stop AS (
    SELECT d.id, d.equipment_id, d.reason_id, d.ended_at IS NULL AS is_open,
           tstzrange(d.started_at, greatest(d.started_at, coalesce(d.ended_at, a.at))) AS span
      FROM fact_downtime AS d CROSS JOIN as_of AS a
),
started AS (
    SELECT coalesce(o.date_key, mfg_date_key(mfg_production_date(lower(s.span)))) AS date_key,
           coalesce(o.shift_id, 0) AS shift_id, s.equipment_id, s.reason_id,
           min(coalesce(o.production_date, mfg_production_date(lower(s.span)))) AS production_date,
           count(*) AS stops, count(*) FILTER (WHERE s.is_open) AS open_stops,
           sum(extract(epoch FROM upper(s.span) - lower(s.span))) AS stop_s
      FROM stop AS s
      LEFT JOIN slot_hour AS o
        ON o.hour = date_bin(interval '1 hour', lower(s.span), timestamptz 'epoch') AND o.slot @> lower(s.span)
     GROUP BY 1, 2, s.equipment_id, s.reason_id
),
scheduled AS (
    SELECT so.date_key, so.shift_id, s.equipment_id, s.reason_id, so.production_date,
           (SELECT coalesce(sum(extract(epoch FROM upper(r) - lower(r))), 0)
              FROM unnest(range_agg(s.span * so.occurrence)) AS r) AS scheduled_s
      FROM stop AS s
     CROSS JOIN LATERAL generate_series(0, mfg_production_date(upper(s.span)) - mfg_production_date(lower(s.span)) + 1)
           AS g(n)
      JOIN mv_shift_occurrence AS so
        ON so.production_date = mfg_production_date(lower(s.span)) - 1 + g.n AND so.occurrence && s.span
     GROUP BY so.date_key, so.shift_id, s.equipment_id, s.reason_id, so.production_date
)
SELECT date_key, shift_id, equipment_id, reason_id,
       coalesce(st.production_date, sc.production_date) AS production_date,
       coalesce(st.stops, 0) AS stops,
       coalesce(st.open_stops, 0) AS open_stops,
       coalesce(st.stop_s, 0) AS stop_s,
       coalesce(sc.scheduled_s, 0) AS scheduled_s
  FROM started AS st
  FULL JOIN scheduled AS sc USING (date_key, shift_id, equipment_id, reason_id)
"""

DOWNTIME_BY_REASON_V2 = f"""
CREATE MATERIALIZED VIEW mv_downtime_by_reason AS
{DOWNTIME_BY_REASON_SELECT_V2}
WITH NO DATA;
CREATE UNIQUE INDEX mv_downtime_by_reason_key ON mv_downtime_by_reason (date_key, shift_id, equipment_id, reason_id);
CREATE INDEX mv_downtime_by_reason_day_idx ON mv_downtime_by_reason (production_date);

"""

DROP_DOWNTIME_BY_REASON = "DROP MATERIALIZED VIEW IF EXISTS mv_downtime_by_reason;"

# Reverse of DOWNTIME_BY_REASON_V2: version 1 of the view with its indexes.
DOWNTIME_BY_REASON_V1 = f"""
CREATE MATERIALIZED VIEW mv_downtime_by_reason AS
{DOWNTIME_BY_REASON_SELECT_V1}
WITH NO DATA;
CREATE UNIQUE INDEX mv_downtime_by_reason_key ON mv_downtime_by_reason (date_key, shift_id, equipment_id, reason_id);
CREATE INDEX mv_downtime_by_reason_day_idx ON mv_downtime_by_reason (production_date);
"""

# Version 3 of mv_downtime_by_reason (same rows as before): the occurrence of each stop is found in the
# calendar's hour index (mfgplatform.views_sql SHIFT_SEGMENT_HOUR_V1) rather than in a slot table built
# in every refresh; the stop time inside a shift is the sum of what each stop adds after
# the latest end of the earlier stops of its reason in that occurrence (a running maximum), instead of a
# multirange union. A stop that crosses a calendar segment is cut occurrence by occurrence.
DOWNTIME_BY_REASON_SELECT_V3 = """
WITH stop AS (
    SELECT d.equipment_id, d.reason_id, d.ended_at IS NULL AS is_open, d.started_at AS lo,
           greatest(d.started_at, coalesce(d.ended_at, now())) AS hi
      FROM fact_downtime AS d
),
located AS MATERIALIZED (
    SELECT s.*, h.date_key, h.shift_id, h.production_date, h.is_owner, h.ends_at AS segment_end
      FROM stop AS s
      LEFT JOIN mv_shift_segment_hour AS h
        ON h.hour = date_bin(interval '1 hour', s.lo, timestamptz 'epoch') AND h.starts_at <= s.lo AND s.lo < h.ends_at
),
started AS (
    SELECT coalesce(l.date_key, mfg_date_key(mfg_production_date(l.lo))) AS date_key,
           coalesce(l.shift_id, 0) AS shift_id, l.equipment_id, l.reason_id,
           min(coalesce(l.production_date, mfg_production_date(l.lo))) AS production_date,
           count(*) AS stops, count(*) FILTER (WHERE l.is_open) AS open_stops,
           sum(extract(epoch FROM l.hi - l.lo)) AS stop_s
      FROM located AS l
     WHERE coalesce(l.is_owner, true)
     GROUP BY 1, 2, l.equipment_id, l.reason_id
),
piece AS (
    SELECT l.equipment_id, l.reason_id, l.date_key, l.shift_id, l.production_date, l.lo, l.hi
      FROM located AS l
     WHERE l.hi <= l.segment_end AND l.hi > l.lo
    UNION ALL
    SELECT l.equipment_id, l.reason_id, o.date_key, o.shift_id, o.production_date,
           greatest(l.lo, lower(o.occurrence)), least(l.hi, upper(o.occurrence))
      FROM located AS l
     CROSS JOIN LATERAL generate_series(0, mfg_production_date(l.hi) - mfg_production_date(l.lo) + 1) AS g(n)
      JOIN mv_shift_occurrence AS o
        ON o.production_date = mfg_production_date(l.lo) - 1 + g.n AND o.occurrence && tstzrange(l.lo, l.hi)
     WHERE (l.segment_end IS NULL OR l.hi > l.segment_end) AND coalesce(l.is_owner, true)
),
scheduled AS (
    SELECT w.date_key, w.shift_id, w.equipment_id, w.reason_id, min(w.production_date) AS production_date,
           extract(epoch FROM sum(greatest(w.hi - greatest(w.lo, w.covered_to), interval '0'))) AS scheduled_s
      FROM (SELECT p.*,
                   max(p.hi) OVER (PARTITION BY p.equipment_id, p.reason_id, p.date_key, p.shift_id ORDER BY p.lo
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS covered_to
              FROM piece AS p) AS w
     GROUP BY w.date_key, w.shift_id, w.equipment_id, w.reason_id
)
SELECT date_key, shift_id, equipment_id, reason_id,
       coalesce(st.production_date, sc.production_date) AS production_date,
       coalesce(st.stops, 0) AS stops,
       coalesce(st.open_stops, 0) AS open_stops,
       coalesce(st.stop_s, 0) AS stop_s,
       coalesce(sc.scheduled_s, 0) AS scheduled_s
  FROM started AS st
  FULL JOIN scheduled AS sc USING (date_key, shift_id, equipment_id, reason_id)
"""

DOWNTIME_BY_REASON_V3 = f"""
CREATE MATERIALIZED VIEW mv_downtime_by_reason AS
{DOWNTIME_BY_REASON_SELECT_V3}
WITH NO DATA;
CREATE UNIQUE INDEX mv_downtime_by_reason_key ON mv_downtime_by_reason (date_key, shift_id, equipment_id, reason_id);
CREATE INDEX mv_downtime_by_reason_day_idx ON mv_downtime_by_reason (production_date);
"""


# Version 4: the SELECT of the day-kept table agg_downtime_by_reason (mfgplatform.aggregates.day_kept), which
# replaces the materialized view: version 3 restricted to the production days from $1 on, reading only
# the stops that reach into them ($2: the earliest instant an occurrence of those days can start). With
# $1 = -infinity it yields exactly version 3's rows.
DOWNTIME_BY_REASON_SELECT_V4 = """WITH stop AS (
    SELECT d.equipment_id, d.reason_id, d.ended_at IS NULL AS is_open, d.started_at AS lo,
           greatest(d.started_at, coalesce(d.ended_at, now())) AS hi
      FROM fact_downtime AS d
     WHERE d.ended_at IS NULL OR d.ended_at > $2
),
located AS MATERIALIZED (
    SELECT s.*, h.date_key, h.shift_id, h.production_date, h.is_owner, h.ends_at AS segment_end
      FROM stop AS s
      LEFT JOIN mv_shift_segment_hour AS h
        ON h.hour = date_bin(interval '1 hour', s.lo, timestamptz 'epoch') AND h.starts_at <= s.lo AND s.lo < h.ends_at
       -- Only the index's hours from the window on: a stop that starts earlier and reaches into the
       -- window finds no segment and is cut occurrence by occurrence below.
       AND h.hour > $2 - interval '1 hour'
),
started AS (
    SELECT coalesce(l.date_key, mfg_date_key(mfg_production_date(l.lo))) AS date_key,
           coalesce(l.shift_id, 0) AS shift_id, l.equipment_id, l.reason_id,
           min(coalesce(l.production_date, mfg_production_date(l.lo))) AS production_date,
           count(*) AS stops, count(*) FILTER (WHERE l.is_open) AS open_stops,
           sum(extract(epoch FROM l.hi - l.lo)) AS stop_s
      FROM located AS l
     WHERE coalesce(l.is_owner, true)
     GROUP BY 1, 2, l.equipment_id, l.reason_id
),
piece AS (
    SELECT l.equipment_id, l.reason_id, l.date_key, l.shift_id, l.production_date, l.lo, l.hi
      FROM located AS l
     WHERE l.hi <= l.segment_end AND l.hi > l.lo
    UNION ALL
    SELECT l.equipment_id, l.reason_id, o.date_key, o.shift_id, o.production_date,
           greatest(l.lo, lower(o.occurrence)), least(l.hi, upper(o.occurrence))
      FROM located AS l
     CROSS JOIN LATERAL generate_series(0, mfg_production_date(l.hi) - mfg_production_date(l.lo) + 1) AS g(n)
      JOIN mv_shift_occurrence AS o
        ON o.production_date = mfg_production_date(l.lo) - 1 + g.n AND o.occurrence && tstzrange(l.lo, l.hi)
     WHERE (l.segment_end IS NULL OR l.hi > l.segment_end) AND coalesce(l.is_owner, true)
),
scheduled AS (
    SELECT w.date_key, w.shift_id, w.equipment_id, w.reason_id, min(w.production_date) AS production_date,
           extract(epoch FROM sum(greatest(w.hi - greatest(w.lo, w.covered_to), interval '0'))) AS scheduled_s
      FROM (SELECT p.*,
                   max(p.hi) OVER (PARTITION BY p.equipment_id, p.reason_id, p.date_key, p.shift_id ORDER BY p.lo
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS covered_to
              FROM piece AS p) AS w
     GROUP BY w.date_key, w.shift_id, w.equipment_id, w.reason_id
)
SELECT date_key, shift_id, equipment_id, reason_id,
       coalesce(st.production_date, sc.production_date) AS production_date,
       coalesce(st.stops, 0) AS stops,
       coalesce(st.open_stops, 0) AS open_stops,
       coalesce(st.stop_s, 0) AS stop_s,
       coalesce(sc.scheduled_s, 0) AS scheduled_s
  FROM started AS st
  FULL JOIN scheduled AS sc USING (date_key, shift_id, equipment_id, reason_id)
 WHERE coalesce(st.production_date, sc.production_date) >= $1
"""

AGG_DOWNTIME_BY_REASON_V1 = f"""
CREATE TABLE agg_downtime_by_reason (
    date_key integer NOT NULL,
    shift_id bigint NOT NULL,
    equipment_id bigint NOT NULL,
    reason_id bigint NOT NULL,
    production_date date NOT NULL,
    stops bigint NOT NULL,
    open_stops bigint NOT NULL,
    stop_s numeric NOT NULL,
    scheduled_s numeric NOT NULL,
    CONSTRAINT agg_downtime_by_reason_pkey PRIMARY KEY (date_key, shift_id, equipment_id, reason_id)
);
CREATE INDEX agg_downtime_by_reason_day_idx ON agg_downtime_by_reason (production_date);
CREATE INDEX agg_downtime_by_reason_equipment_idx ON agg_downtime_by_reason (equipment_id, date_key);
COMMENT ON TABLE agg_downtime_by_reason IS
    'Stops, their duration and the stop time inside shifts per equipment × shift × reason; kept by '
    'agg_downtime_by_reason_refresh().';

CREATE FUNCTION agg_downtime_by_reason_refresh(rebuild boolean DEFAULT false, OUT invalidations bigint,
                                               OUT rows_deleted bigint, OUT rows_written bigint)
LANGUAGE sql AS $function$
    SELECT * FROM mfg_day_aggregate_pass('agg_downtime_by_reason', $select${DOWNTIME_BY_REASON_SELECT_V4}$select$,
                                         rebuild)
$function$;

{day_aggregate_triggers_sql("agg_downtime_by_reason", ("fact_downtime",))}
"""

DROP_AGG_DOWNTIME_BY_REASON_V1 = f"""
{drop_day_aggregate_triggers_sql("agg_downtime_by_reason", ("fact_downtime",))}
DROP FUNCTION IF EXISTS agg_downtime_by_reason_refresh(boolean);
DROP TABLE IF EXISTS agg_downtime_by_reason;
"""
