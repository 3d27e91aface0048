-- mfg_shift_at, version 1: the regular shift an instant belongs to, the label every fact gets (load_facts,
-- the ingest API). It applies the occurrence rule of mv_shift_occurrence to dim_shift and dim_date directly,
-- so a shift edited a moment ago counts before the next refresh: a shift occurs on working days when its
-- weekday list is empty, otherwise on the listed ISO weekdays except holidays; inactive shifts never. Of the
-- occurrences containing the instant the one that starts first wins, then the lower shift id (as in
-- mfg_occurrence_at). NULL outside every occurrence: the instant is unscheduled (shift 0 in the views).
-- {schema} as in calendar_functions.
CREATE OR REPLACE FUNCTION mfg_shift_at(ts timestamptz) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT o.shift_id
      FROM {schema}.dim_date AS d
     CROSS JOIN {schema}.dim_shift AS s
     CROSS JOIN LATERAL (
            SELECT d.date + CASE WHEN s.start_time >= {schema}.mfg_production_day_start() THEN 0 ELSE 1 END
                   AS start_day
           ) AS sd
     CROSS JOIN LATERAL (
            SELECT s.id AS shift_id,
                   (sd.start_day + s.start_time) AT TIME ZONE {schema}.mfg_plant_time_zone() AS starts_at,
                   (sd.start_day + CASE WHEN s.end_time > s.start_time THEN 0 ELSE 1 END + s.end_time)
                       AT TIME ZONE {schema}.mfg_plant_time_zone() AS ends_at
           ) AS o
     WHERE d.date IN ({schema}.mfg_production_date(ts), {schema}.mfg_production_date(ts) - 1)
       AND s.is_active
       AND ((cardinality(s.weekdays) = 0 AND d.is_working_day)
            OR (d.day_of_week = ANY (s.weekdays) AND NOT d.is_holiday))
       AND ts >= o.starts_at AND ts < o.ends_at
     ORDER BY o.starts_at, o.shift_id
     LIMIT 1
$$;
