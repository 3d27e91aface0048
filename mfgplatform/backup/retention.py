"""Recording backups, keeping the configured number of them, and what the status page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ..audit import record_event
from ..models import AuditLog
from .archive import SUFFIX, BackupResult

CREATED = "backup.created"


def record_backup(result: BackupResult, *, source: str) -> None:
    record_event(
        CREATED, actor_label=source, object_type="backup", object_id=result.path.name,
        file=str(result.path), bytes=result.bytes, seconds=round(result.seconds, 2),
        schema=result.manifest["schema"]["fingerprint"], audit_files=len(result.manifest["files"]) - 1,
    )


def prune_backups(backup_dir: Path | None = None, *, keep_count: int | None = None, keep_days: int | None = None,
                  now: dt.datetime | None = None) -> list[Path]:
    """Delete archives beyond the newest `keep_count` that are also older than `keep_days`.

    Both limits must agree before a file goes, so a burst of manual backups never pushes out the
    last two weeks, and a stopped schedule never deletes the last good archives. Partial files of
    runs that died are removed once they are a day old."""
    backup_dir = Path(backup_dir or settings.BACKUP_DIR)
    keep_count = settings.BACKUP_KEEP_COUNT if keep_count is None else keep_count
    keep_days = settings.BACKUP_KEEP_DAYS if keep_days is None else keep_days
    now = now or timezone.now()
    if not backup_dir.is_dir():
        return []
    archives = sorted(backup_dir.glob(f"mfgplatform-*{SUFFIX}"), key=lambda path: path.stat().st_mtime, reverse=True)
    cutoff = (now - dt.timedelta(days=keep_days)).timestamp()
    doomed = [path for path in archives[keep_count:] if path.stat().st_mtime < cutoff]
    doomed += [path for path in backup_dir.glob(f"mfgplatform-*{SUFFIX}.partial")
               if path.stat().st_mtime < (now - dt.timedelta(days=1)).timestamp()]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


@dataclass(frozen=True)
class LastBackup:
    at: dt.datetime
    file: str
    bytes: int
    seconds: float
    present: bool  # the archive is still on disk

    @property
    def age(self) -> dt.timedelta:
        return timezone.now() - self.at


def last_backup() -> LastBackup | None:
    event = AuditLog.objects.filter(action=CREATED).order_by("-occurred_at", "-id").first()
    if event is None:
        return None
    payload = event.payload
    return LastBackup(event.occurred_at, payload.get("file", ""), int(payload.get("bytes", 0)),
                      float(payload.get("seconds", 0)), Path(payload.get("file", "")).is_file())
