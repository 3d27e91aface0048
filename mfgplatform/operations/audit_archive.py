"""The audit-log archive: old audit events move to gzip JSONL files (the body of the archive job).

docs/operations.md explains the policy.
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

from ..audit import record_event
from ..models import AuditLog
from .jobs import advisory_lock

logger = logging.getLogger(__name__)

ARCHIVE_EVENT = "audit.archived"
ARCHIVE_SUFFIX = ".jsonl.gz"
PENDING_SUFFIX = ".pending"


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
