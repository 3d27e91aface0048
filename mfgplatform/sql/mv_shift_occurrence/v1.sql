-- mv_shift_occurrence, version 1: every shift occurrence of dim_date × dim_shift, the production day it
-- belongs to and its real start and end in the plant zone (a night shift on a daylight-saving change lasts 7
-- h or 9 h). A shift runs on working days when its weekday list is empty, otherwise on the listed ISO
-- weekdays except holidays; inactive shift patterns have no occurrences.
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
