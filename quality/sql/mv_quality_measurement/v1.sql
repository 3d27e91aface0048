-- mv_quality_measurement, version 1: Per equipment × shift occurrence × product × characteristic × subgroup
-- (0 = none) the count, sum and sum of squares of the measurements and the specification limits, from which
-- pooled within-subgroup and overall standard deviations roll up exactly.
CREATE MATERIALIZED VIEW mv_quality_measurement AS

SELECT o.date_key, o.shift_id, q.equipment_id, q.product_id, q.characteristic,
       coalesce(q.subgroup, 0) AS subgroup,
       min(o.production_date) AS production_date,
       count(*) AS n,
       sum(q.measured_value) AS value_sum,
       sum(q.measured_value * q.measured_value) AS value_sq_sum,
       min(q.lower_spec_limit) AS lsl,
       max(q.upper_spec_limit) AS usl,
       max(q.lower_spec_limit) AS lsl_max,
       min(q.upper_spec_limit) AS usl_min,
       min(q.target_value) AS target
  FROM fact_quality AS q
 CROSS JOIN LATERAL mfg_occurrence_at(q.inspected_at) AS o
 WHERE q.kind = 'variable'
 GROUP BY o.date_key, o.shift_id, q.equipment_id, q.product_id, q.characteristic, coalesce(q.subgroup, 0)

WITH NO DATA;
CREATE UNIQUE INDEX mv_quality_measurement_key
    ON mv_quality_measurement (date_key, shift_id, equipment_id, product_id, characteristic, subgroup);
CREATE INDEX mv_quality_measurement_char_idx ON mv_quality_measurement (characteristic, production_date);
