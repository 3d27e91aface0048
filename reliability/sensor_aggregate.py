"""Hourly sensor statistics kept incrementally in a plain table, `agg_sensor_hourly`.

The Apache build of TimescaleDB has no continuous aggregates, so this does by hand what they do:

- every ingest path records the time range it wrote in `agg_sensor_hourly_invalidation`, one row
  per batch, in the same transaction as the readings (`record_sensor_writes`, or an insert in the
  statement that lands them);
- the pass, the SQL function `agg_sensor_hourly_refresh(rebuild)`, takes those rows, merges them
  into whole hours, and deletes and re-aggregates the aggregate rows of those hours from the
  hypertable (plan-time chunk exclusion keeps each statement to the chunks it needs). It runs in the
  caller's transaction, so a failure leaves the aggregate and the invalidations as they were; an
  advisory lock makes passes wait for each other while readers go on reading (MVCC);
- `rebuild => true` re-aggregates every hour the hypertable's chunks cover, for writes that
  bypassed the ingest paths.

Hours the hypertable no longer holds — retention dropped their chunks — keep their aggregate rows:
the pass deletes only rows of hours that lie wholly within the chunks (or after the newest one),
and an hour cut by the edge of a chunk that is gone (a chunk interval that is not a whole number of
hours) is only filled in if it has no row yet. So retention (`drop_chunks`) never touches the
aggregate and the hourly history outlives the raw readings.

Version 1 (the constants below, migration reliability/0042) kept the columns of `mv_sensor_hourly`
version 1, which the table replaced: count, Σx, Σx², min and max. Version 2
(`reliability/sql/agg_sensor_hourly/v2.sql`, migration reliability/0130) keeps per hour the mean, the
residual Σ(x − mean) and m2 = Σ(x − mean)² instead of the sums, so the spread is exact far from zero
and hours combine with the pairwise update (quality.moments), and its pass accepts any finite reading
(and NaN or infinities written around the ingest paths) without failing. Released SQL is never
edited: a change is a new version file and a new migration.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction

# Parameters: $1, $2 the hour-aligned range, $3 the time the hypertable holds. An hour the DELETE
# before it spared (not wholly held) gets a row only if it has none.
AGG_SENSOR_HOURLY_INSERT_V1 = """
INSERT INTO agg_sensor_hourly (equipment_id, tag, bucket, readings, good_readings, value_sum, value_sq_sum,
                               value_min, value_max)
SELECT f.*
  FROM (SELECT equipment_id, tag, time_bucket(interval '1 hour', time) AS bucket,
               count(*),
               count(*) FILTER (WHERE quality = 192),
               sum(value) FILTER (WHERE quality = 192),
               sum(value * value) FILTER (WHERE quality = 192),
               min(value) FILTER (WHERE quality = 192),
               max(value) FILTER (WHERE quality = 192)
          FROM fact_sensor_event
         WHERE time >= $1 AND time < $2
         GROUP BY equipment_id, tag, time_bucket(interval '1 hour', time)) AS f
 WHERE $3 @> tstzrange(f.bucket, f.bucket + interval '1 hour')
    OR NOT EXISTS (SELECT FROM agg_sensor_hourly AS a
                    WHERE a.equipment_id = f.equipment_id AND a.tag = f.tag AND a.bucket = f.bucket)
"""

AGG_SENSOR_HOURLY_V1 = f"""
CREATE TABLE agg_sensor_hourly (
    equipment_id bigint NOT NULL,
    tag varchar(64) NOT NULL,
    bucket timestamptz NOT NULL,
    readings bigint NOT NULL,
    good_readings bigint NOT NULL,
    value_sum double precision,
    value_sq_sum double precision,
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
                                        time_bucket(interval '1 hour', high) + interval '1 hour')), '{{}}')
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
    held := coalesce(held, '{{}}');
    IF rebuild THEN
        dirty := dirty + coalesce(
            (SELECT range_agg(tstzrange(time_bucket(interval '1 hour', range_start),
                                        time_bucket(interval '1 hour', range_end - interval '1 microsecond')
                                        + interval '1 hour'))
               FROM timescaledb_information.chunks
              WHERE hypertable_schema = 'public' AND hypertable_name = 'fact_sensor_event'), '{{}}');
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
        EXECUTE $insert${AGG_SENSOR_HOURLY_INSERT_V1}$insert$
          USING lower(piece), upper(piece), held;
        GET DIAGNOSTICS changed = ROW_COUNT;
        rows_written := rows_written + changed;
    END LOOP;
END
$function$;

COMMENT ON TABLE agg_sensor_hourly IS
    'Hourly count, sum, sum of squares, min and max of good sensor readings; kept by agg_sensor_hourly_refresh().';
COMMENT ON TABLE agg_sensor_hourly_invalidation IS
    'Time ranges written to fact_sensor_event since the last agg_sensor_hourly_refresh(), one row per batch.';

-- The readings already stored: the first pass aggregates them.
INSERT INTO agg_sensor_hourly_invalidation (low, high)
SELECT min(time), max(time) FROM fact_sensor_event HAVING min(time) IS NOT NULL;
"""

DROP_AGG_SENSOR_HOURLY_V1 = """
DROP FUNCTION IF EXISTS agg_sensor_hourly_refresh(boolean);
DROP TABLE IF EXISTS agg_sensor_hourly_invalidation;
DROP TABLE IF EXISTS agg_sensor_hourly;
"""


@dataclass(frozen=True)
class SensorAggregatePass:
    invalidations: int  # invalidation rows taken
    rows_deleted: int  # aggregate rows deleted before re-aggregating their hours
    rows_written: int  # aggregate rows inserted


def record_sensor_writes(low: dt.datetime | None, high: dt.datetime | None) -> None:
    """Records that readings from `low` to `high` (inclusive) were written, for the next pass; call
    it in the transaction that writes them. Nothing to record when nothing was written (None)."""
    if low is None or high is None:
        return
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO agg_sensor_hourly_invalidation (low, high) VALUES (%s, %s)", [low, high])


def refresh_sensor_hourly(*, rebuild: bool = False) -> SensorAggregatePass:
    """One pass (see the module docstring), in a transaction of its own unless one is open."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT invalidations, rows_deleted, rows_written FROM agg_sensor_hourly_refresh(%s)",
                       [rebuild])
        return SensorAggregatePass(*cursor.fetchone())


def empty_sensor_hourly() -> None:
    """Empties the aggregate and its invalidations (with the raw readings, in development resets)."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE agg_sensor_hourly, agg_sensor_hourly_invalidation")
