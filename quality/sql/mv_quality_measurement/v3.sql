-- mv_quality_measurement, version 3: per equipment × shift occurrence × product × characteristic ×
-- subgroup (0 = none) the count, sum and sum of squares of the measurements and the specification
-- limits; each record's occurrence found in the calendar's hour index (mv_shift_segment_hour).
CREATE MATERIALIZED VIEW mv_quality_measurement AS
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
  LEFT JOIN mv_shift_segment_hour AS o
    ON o.hour = date_bin(interval '1 hour', q.inspected_at, timestamptz 'epoch')
   AND o.starts_at <= q.inspected_at AND q.inspected_at < o.ends_at AND o.is_owner
 WHERE q.kind = 'variable'
 GROUP BY 1, 2, q.equipment_id, q.product_id, q.characteristic, coalesce(q.subgroup, 0)
WITH NO DATA;
CREATE UNIQUE INDEX mv_quality_measurement_key
    ON mv_quality_measurement (date_key, shift_id, equipment_id, product_id, characteristic, subgroup);
CREATE INDEX mv_quality_measurement_char_idx ON mv_quality_measurement (characteristic, production_date);
