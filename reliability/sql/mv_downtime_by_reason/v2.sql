-- mv_downtime_by_reason, version 2 (same rows): the occurrence of each stop's start is found with a hash
-- join on the hour (the occurrence_slot and slot_hour CTEs) instead of calling mfg_occurrence_at per stop,
-- and the merged stop time is summed inline instead of calling mfg_seconds per group.
CREATE MATERIALIZED VIEW mv_downtime_by_reason AS

WITH as_of AS (SELECT now() AS at),

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
),
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

WITH NO DATA;
CREATE UNIQUE INDEX mv_downtime_by_reason_key ON mv_downtime_by_reason (date_key, shift_id, equipment_id, reason_id);
CREATE INDEX mv_downtime_by_reason_day_idx ON mv_downtime_by_reason (production_date);
