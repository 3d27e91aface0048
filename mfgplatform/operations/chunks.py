"""Chunk health of a hypertable, and the sensor hypertable's retention and compression.

These are the bodies of the chunk jobs (mfgplatform.tasks); the status page calls chunk_health too.
docs/operations.md explains the policies.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

SENSOR_HYPERTABLE = "fact_sensor_event"
# TimescaleDB's sizing rule: the indexes of the chunks being written should fit in a quarter of
# shared_buffers (perf-notes §2, T10); one hypertable takes the whole budget here.
INDEX_BUDGET_SHARE_OF_SHARED_BUFFERS = 0.25
# Planning time grows with the number of chunks; past a few thousand, widen the interval.
MAX_HEALTHY_CHUNKS = 5000


# --- Chunk health -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChunkHealth:
    hypertable: str
    chunk_interval: dt.timedelta | None
    chunk_count: int
    oldest_chunk_start: dt.datetime | None
    newest_chunk_end: dt.datetime | None
    newest_chunk_index_bytes: int
    index_budget_bytes: int
    problems: tuple[str, ...]
    license: str = ""  # TimescaleDB license: 'apache' or 'timescale'

    @property
    def is_healthy(self) -> bool:
        return not self.problems

    def as_payload(self) -> dict:
        return {
            "hypertable": self.hypertable,
            "chunk_interval": str(self.chunk_interval) if self.chunk_interval else None,
            "chunk_count": self.chunk_count,
            "oldest_chunk_start": self.oldest_chunk_start.isoformat() if self.oldest_chunk_start else None,
            "newest_chunk_index_bytes": self.newest_chunk_index_bytes,
            "index_budget_bytes": self.index_budget_bytes,
            "problems": list(self.problems),
            "license": self.license,
        }


def timescale_license() -> str:
    """'apache' or 'timescale' (Community); compression and retention policies need the latter."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW timescaledb.license")
        return cursor.fetchone()[0]


def chunk_health(hypertable: str = SENSOR_HYPERTABLE) -> ChunkHealth:
    """The hypertable's chunk interval, chunk count and whether its newest chunk's indexes fit the
    memory budget."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT d.time_interval, count(c.chunk_name), min(c.range_start), max(c.range_end),
                   current_setting('timescaledb.license')
              FROM timescaledb_information.dimensions AS d
              LEFT JOIN timescaledb_information.chunks AS c
                ON c.hypertable_schema = d.hypertable_schema AND c.hypertable_name = d.hypertable_name
             WHERE d.hypertable_schema = 'public' AND d.hypertable_name = %s AND d.dimension_type = 'Time'
             GROUP BY d.time_interval
            """,
            [hypertable],
        )
        row = cursor.fetchone()
        if row is None:
            return ChunkHealth(hypertable, None, 0, None, None, 0, 0, (f"{hypertable} is not a hypertable",))
        interval, count, oldest, newest, license_name = row
        # The newest chunk's index size, and shared_buffers (in 8 kB pages) for the budget.
        cursor.execute(
            """
            SELECT (SELECT coalesce(s.index_bytes, 0)
                      FROM timescaledb_information.chunks AS c
                      JOIN chunks_detailed_size(%s::regclass) AS s
                        ON s.chunk_schema = c.chunk_schema AND s.chunk_name = c.chunk_name
                     WHERE c.hypertable_schema = 'public' AND c.hypertable_name = %s
                     ORDER BY c.range_end DESC LIMIT 1),
                   (SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers')
            """,
            [hypertable, hypertable],
        )
        newest_index, shared_buffers = cursor.fetchone()
    budget = int(shared_buffers * INDEX_BUDGET_SHARE_OF_SHARED_BUFFERS)
    newest_index_bytes = int(newest_index or 0)
    problems = []
    if newest_index_bytes > budget:
        problems.append(
            f"newest chunk's indexes take {newest_index_bytes} bytes, over the budget of {budget} bytes "
            f"(25% of shared_buffers): shorten the interval with set_chunk_time_interval"
        )
    if count > MAX_HEALTHY_CHUNKS:
        problems.append(f"{count} chunks (more than {MAX_HEALTHY_CHUNKS}): widen the interval or shorten retention")
    return ChunkHealth(hypertable, interval, count, oldest, newest, newest_index_bytes, budget, tuple(problems),
                       license_name)


# --- Sensor retention and compression -----------------------------------------------------------


@dataclass(frozen=True)
class RetentionOutcome:
    cutoff: dt.datetime
    dropped_chunks: tuple[str, ...]
    dropped_rows: int


def drop_old_sensor_chunks(*, retention_days: int, now: dt.datetime | None = None) -> RetentionOutcome:
    """Drop the sensor chunks that lie wholly before now - retention_days (drop_chunks never splits a
    chunk, so readings up to one chunk interval older than the cutoff may remain).

    The hourly sensor statistics (`agg_sensor_hourly`, reliability.sensor_aggregate) live in a plain
    table that this does not touch, and its passes never rewrite hours whose chunks are gone: the
    hourly history outlives the readings."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT format('%%I.%%I', chunk_schema, chunk_name)
              FROM timescaledb_information.chunks
             WHERE hypertable_schema = 'public' AND hypertable_name = %s AND range_end <= %s
            """,
            [SENSOR_HYPERTABLE, cutoff],
        )
        doomed = [name for (name,) in cursor.fetchall()]
        rows = 0
        for chunk in doomed:
            # Exact counts for the audit record; these chunks are old and read once before they go.
            cursor.execute(f"SELECT count(*) FROM {chunk}")  # noqa: S608 - name quoted by format('%I')
            rows += cursor.fetchone()[0]
        cursor.execute("SELECT drop_chunks(%s::regclass, older_than => %s)", [SENSOR_HYPERTABLE, cutoff])
        dropped = tuple(sorted(str(name) for (name,) in cursor.fetchall()))
    logger.info("Dropped %d sensor chunks (%d rows) older than %s", len(dropped), rows, cutoff)
    return RetentionOutcome(cutoff=cutoff, dropped_chunks=dropped, dropped_rows=rows)


@dataclass(frozen=True)
class CompressionOutcome:
    compressed_chunks: tuple[str, ...] = ()
    skipped_reason: str = ""


def compress_old_sensor_chunks(*, after_days: int, now: dt.datetime | None = None) -> CompressionOutcome:
    """Compress chunks older than `after_days` where the license allows it; otherwise say why not."""
    license_name = timescale_license()
    if license_name == "apache":
        return CompressionOutcome(
            skipped_reason="TimescaleDB Apache edition: compression needs the Community license"
        )
    cutoff = (now or timezone.now()) - dt.timedelta(days=after_days)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT compression_enabled FROM timescaledb_information.hypertables WHERE hypertable_name = %s",
            [SENSOR_HYPERTABLE],
        )
        if not cursor.fetchone()[0]:
            # Readings are read per equipment and tag over time: segment by both, newest first.
            cursor.execute(
                f"ALTER TABLE {SENSOR_HYPERTABLE} SET (timescaledb.compress, "
                "timescaledb.compress_segmentby = 'equipment_id, tag', timescaledb.compress_orderby = 'time DESC')"
            )
        cursor.execute(
            """
            SELECT compress_chunk(c, if_not_compressed => true)::text
              FROM show_chunks(%s::regclass, older_than => %s) AS c
            """,
            [SENSOR_HYPERTABLE, cutoff],
        )
        compressed = tuple(str(name) for (name,) in cursor.fetchall())
    return CompressionOutcome(compressed_chunks=compressed)
