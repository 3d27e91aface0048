-- agg_downtime_by_reason, version 1: downtime by reason kept by production day
-- (mfgplatform/sql/day_aggregate): the table, its pass agg_downtime_by_reason_refresh() and the triggers
-- that invalidate its days. Its SELECT is mv_downtime_by_reason version 3 restricted to the production days
-- from $1 on, reading only the stops that reach into them ($2: the earliest instant an occurrence of those
-- days can start); with $1 = -infinity it yields exactly version 3's rows.
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
    SELECT * FROM mfg_day_aggregate_pass('agg_downtime_by_reason', $select$WITH stop AS (
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
$select$,
                                         rebuild)
$function$;

CREATE TRIGGER agg_downtime_by_reason_insert AFTER INSERT ON fact_downtime REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mfg_invalidate_fact_days('agg_downtime_by_reason');
CREATE TRIGGER agg_downtime_by_reason_update AFTER UPDATE ON fact_downtime REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mfg_invalidate_fact_days('agg_downtime_by_reason');
CREATE TRIGGER agg_downtime_by_reason_delete AFTER DELETE ON fact_downtime REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mfg_invalidate_fact_days('agg_downtime_by_reason');
CREATE TRIGGER agg_downtime_by_reason_truncate AFTER TRUNCATE ON fact_downtime FOR EACH STATEMENT EXECUTE FUNCTION mfg_invalidate_fact_days('agg_downtime_by_reason');
