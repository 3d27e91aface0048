"""Chunk health, sensor retention and compression, and the audit-log archive.

These are the bodies of the maintenance jobs (mfgplatform.tasks); commands and the status page
call them too. docs/operations.md explains the policies.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from .audit import record_event
from .jobs import advisory_lock
from .models import AuditLog

logger = logging.getLogger(__name__)

SENSOR_HYPERTABLE = "fact_sensor_event"
# TimescaleDB's sizing rule: the indexes of the chunks being written should fit in a quarter of
# shared_buffers (perf-notes §2, T10); one hypertable takes the whole budget here.
INDEX_BUDGET_SHARE_OF_SHARED_BUFFERS = 0.25
# Planning time grows with the number of chunks; past a few thousand, widen the interval.
MAX_HEALTHY_CHUNKS = 5000
ARCHIVE_EVENT = "audit.archived"
ARCHIVE_SUFFIX = ".jsonl.gz"
PENDING_SUFFIX = ".pending"


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


# --- Ingest receipts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptPurge:
    cutoff: dt.datetime
    deleted: int


def purge_ingest_receipts(*, retention_days: int, now: dt.datetime | None = None,
                          batch_size: int = 50_000) -> ReceiptPurge:
    """Delete the ingest API's event-id receipts older than now - retention_days, in batches of
    `batch_size`, each committed on its own so that a long backlog never holds one huge transaction
    (a job stopped half way leaves only older receipts, and the next run continues)."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days)
    deleted = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """DELETE FROM ingest_event_receipt WHERE id IN (
                       SELECT id FROM ingest_event_receipt WHERE received_at < %s LIMIT %s)""",
                [cutoff, batch_size],
            )
            deleted += cursor.rowcount
            if cursor.rowcount < batch_size:
                break
    logger.info("Deleted %d ingest receipts received before %s", deleted, cutoff)
    return ReceiptPurge(cutoff=cutoff, deleted=deleted)


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


# --- Audit-log archive ----------------------------------------------------------------------------


@dataclass
class ArchiveOutcome:
    cutoff: dt.datetime
    files: list[str] = field(default_factory=list)
    rows: int = 0
    recovered: list[str] = field(default_factory=list)
    discarded: list[str] = field(default_factory=list)


def archive_audit_log(
    *,
    retention_days: int,
    archive_dir: Path,
    batch_size: int = 50_000,
    now: dt.datetime | None = None,
) -> ArchiveOutcome:
    """Move audit events older than `retention_days` into gzip JSONL files, one file per batch.

    Each batch is one database transaction: the file is written and synced under a ".pending"
    name, the rows are deleted (the append-only trigger allows it only inside a transaction that
    declares `mfgplatform.audit_archive`), and an "audit.archived" event naming the file is written
    in the same transaction. The commit is the decision: afterwards the file is renamed to its final
    name. A run that dies before the commit leaves its rows in place and an orphaned ".pending" file
    that the next run deletes; one that dies between the commit and the rename leaves a ".pending"
    file whose event exists, which the next run completes. No row is ever lost or archived twice.
    """
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    archive_dir.mkdir(parents=True, exist_ok=True)
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days)
    outcome = ArchiveOutcome(cutoff=cutoff)
    # The same lock as the job's (re-entrant within a session), so a direct call cannot race a run.
    with advisory_lock("archive_audit_log", wait_seconds=30) as acquired:
        if not acquired:
            raise RuntimeError("Another audit-log archive run holds the lock")
        outcome.recovered, outcome.discarded = recover_pending_archives(archive_dir)
        while True:
            archived = _archive_batch(cutoff=cutoff, archive_dir=archive_dir, batch_size=batch_size)
            if archived is None:
                break
            name, rows = archived
            outcome.files.append(name)
            outcome.rows += rows
            if rows < batch_size:
                break
    return outcome


def recover_pending_archives(archive_dir: Path) -> tuple[list[str], list[str]]:
    """Finish or discard the ".pending" files of runs that died (see archive_audit_log)."""
    recovered, discarded = [], []
    for pending in sorted(archive_dir.glob(f"*{ARCHIVE_SUFFIX}{PENDING_SUFFIX}")):
        final_name = pending.name.removesuffix(PENDING_SUFFIX)
        committed = AuditLog.objects.filter(action=ARCHIVE_EVENT, payload__file=final_name).exists()
        if committed:
            pending.rename(archive_dir / final_name)
            recovered.append(final_name)
        else:
            pending.unlink()
            discarded.append(final_name)
    if recovered or discarded:
        _sync_directory(archive_dir)
        logger.warning("Audit archive recovery: completed %s, discarded %s", recovered, discarded)
    return recovered, discarded


ARCHIVE_COLUMNS = ("id", "occurred_at", "actor_id", "actor_label", "action", "object_type", "object_id",
                   "ip_address", "payload")


def _archive_batch(*, cutoff: dt.datetime, archive_dir: Path, batch_size: int) -> tuple[str, int] | None:
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute("SET LOCAL mfgplatform.audit_archive = 'on'")
        cursor.execute(
            """
            SELECT id, occurred_at, actor_id, actor_label, action, object_type, object_id,
                   host(ip_address), payload::text
              FROM audit_log WHERE occurred_at < %s ORDER BY id LIMIT %s
            """,
            [cutoff, batch_size],
        )
        rows = cursor.fetchall()
        if not rows:
            return None
        ids = [row[0] for row in rows]
        name = f"audit_log_{ids[0]:012d}-{ids[-1]:012d}{ARCHIVE_SUFFIX}"
        pending = archive_dir / f"{name}{PENDING_SUFFIX}"
        sha256 = _write_jsonl_gz(pending, rows)
        # Only an archive run deletes (audit_log is append-only otherwise); the rows cannot change
        # between the SELECT and here, since nothing updates audit_log and this job holds its lock.
        cursor.execute("DELETE FROM audit_log WHERE id = ANY(%s)", [ids])
        if cursor.rowcount != len(ids):
            raise RuntimeError(f"Archive batch deleted {cursor.rowcount} rows, expected {len(ids)}")
        record_event(
            ARCHIVE_EVENT,
            actor_label="job:archive_audit_log",
            object_type="audit_log",
            file=name,
            rows=len(ids),
            first_id=ids[0],
            last_id=ids[-1],
            sha256=sha256,
            cutoff=cutoff.isoformat(),
        )
    pending.rename(archive_dir / name)
    _sync_directory(archive_dir)
    logger.info("Archived %d audit events to %s", len(ids), name)
    return name, len(ids)


def _write_jsonl_gz(path: Path, rows: list[tuple]) -> str:
    """Write the rows as gzip JSON lines, synced to disk; returns the file's SHA-256."""
    with path.open("wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
            for row in rows:
                record = dict(zip(ARCHIVE_COLUMNS, row, strict=True))
                record["occurred_at"] = record["occurred_at"].isoformat()
                record["payload"] = json.loads(record["payload"])
                zipped.write(json.dumps(record, sort_keys=True, ensure_ascii=False).encode() + b"\n")
        raw.flush()
        os.fsync(raw.fileno())
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sync_directory(directory: Path) -> None:
    """Make renames and deletions in `directory` durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_archive(path: Path) -> list[dict]:
    """The events of one archive file, in id order."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]
