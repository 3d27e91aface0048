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

Version 1 (`reliability/sql/agg_sensor_hourly/v1.sql`, migration reliability/0042) kept the columns of
`mv_sensor_hourly` version 1, which the table replaced: count, Σx, Σx², min and max. Version 2
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
