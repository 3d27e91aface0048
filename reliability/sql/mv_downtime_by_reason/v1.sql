-- mv_downtime_by_reason, version 1: per equipment × shift occurrence × downtime reason the stops that start
-- there (count, open ones, their full duration, open stops running to now) and the stop time inside that
-- shift window (stops of the same reason merged, a stop across shifts split between them). A stop belongs to
-- the shift occurrence containing its start; outside every shift, to shift 0 of its production day.
CREATE MATERIALIZED VIEW mv_downtime_by_reason AS

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

WITH NO DATA;
CREATE UNIQUE INDEX mv_downtime_by_reason_key ON mv_downtime_by_reason (date_key, shift_id, equipment_id, reason_id);
CREATE INDEX mv_downtime_by_reason_day_idx ON mv_downtime_by_reason (production_date);
