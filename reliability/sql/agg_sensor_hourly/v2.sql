-- agg_sensor_hourly, version 2: per equipment × tag × hour the readings, the good readings and, of the
-- good values, value_mean (the mean rounded to a double), value_dev_sum = Σ(x − value_mean) (the exact
-- mean is value_mean + value_dev_sum / n), value_m2 = Σ(x − mean)² (the sum of squared deviations
-- from the mean, exact where Σx² − (Σx)²/n would cancel), min and max; hours combine with the
-- pairwise (Chan) update. Its invalidation log and its pass agg_sensor_hourly_refresh(rebuild) are
-- those of version 1; the pass never fails on an accepted reading (any finite value).
CREATE TABLE agg_sensor_hourly (
    equipment_id bigint NOT NULL,
    tag varchar(64) NOT NULL,
    bucket timestamptz NOT NULL,
    readings bigint NOT NULL,
    good_readings bigint NOT NULL,
    value_mean double precision,
    value_dev_sum double precision,
    value_m2 double precision,
    value_min double precision,
    value_max double precision,
    CONSTRAINT agg_sensor_hourly_pkey PRIMARY KEY (equipment_id, tag, bucket)
);
CREATE INDEX agg_sensor_hourly_bucket_idx ON agg_sensor_hourly (bucket);

CREATE TABLE agg_sensor_hourly_invalidation (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    low timestamptz NOT NULL,
    high timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agg_sensor_hourly_invalidation_ordered CHECK (low <= high)
);

CREATE FUNCTION agg_sensor_hourly_refresh(rebuild boolean DEFAULT false,
                                          OUT invalidations bigint, OUT rows_deleted bigint,
                                          OUT rows_written bigint)
LANGUAGE plpgsql
-- JIT compilation costs about a second on a large aggregation plan and saves nothing here.
SET jit = off
AS $function$
DECLARE
    dirty tstzmultirange;
    held tstzmultirange;
    piece tstzrange;
    changed bigint;
BEGIN
    rows_deleted := 0;
    rows_written := 0;
    -- One pass at a time: a second one waits here, then finds only what was invalidated since.
    -- An advisory lock, so that readers, and autovacuum of the table, are never blocked.
    PERFORM pg_advisory_xact_lock(hashtextextended('agg_sensor_hourly_refresh', 0));
    -- Whole hours: from the hour of the first reading written to the end of the hour of the last.
    WITH taken AS (DELETE FROM agg_sensor_hourly_invalidation RETURNING low, high)
    SELECT count(*),
           coalesce(range_agg(tstzrange(time_bucket(interval '1 hour', low),
                                        time_bucket(interval '1 hour', high) + interval '1 hour')), '{}')
      INTO invalidations, dirty
      FROM taken;
    IF invalidations = 0 AND NOT rebuild THEN
        RETURN;
    END IF;
    -- Where the hypertable holds raw readings: its chunks, and anything after the newest one. An
    -- hour outside lost its readings to retention (or never had any): its row, if any, stays.
    SELECT range_agg(tstzrange(range_start, range_end)) + tstzmultirange(tstzrange(max(range_end), NULL))
      INTO held
      FROM timescaledb_information.chunks
     WHERE hypertable_schema = 'public' AND hypertable_name = 'fact_sensor_event';
    held := coalesce(held, '{}');
    IF rebuild THEN
        dirty := dirty + coalesce(
            (SELECT range_agg(tstzrange(time_bucket(interval '1 hour', range_start),
                                        time_bucket(interval '1 hour', range_end - interval '1 microsecond')
                                        + interval '1 hour'))
               FROM timescaledb_information.chunks
              WHERE hypertable_schema = 'public' AND hypertable_name = 'fact_sensor_event'), '{}');
    END IF;
    -- The merged ranges are disjoint; each is cut at the (hour of the) chunk starts inside it, so
    -- that one statement reads about one chunk and a rebuild's aggregation stays small.
    FOR piece IN
        WITH span AS (SELECT unnest(dirty) AS s),
        cut AS (
            SELECT DISTINCT time_bucket(interval '1 hour', range_start) AS at
              FROM timescaledb_information.chunks
             WHERE hypertable_schema = 'public' AND hypertable_name = 'fact_sensor_event'
        ),
        edge AS (
            SELECT s, lower(s) AS at FROM span
             UNION SELECT s, upper(s) FROM span
             UNION SELECT s, cut.at FROM span JOIN cut ON cut.at > lower(s) AND cut.at < upper(s)
        )
        SELECT tstzrange(at, next)
          FROM (SELECT at, lead(at) OVER (PARTITION BY s ORDER BY at) AS next FROM edge) AS bounds
         WHERE next IS NOT NULL
         ORDER BY at
    LOOP
        -- EXECUTE plans with the actual bounds, so TimescaleDB excludes the other chunks at plan time.
        EXECUTE 'DELETE FROM agg_sensor_hourly WHERE bucket >= $1 AND bucket < $2 '
                'AND $3 @> tstzrange(bucket, bucket + interval ''1 hour'')'
          USING lower(piece), upper(piece), held;
        GET DIAGNOSTICS changed = ROW_COUNT;
        rows_deleted := rows_deleted + changed;
        EXECUTE $insert$
-- Parameters: $1, $2 the hour-aligned range, $3 the time the hypertable holds. An hour the DELETE
-- before it spared (not wholly held) gets a row only if it has none. The spread is computed as in
-- mv_quality_measurement version 4: each hour's mean first (a window), then Σd² − (Σd)²/n with
-- d = x − mean; hours holding a good value of magnitude outside 1e-100 … 1e140 (other than 0) are
-- summed in numeric instead, their mean and spread NULL when they do not fit a double.
INSERT INTO agg_sensor_hourly (equipment_id, tag, bucket, readings, good_readings, value_mean, value_dev_sum,
                               value_m2, value_min, value_max)
SELECT f.equipment_id, f.tag, f.bucket, f.readings, f.good_readings,
       CASE WHEN f.good_readings = 0 THEN NULL
            WHEN f.all_ordinary THEN f.approx_mean
            WHEN f.exact_mean IN ('NaN', 'Infinity', '-Infinity') THEN f.exact_mean::double precision
            WHEN abs(f.exact_mean) < 2.2250738585072014e-308 THEN 0
            ELSE least(greatest(f.exact_mean, -1.7976931348623157e308), 1.7976931348623157e308)::double precision
       END,
       CASE WHEN f.good_readings = 0 THEN NULL WHEN f.all_ordinary THEN f.dev_sum ELSE 0 END,
       CASE WHEN f.good_readings = 0 THEN NULL
            WHEN f.all_ordinary THEN greatest(f.dev_sq_sum - f.dev_sum * f.dev_sum / f.good_readings, 0)
            WHEN f.exact_m2 > 1.7976931348623157e308 THEN NULL
            WHEN f.exact_m2 < 2.2250738585072014e-308 THEN 0
            ELSE f.exact_m2::double precision END,
       f.value_min, f.value_max
  FROM (SELECT s.*, s.exact_sum / nullif(s.good_readings, 0) AS exact_mean,
               (s.good_readings * s.exact_sq_sum - s.exact_sum * s.exact_sum) / nullif(s.good_readings, 0) AS exact_m2
          FROM (SELECT equipment_id, tag, bucket,
                       count(*) AS readings,
                       count(*) FILTER (WHERE good) AS good_readings,
                       coalesce(bool_and(all_ordinary), true) AS all_ordinary,
                       min(approx_mean) AS approx_mean,
                       sum(value - approx_mean) FILTER (WHERE good AND all_ordinary) AS dev_sum,
                       sum((value - approx_mean) * (value - approx_mean)) FILTER (WHERE good AND all_ordinary)
                           AS dev_sq_sum,
                       sum(value::numeric) FILTER (WHERE good AND NOT all_ordinary) AS exact_sum,
                       sum(value::numeric * value::numeric) FILTER (WHERE good AND NOT all_ordinary) AS exact_sq_sum,
                       min(value) FILTER (WHERE good) AS value_min,
                       max(value) FILTER (WHERE good) AS value_max
                  FROM (SELECT r.*,
                               coalesce(bool_and(ordinary) FILTER (WHERE good) OVER w, true) AS all_ordinary,
                               avg(value) FILTER (WHERE good AND ordinary) OVER w AS approx_mean
                          FROM (SELECT equipment_id, tag, time_bucket(interval '1 hour', time) AS bucket, value,
                                       quality = 192 AS good,
                                       (value = 0 OR abs(value) BETWEEN 1e-100 AND 1e140) AS ordinary
                                  FROM fact_sensor_event
                                 WHERE time >= $1 AND time < $2) AS r
                        WINDOW w AS (PARTITION BY equipment_id, tag, bucket)) AS c
                 GROUP BY equipment_id, tag, bucket) AS s) AS f
 WHERE $3 @> tstzrange(f.bucket, f.bucket + interval '1 hour')
    OR NOT EXISTS (SELECT FROM agg_sensor_hourly AS a
                    WHERE a.equipment_id = f.equipment_id AND a.tag = f.tag AND a.bucket = f.bucket)
$insert$
          USING lower(piece), upper(piece), held;
        GET DIAGNOSTICS changed = ROW_COUNT;
        rows_written := rows_written + changed;
    END LOOP;
END
$function$;

COMMENT ON TABLE agg_sensor_hourly IS
    'Hourly count, mean, sum of squared deviations from the mean, min and max of good sensor readings; kept by agg_sensor_hourly_refresh().';
COMMENT ON TABLE agg_sensor_hourly_invalidation IS
    'Time ranges written to fact_sensor_event since the last agg_sensor_hourly_refresh(), one row per batch.';

-- The readings already stored: the first pass aggregates them.
INSERT INTO agg_sensor_hourly_invalidation (low, high)
SELECT min(time), max(time) FROM fact_sensor_event HAVING min(time) IS NOT NULL;
