-- mv_sensor_hourly, version 1: per equipment × tag × hour the readings, the good ones (quality 192) and sum,
-- sum of squares, minimum and maximum of the good values. Replaced by agg_sensor_hourly.
CREATE MATERIALIZED VIEW mv_sensor_hourly AS

SELECT equipment_id, tag, time_bucket(interval '1 hour', time) AS bucket,
       count(*) AS readings,
       count(*) FILTER (WHERE quality = 192) AS good_readings,
       sum(value) FILTER (WHERE quality = 192) AS value_sum,
       sum(value * value) FILTER (WHERE quality = 192) AS value_sq_sum,
       min(value) FILTER (WHERE quality = 192) AS value_min,
       max(value) FILTER (WHERE quality = 192) AS value_max
  FROM fact_sensor_event
 GROUP BY equipment_id, tag, time_bucket(interval '1 hour', time)

WITH NO DATA;
CREATE UNIQUE INDEX mv_sensor_hourly_key ON mv_sensor_hourly (equipment_id, tag, bucket);
CREATE INDEX mv_sensor_hourly_bucket_idx ON mv_sensor_hourly (bucket);
