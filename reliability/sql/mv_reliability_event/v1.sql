-- mv_reliability_event, version 1: per equipment × shift occurrence × failure mode (0 = none) × maintenance
-- category ('none', 'corrective', 'preventive') the failures that start there (FE), the restored ones and
-- their restoration times (TTR = end − start), active repair time, elapsed time since the previous failure
-- of the unit was restored (TBF, elapsed), and corrective / preventive maintenance time (CMT: failures and
-- corrective stops; PMT: preventive stops). Operating time between failures comes from the time model
-- (AUPT), so MTBF = ΣAUPT / FE rolls up exactly.
CREATE MATERIALIZED VIEW mv_reliability_event AS

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

WITH NO DATA;
CREATE UNIQUE INDEX mv_reliability_event_key
    ON mv_reliability_event (date_key, shift_id, equipment_id, failure_mode_id, maintenance_category);
CREATE INDEX mv_reliability_event_day_idx ON mv_reliability_event (production_date);
