"""Writing and checking backup archives.

An archive is one uncompressed tar file (the dump inside is compressed already):

    manifest.json          what, when, from which server and schema; size and SHA-256 of every file
    database.dump          pg_dump custom format of the whole database, hypertable chunks included
    audit-archive/<file>   the audit log's archive files (AUDIT_ARCHIVE_DIR)

pg_dump reads the whole database in one repeatable-read snapshot, so the dump is consistent even
while ingest runs. The audit archive job moves old events from the table to files; a backup holds
that job's lock, so no event is in neither (or both) the dump and the files.

The archive is written as `<name>.tar.partial` and renamed when complete, so a file without that
suffix is always whole; its checksums let a restore tell truncation and tampering from a good file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from ..operations.jobs import advisory_lock
from .client import client_programs
from .errors import BackupError
from .postgres import libpq_environment

FORMAT = "mfgplatform-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
AUDIT_PREFIX = "audit-archive/"
SUFFIX = ".tar"
CHUNK = 1 << 20
# The audit archive job's lock (jobs.periodic_job("archive_audit_log")).
AUDIT_ARCHIVE_JOB = "archive_audit_log"
AUDIT_LOCK_WAIT_SECONDS = 600


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    seconds: float
    manifest: dict[str, Any]


def sha256_of(stream) -> tuple[str, int]:
    digest, total = hashlib.sha256(), 0
    while block := stream.read(CHUNK):
        digest.update(block)
        total += len(block)
    return digest.hexdigest(), total


def applied_migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app || '.' || name FROM django_migrations ORDER BY 1")
        return [row[0] for row in cursor.fetchall()]


def code_migrations() -> list[str]:
    """Every migration this code base has, in the same "app.name" form."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return sorted(f"{app}.{name}" for app, name in graph.nodes)


def schema_fingerprint(migrations: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(migrations)).encode()).hexdigest()


def _server_facts() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_database(), current_setting('server_version'),"
            " (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb')"
        )
        database, server_version, timescaledb = cursor.fetchone()
    return {"database": database, "server_version": server_version, "timescaledb": timescaledb}


def archive_name(database: str, now: dt.datetime) -> str:
    return f"mfgplatform-{database}-{now.strftime('%Y%m%dT%H%M%S%fZ')}{SUFFIX}"


def _audit_files(audit_dir: Path) -> list[Path]:
    if not audit_dir.is_dir():
        return []
    # `.pending` files too: the archive job of the restored system renames or discards them as it would here.
    return sorted(path for path in audit_dir.iterdir() if path.is_file())


def create_backup(backup_dir: Path | None = None, audit_dir: Path | None = None) -> BackupResult:
    """Dump the database and copy the audit archive into a new archive in `backup_dir`."""
    backup_dir = Path(backup_dir or settings.BACKUP_DIR)
    audit_dir = Path(audit_dir or settings.AUDIT_ARCHIVE_DIR)
    backup_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    programs = client_programs()
    facts = _server_facts()
    now = timezone.now()
    target = backup_dir / archive_name(facts["database"], now)
    partial = target.with_name(target.name + ".partial")
    with advisory_lock(AUDIT_ARCHIVE_JOB, wait_seconds=AUDIT_LOCK_WAIT_SECONDS) as locked:
        if not locked:
            raise BackupError("The audit archive job has been running for over 10 minutes; try the backup again later.")
        migrations = applied_migrations()
        with tempfile.TemporaryDirectory(dir=backup_dir, prefix=".dump-") as scratch:
            dump = Path(scratch) / DUMP
            _run_pg_dump(programs, dump)
            files = [(DUMP, dump), *((AUDIT_PREFIX + path.name, path) for path in _audit_files(audit_dir))]
            entries = []
            for name, path in files:
                with path.open("rb") as handle:
                    digest, size = sha256_of(handle)
                entries.append({"path": name, "bytes": size, "sha256": digest})
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": now.isoformat(),
                **facts,
                "pg_dump": programs.version,
                "schema": {"fingerprint": schema_fingerprint(migrations), "migrations": migrations},
                "files": entries,
            }
            _write_tar(partial, manifest, files)
    partial.rename(target)
    _fsync_dir(backup_dir)
    return BackupResult(target, target.stat().st_size, time.perf_counter() - started, manifest)


def _run_pg_dump(programs, dump: Path) -> None:
    command = [programs.program("pg_dump"), "--format=custom", "--file", str(dump)]
    result = subprocess.run(command, env=libpq_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed (exit {result.returncode}): {output_tail(result.stderr)}")


def _write_tar(partial: Path, manifest: dict[str, Any], files: list[tuple[str, Path]]) -> None:
    body = json.dumps(manifest, indent=2, sort_keys=True).encode()
    with partial.open("wb") as raw:
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(body))
            for name, path in files:
                tar.add(str(path), arcname=name, recursive=False)
        raw.flush()
        os.fsync(raw.fileno())


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def output_tail(text: str, lines: int = 8) -> str:
    return " | ".join(line for line in text.strip().splitlines()[-lines:]) or "(no output)"


def read_manifest(path: Path) -> dict[str, Any]:
    """Open the archive, check every file against the manifest (size and SHA-256) and return it.

    Refuses a truncated or altered file, and one with files the manifest does not list."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file.")
    try:
        with tarfile.open(path, mode="r:") as tar:
            members = {member.name: member for member in tar.getmembers()}
            if MANIFEST not in members:
                raise BackupError(f"{path}: not a backup archive (no {MANIFEST}).")
            manifest = json.loads(tar.extractfile(members[MANIFEST]).read())
            if manifest.get("format") != FORMAT:
                raise BackupError(f"{path}: not a backup archive of this platform.")
            listed = {entry["path"]: entry for entry in manifest["files"]}
            unlisted = sorted(set(members) - set(listed) - {MANIFEST})
            if unlisted:
                raise BackupError(f"{path}: files not in the manifest: {', '.join(unlisted[:5])}. It was altered.")
            for name, entry in listed.items():
                if name not in members:
                    raise BackupError(f"{path}: {name} is missing. The file is truncated or was altered.")
                digest, size = sha256_of(tar.extractfile(members[name]))
                if size != entry["bytes"]:
                    raise BackupError(
                        f"{path}: {name} has {size:,} bytes, the manifest says {entry['bytes']:,}. "
                        "The file is truncated or was altered."
                    )
                if digest != entry["sha256"]:
                    raise BackupError(f"{path}: {name} does not match its SHA-256 checksum. The file was altered.")
    except (tarfile.TarError, EOFError, OSError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise BackupError(f"{path}: unreadable backup archive ({error}). The file is truncated or damaged.") from error
    return manifest


def extract_member(path: Path, name: str, destination: Path) -> None:
    with tarfile.open(path, mode="r:") as tar, destination.open("wb") as out:
        source = tar.extractfile(name)
        while block := source.read(CHUNK):
            out.write(block)
