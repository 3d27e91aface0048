-- mv_quality_measurement, version 2: Version 2 (same rows): the shift occurrence is found with a hash join
-- on the hour of the instant (the occurrence_slot and slot_hour CTEs) instead of calling mfg_occurrence_at
-- per record.
CREATE MATERIALIZED VIEW mv_quality_measurement AS

WITH 
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
)
SELECT coalesce(o.date_key, mfg_date_key(mfg_production_date(q.inspected_at))) AS date_key,
       coalesce(o.shift_id, 0) AS shift_id, q.equipment_id, q.product_id, q.characteristic,
       coalesce(q.subgroup, 0) AS subgroup,
       min(coalesce(o.production_date, mfg_production_date(q.inspected_at))) AS production_date,
       count(*) AS n,
       sum(q.measured_value) AS value_sum,
       sum(q.measured_value * q.measured_value) AS value_sq_sum,
       min(q.lower_spec_limit) AS lsl,
       max(q.upper_spec_limit) AS usl,
       max(q.lower_spec_limit) AS lsl_max,
       min(q.upper_spec_limit) AS usl_min,
       min(q.target_value) AS target
  FROM fact_quality AS q
  LEFT JOIN slot_hour AS o
    ON o.hour = date_bin(interval '1 hour', q.inspected_at, timestamptz 'epoch') AND o.slot @> q.inspected_at
 WHERE q.kind = 'variable'
 GROUP BY 1, 2, q.equipment_id, q.product_id, q.characteristic, coalesce(q.subgroup, 0)

WITH NO DATA;
CREATE UNIQUE INDEX mv_quality_measurement_key
    ON mv_quality_measurement (date_key, shift_id, equipment_id, product_id, characteristic, subgroup);
CREATE INDEX mv_quality_measurement_char_idx ON mv_quality_measurement (characteristic, production_date);
