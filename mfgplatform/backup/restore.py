"""Restoring an archive into an empty database, by TimescaleDB's documented procedure.

Before anything is written the archive is checked whole (sizes and SHA-256 of every file), its
schema version must equal this code's migrations, the target database must be empty and the server
must offer the TimescaleDB version the dump was taken with (a dump restores only into the same
extension version; upgrade with ALTER EXTENSION afterwards). Then:

1. create the database if it does not exist, and the timescaledb extension at the dump's version;
2. `SELECT timescaledb_pre_restore()` (stops the extension's background jobs, marks the database
   as restoring);
3. pg_restore in one transaction with --exit-on-error: either everything is restored or nothing. Objects
   belong to the restoring user and grants are left out (--no-owner, --no-privileges): roles are global
   objects outside the dump, and a grant to a role the target server lacks would fail the restore;
   `manage.py create_bi_role` grants the BI role's reads again;
4. `SELECT timescaledb_post_restore()`, also after a failed pg_restore so the database is usable;
5. the audit archive files into AUDIT_ARCHIVE_DIR, and a `backup.restored` audit event.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg import sql

from .archive import AUDIT_PREFIX, DUMP, code_migrations, extract_member, output_tail, read_manifest, schema_fingerprint
from .client import client_programs
from .errors import BackupError
from .postgres import Target, libpq_environment

# pg_cron may only be created in the one database named by cron.database_name; its jobs are
# registered again with `schedule_jobs --engine pg_cron` after a restore.
SKIPPED_TOC_MARKERS = ("pg_cron", " cron ")
LISTED_DIFFERENCES = 5


@dataclass(frozen=True)
class RestoreResult:
    target: Target
    seconds: float
    audit_files: int
    manifest: dict[str, Any]


def check_schema_version(manifest: dict[str, Any]) -> None:
    """The backup's applied migrations must be exactly this code's migrations."""
    backup = set(manifest["schema"]["migrations"])
    code = set(code_migrations())
    if backup == code:
        return
    only_backup, only_code = sorted(backup - code), sorted(code - backup)

    def listed(names: list[str]) -> str:
        more = f" and {len(names) - LISTED_DIFFERENCES} more" if len(names) > LISTED_DIFFERENCES else ""
        return ", ".join(names[:LISTED_DIFFERENCES]) + more

    parts = []
    if only_backup:
        parts.append(f"migrations in the backup that this code does not have: {listed(only_backup)}")
    if only_code:
        parts.append(f"migrations of this code missing from the backup: {listed(only_code)}")
    raise BackupError(
        f"Schema version mismatch: the backup was taken at schema {manifest['schema']['fingerprint'][:12]}, "
        f"this code is at {schema_fingerprint(list(code))[:12]}; {'; '.join(parts)}. Restore with the release "
        "the backup was taken with (then upgrade it with manage.py migrate), or take a new backup with this release."
    )


USER_OBJECTS = """
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\\_toast%%'
       AND n.nspname NOT LIKE '\\_timescaledb%%' AND n.nspname NOT LIKE 'timescaledb\\_%%'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
"""


def prepare_database(target: Target, timescaledb_version: str) -> None:
    """Create the target database if missing; refuse one that holds tables; install the extension."""
    with target.on("postgres").connect(autocommit=True) as admin:
        # The extension versions a server offers are the same in every database: refuse before creating one.
        available = [row[0] for row in admin.execute(
            "SELECT version FROM pg_available_extension_versions WHERE name = 'timescaledb' ORDER BY 1"
        )]
        if timescaledb_version not in available:
            raise BackupError(
                f"The backup needs TimescaleDB {timescaledb_version}; the target server offers "
                f"{', '.join(available) or 'none'}. Install that version on the server, restore, then upgrade "
                "with ALTER EXTENSION timescaledb UPDATE."
            )
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target.dbname]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.dbname)))
    with target.connect(autocommit=True) as conn:
        objects = conn.execute(USER_OBJECTS).fetchone()[0]
        if objects:
            raise BackupError(
                f"The target database {target} is not empty ({objects} tables, views or sequences). A restore "
                "needs an empty database: create a new one, or drop this one after making sure it is not needed."
            )
        installed = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'").fetchone()
        if installed and installed[0] != timescaledb_version:
            raise BackupError(
                f"The target database has TimescaleDB {installed[0]}, the backup was taken with "
                f"{timescaledb_version}. Restore into a database without the extension, or with that version."
            )
        if not installed:
            conn.execute(sql.SQL("CREATE EXTENSION timescaledb VERSION {}").format(sql.Literal(timescaledb_version)))


def _restore_list(programs, dump: Path, listing: Path) -> None:
    result = subprocess.run([programs.program("pg_restore"), "--list", str(dump)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore cannot read the dump: {output_tail(result.stderr)}")
    kept = [line for line in result.stdout.splitlines() if not any(m in line for m in SKIPPED_TOC_MARKERS)]
    listing.write_text("\n".join(kept) + "\n")


def _audit_members(manifest: dict[str, Any], audit_dir: Path) -> list[tuple[str, Path, str]]:
    """(member, destination, sha256) of the audit files to write; refuses a different file of the same name."""
    members = []
    for entry in manifest["files"]:
        if not entry["path"].startswith(AUDIT_PREFIX):
            continue
        name = entry["path"][len(AUDIT_PREFIX):]
        if "/" in name or name in ("", ".", ".."):
            raise BackupError(f"Unexpected audit archive file name in the backup: {entry['path']!r}.")
        destination = audit_dir / name
        if destination.exists():
            with destination.open("rb") as handle:
                if hashlib.file_digest(handle, "sha256").hexdigest() != entry["sha256"]:
                    raise BackupError(
                        f"{destination} exists with other content than the backup's copy; move it away first."
                    )
            continue
        members.append((entry["path"], destination, entry["sha256"]))
    return members


def restore_backup(path: Path, target: Target | None = None, audit_dir: Path | None = None) -> RestoreResult:
    from django.conf import settings

    started = time.perf_counter()
    path, target = Path(path), target or Target.from_settings()
    audit_dir = Path(audit_dir or settings.AUDIT_ARCHIVE_DIR)
    manifest = read_manifest(path)
    check_schema_version(manifest)
    programs = client_programs(minimum_major=int(manifest["pg_dump"].split(".")[0]))
    audit_members = _audit_members(manifest, audit_dir)
    prepare_database(target, manifest["timescaledb"])
    with tempfile.TemporaryDirectory(prefix="mfg-restore-") as scratch:
        dump, listing = Path(scratch) / DUMP, Path(scratch) / "restore.list"
        extract_member(path, DUMP, dump)
        _restore_list(programs, dump, listing)
        with target.connect(autocommit=True) as conn:
            conn.execute("SELECT timescaledb_pre_restore()")
        try:
            result = subprocess.run(
                [programs.program("pg_restore"), "--exit-on-error", "--single-transaction", "--no-owner",
                 "--no-privileges", f"--use-list={listing}", f"--dbname={target.dbname}", str(dump)],
                env=libpq_environment(target), capture_output=True, text=True,
            )
        finally:
            with target.connect(autocommit=True) as conn:
                conn.execute("SELECT timescaledb_post_restore()")
        if result.returncode != 0:
            raise BackupError(
                f"pg_restore failed (exit {result.returncode}); nothing was restored: {output_tail(result.stderr)}"
            )
    audit_dir.mkdir(parents=True, exist_ok=True)
    for member, destination, _digest in audit_members:
        partial = destination.with_name(destination.name + ".restoring")
        extract_member(path, member, partial)
        partial.rename(destination)
    _record_restore(target, path, manifest, len(audit_members))
    return RestoreResult(target, time.perf_counter() - started, len(audit_members), manifest)


def _record_restore(target: Target, path: Path, manifest: dict[str, Any], audit_files: int) -> None:
    """The restored database's own audit log says when it was restored and from what."""
    payload = {"file": path.name, "created_at": manifest["created_at"], "source_database": manifest["database"],
               "schema": manifest["schema"]["fingerprint"], "audit_files": audit_files}
    with target.connect(autocommit=True) as conn:
        conn.execute(
            """
            INSERT INTO audit_log (occurred_at, actor_id, actor_label, action, object_type, object_id, payload)
            SELECT now(), (SELECT id FROM auth_user WHERE username = 'system'), 'manage.py restore',
                   'backup.restored', '', '', %s::jsonb
            """,
            [json.dumps(payload)],
        )
