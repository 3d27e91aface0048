-- mv_downtime_by_reason, version 3 (same rows): the occurrence of each stop is found in the calendar's hour
-- index (mv_shift_segment_hour); the stop time inside a shift is the sum of what each stop adds after the
-- latest end of the earlier stops of its reason in that occurrence (a running maximum) instead of a
-- multirange union. A stop that crosses a calendar segment is cut occurrence by occurrence. Replaced by
-- agg_downtime_by_reason.
CREATE MATERIALIZED VIEW mv_downtime_by_reason AS

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

WITH NO DATA;
CREATE UNIQUE INDEX mv_downtime_by_reason_key ON mv_downtime_by_reason (date_key, shift_id, equipment_id, reason_id);
CREATE INDEX mv_downtime_by_reason_day_idx ON mv_downtime_by_reason (production_date);
