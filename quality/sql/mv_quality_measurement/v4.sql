-- mv_quality_measurement, version 4: one row per subgroup, its spread kept exactly.
--
-- A row is one subgroup: equipment × shift occurrence × product × characteristic × subgroup number
-- (0 = measurements without a number, which form no subgroup). Plants number their subgroups 1..k
-- per shift, so the number alone identifies nothing; with its occurrence it does, and every reader
-- treats a row as one subgroup at any granularity (never re-grouping rows by their number).
--
-- Per row: the count n, value_mean (the mean rounded to a double), value_dev_sum = Σ(x − value_mean)
-- (what the rounding left over: the exact mean is value_mean + value_dev_sum / n, which matters when
-- the values lie far from zero), value_m2 = Σ(x − mean)², the sum of squared deviations from the
-- exact mean, and min, max and the first and last instant (for range charts and their order).
-- Rows combine exactly with the pairwise (Chan) update: nothing is derived from Σx² − (Σx)²/n,
-- which cancels catastrophically for values far from zero.
--
-- How: a window computes each subgroup's mean first (two passes over the group, one sort), then
-- m2 = Σd² − (Σd)²/n with d = x − mean, the corrected two-pass formula, which also cancels the
-- first-order error of the rounded mean. Values whose squares or sums could leave the double range
-- (a magnitude outside 1e-100 … 1e140, other than 0) make their subgroup take a decimal path instead:
-- exact sums in numeric (of the values at 15 significant digits), the spread NULL when it does not fit
-- a double. So no accepted value can make a refresh fail.
CREATE MATERIALIZED VIEW mv_quality_measurement AS
WITH measurement AS (
    SELECT coalesce(o.date_key, mfg_date_key(mfg_production_date(q.inspected_at))) AS date_key,
           coalesce(o.shift_id, 0) AS shift_id, q.equipment_id, q.product_id, q.characteristic,
           coalesce(q.subgroup, 0) AS subgroup,
           coalesce(o.production_date, mfg_production_date(q.inspected_at)) AS production_date,
           q.inspected_at, q.measured_value AS x,
           q.lower_spec_limit, q.upper_spec_limit, q.target_value,
           (q.measured_value = 0 OR abs(q.measured_value) BETWEEN 1e-100 AND 1e140) AS ordinary
      FROM fact_quality AS q
      LEFT JOIN mv_shift_segment_hour AS o
        ON o.hour = date_bin(interval '1 hour', q.inspected_at, timestamptz 'epoch')
       AND o.starts_at <= q.inspected_at AND q.inspected_at < o.ends_at AND o.is_owner
     WHERE q.kind = 'variable'
),
centred AS (
    SELECT m.*,
           bool_and(ordinary) OVER w AS all_ordinary,
           avg(x) FILTER (WHERE ordinary) OVER w AS approx_mean
      FROM measurement AS m
    WINDOW w AS (PARTITION BY date_key, shift_id, equipment_id, product_id, characteristic, subgroup)
),
summed AS (
    SELECT date_key, shift_id, equipment_id, product_id, characteristic, subgroup,
           min(production_date) AS production_date,
           min(inspected_at) AS first_at,
           max(inspected_at) AS last_at,
           count(*) AS n,
           bool_and(all_ordinary) AS all_ordinary,
           min(approx_mean) AS approx_mean,
           sum(x - approx_mean) FILTER (WHERE all_ordinary) AS dev_sum,
           sum((x - approx_mean) * (x - approx_mean)) FILTER (WHERE all_ordinary) AS dev_sq_sum,
           sum(x::numeric) FILTER (WHERE NOT all_ordinary) AS exact_sum,
           sum(x::numeric * x::numeric) FILTER (WHERE NOT all_ordinary) AS exact_sq_sum,
           min(x) AS value_min,
           max(x) AS value_max,
           min(lower_spec_limit) AS lsl,
           max(upper_spec_limit) AS usl,
           max(lower_spec_limit) AS lsl_max,
           min(upper_spec_limit) AS usl_min,
           min(target_value) AS target
      FROM centred
     GROUP BY date_key, shift_id, equipment_id, product_id, characteristic, subgroup
),
decimal_path AS (
    -- Exact in numeric: n·Σx² − (Σx)² has no rounding, so nothing cancels.
    SELECT s.*, s.exact_sum / s.n AS exact_mean, (s.n * s.exact_sq_sum - s.exact_sum * s.exact_sum) / s.n AS exact_m2
      FROM summed AS s
)
SELECT date_key, shift_id, equipment_id, product_id, characteristic, subgroup, production_date, first_at, last_at,
       n,
       CASE WHEN all_ordinary THEN approx_mean
            -- NaN and infinities (written around the ingest paths) pass through as such.
            WHEN exact_mean IN ('NaN', 'Infinity', '-Infinity') THEN exact_mean::double precision
            WHEN abs(exact_mean) < 2.2250738585072014e-308 THEN 0
            -- A mean lies within the values' range; beyond the largest double only by the decimal rounding.
            ELSE least(greatest(exact_mean, -1.7976931348623157e308), 1.7976931348623157e308)::double precision
       END AS value_mean,
       CASE WHEN all_ordinary THEN dev_sum ELSE 0 END AS value_dev_sum,
       CASE WHEN all_ordinary THEN greatest(dev_sq_sum - dev_sum * dev_sum / n, 0)
            -- Beyond the largest double (deviations beyond about 1e154), NaN or infinite: unknown.
            WHEN exact_m2 > 1.7976931348623157e308 THEN NULL
            WHEN exact_m2 < 2.2250738585072014e-308 THEN 0
            ELSE exact_m2::double precision END AS value_m2,
       value_min, value_max, lsl, usl, lsl_max, usl_min, target
  FROM decimal_path
WITH NO DATA;
CREATE UNIQUE INDEX mv_quality_measurement_key
    ON mv_quality_measurement (date_key, shift_id, equipment_id, product_id, characteristic, subgroup);
CREATE INDEX mv_quality_measurement_char_idx ON mv_quality_measurement (characteristic, production_date);
