"""manage.py backup / restore on the real TimescaleDB: a seeded database restored into a fresh one
holds the same rows, history, audit log, audit archive files and KPIs; damaged or mismatching
archives and non-empty targets are refused before anything is written."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import subprocess
import sys
import tarfile
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from mfgplatform import tasks
from mfgplatform.aggregates.refresh import refresh_changed_views
from mfgplatform.backup import archive
from mfgplatform.backup.client import client_programs
from mfgplatform.backup.errors import BackupError
from mfgplatform.backup.postgres import Target
from mfgplatform.backup.restore import restore_backup
from mfgplatform.models import AuditLog
from mfgplatform.operations.audit_archive import archive_audit_log
from tests.ops.conftest import keep_reference_data  # noqa: F401 (module fixture, used by pytestmark)

from .conftest import ROOT

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("keep_reference_data")]

START = dt.date(2026, 3, 2)
DAYS = 2


@pytest.fixture
def scratch_target():
    """A database name on the test server that does not exist yet; dropped afterwards."""
    target = Target.from_settings().on(f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:6]}")
    yield target
    with target.on("postgres").connect(autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target.dbname}" WITH (FORCE)')


def _database_url(target: Target) -> str:
    password = f":{target.password}" if target.password else ""
    return f"postgres://{target.user}{password}@{target.host}:{target.port}/{target.dbname}"


def _kpis(target: Target) -> list[dict]:
    """Every catalog KPI computed by the platform's code against `target`, in a process of its own."""
    code = f"from tests.ops.kpi_snapshot import main; main('{START}', '{START + dt.timedelta(days=DAYS - 1)}')"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "DATABASE_URL": _database_url(target)}, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


TABLES = """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1"""
# pg_restore fills a materialized view by running its query again: floating-point sums may then differ in
# the last digit (the rows arrive in another order). They are compared by row count; the KPIs read them.
VIEWS = """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'm' ORDER BY 1"""


def _contents(target: Target, exclude: tuple[str, ...] = ()) -> dict[str, tuple[int, str]]:
    """Per table: row count and an order-independent digest of the rows (history and audit included)."""
    contents = {}
    with target.connect() as conn:
        for (table,) in conn.execute(TABLES).fetchall():
            if table in exclude:
                continue
            contents[table] = conn.execute(
                f'SELECT count(*), coalesce(md5(string_agg(md5(t::text), \'\' ORDER BY md5(t::text))), \'\') FROM "{table}" t'  # noqa: S608,E501
            ).fetchone()
        for (view,) in conn.execute(VIEWS).fetchall():
            contents[view] = conn.execute(f'SELECT count(*) FROM "{view}"').fetchone()  # noqa: S608
    return contents


def _audit_rows(target: Target) -> list[tuple]:
    with target.connect() as conn:
        return conn.execute(
            "SELECT id, occurred_at, actor_id, actor_label, action, object_id, payload::text FROM audit_log ORDER BY id"
        ).fetchall()


def _hypertable_chunks(target: Target) -> tuple:
    with target.connect() as conn:
        return conn.execute(
            "SELECT hypertable_name, num_chunks FROM timescaledb_information.hypertables ORDER BY 1"
        ).fetchall()


@pytest.fixture
def sensor_chunk_interval_kept():
    """The seed sets the hypertable's chunk interval (DDL a transactional test does not undo); later tests
    expect the migration's."""
    query = "SELECT time_interval FROM timescaledb_information.dimensions WHERE hypertable_name = 'fact_sensor_event'"
    with connection.cursor() as cursor:
        cursor.execute(query)
        (interval,) = cursor.fetchone()
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_chunk_time_interval('fact_sensor_event', %s::interval)", [interval])


@pytest.fixture
def seeded_with_archive(tmp_path, sensor_chunk_interval_kept):
    """A tiny seeded plant, views refreshed, and one audit archive file holding an old event."""
    call_command("seed_iso_compliant", size="tiny", days=DAYS, start=START, no_progress=True, stdout=StringIO())
    refresh_changed_views()
    AuditLog.objects.create(occurred_at=timezone.now() - dt.timedelta(days=800), actor_label="test",
                            action="auth.login", payload={"note": "old enough to be archived"})
    audit_dir = tmp_path / "audit-archive"
    assert archive_audit_log(retention_days=settings.AUDIT_LOG_RETENTION_DAYS, archive_dir=audit_dir).rows == 1
    return audit_dir


def test_a_restored_database_equals_the_backed_up_one(seeded_with_archive, scratch_target, tmp_path):
    source = Target.from_settings()
    result = archive.create_backup(tmp_path / "backups", seeded_with_archive)
    before = _contents(source, exclude=("audit_log",))
    audit_before = _audit_rows(source)

    restored_audit_dir = tmp_path / "restored-audit"
    restore_backup(result.path, scratch_target, restored_audit_dir)

    assert _contents(scratch_target, exclude=("audit_log",)) == before
    assert before["fact_sensor_event"][0] > 0
    assert before["dim_equipment_history"][0] > 0
    assert _hypertable_chunks(scratch_target) == _hypertable_chunks(source)
    restored_audit = _audit_rows(scratch_target)
    assert restored_audit[:-1] == audit_before
    assert restored_audit[-1][4] == "backup.restored"
    archived = sorted(seeded_with_archive.iterdir())
    assert [path.name for path in sorted(restored_audit_dir.iterdir())] == [path.name for path in archived]
    assert all((restored_audit_dir / path.name).read_bytes() == path.read_bytes() for path in archived)
    source_kpis = _kpis(source)
    assert sum(row["value"] is not None for row in source_kpis) > 100, source_kpis[:3]
    restored_kpis = _kpis(scratch_target)
    assert len(restored_kpis) == len(source_kpis)
    assert all(_same(restored, original) for restored, original in zip(restored_kpis, source_kpis, strict=True))


def _same(a, b) -> bool:
    """Equal, floats to 1e-9 relative: a restored materialized view sums in another row order."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.fixture
def small_backup(tmp_path) -> Path:
    return archive.create_backup(tmp_path / "backups", tmp_path / "no-audit-files").path


def _restore_refused(path: Path, target: Target, tmp_path: Path) -> str:
    with pytest.raises(BackupError) as refused:
        restore_backup(path, target, tmp_path / "restored-audit")
    with target.on("postgres").connect() as admin:
        created = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target.dbname]).fetchone()
    assert created is None, "a refused restore must not create the target database"
    return str(refused.value)


def test_a_truncated_archive_is_refused(small_backup, scratch_target, tmp_path):
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(small_backup.read_bytes()[: small_backup.stat().st_size // 2])

    assert "truncated" in _restore_refused(truncated, scratch_target, tmp_path)


def test_a_tampered_archive_is_refused(small_backup, scratch_target, tmp_path):
    with tarfile.open(small_backup) as tar:
        offset = tar.getmember(archive.DUMP).offset_data
    tampered = bytearray(small_backup.read_bytes())
    tampered[offset + 200] ^= 0xFF
    path = tmp_path / "tampered.tar"
    path.write_bytes(tampered)

    assert "database.dump does not match its SHA-256 checksum" in _restore_refused(path, scratch_target, tmp_path)


def _rewrite_manifest(source: Path, destination: Path, change) -> None:
    with tarfile.open(source) as old, tarfile.open(destination, "w", format=tarfile.PAX_FORMAT) as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()
            if member.name == archive.MANIFEST:
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            new.addfile(member, io.BytesIO(data))


def test_an_archive_of_another_schema_version_is_refused(small_backup, scratch_target, tmp_path):
    newer = tmp_path / "newer-schema.tar"
    _rewrite_manifest(small_backup, newer,
                      lambda manifest: manifest["schema"]["migrations"].append("production.9999_from_the_future"))

    message = _restore_refused(newer, scratch_target, tmp_path)
    assert "Schema version mismatch" in message
    assert "migrations in the backup that this code does not have: production.9999_from_the_future" in message


def test_an_archive_of_a_timescaledb_version_the_server_lacks_is_refused(small_backup, scratch_target, tmp_path):
    other = tmp_path / "other-extension.tar"
    _rewrite_manifest(small_backup, other, lambda manifest: manifest.update(timescaledb="1.7.5"))

    message = _restore_refused(other, scratch_target, tmp_path)
    assert message.startswith("The backup needs TimescaleDB 1.7.5; the target server offers ")
    assert "ALTER EXTENSION timescaledb UPDATE" in message


def test_a_database_that_holds_tables_is_not_overwritten(small_backup, tmp_path):
    with pytest.raises(BackupError, match="is not empty"):
        restore_backup(small_backup, Target.from_settings(), tmp_path / "restored-audit")


def test_the_commands_report_what_they_did(scratch_target, tmp_path):
    out = StringIO()
    call_command("backup", output_dir=tmp_path, stdout=out)
    (path,) = tmp_path.glob("mfgplatform-*.tar")
    assert f"Backup written: {path}" in out.getvalue()
    event = AuditLog.objects.get(action="backup.created")
    assert (event.payload["file"], event.payload["bytes"]) == (str(path), path.stat().st_size)

    out = StringIO()
    call_command("restore", str(path), check=True, stdout=out)
    assert "intact" in out.getvalue()
    assert "matches this code" in out.getvalue()


def test_a_client_older_than_the_server_is_refused(settings):
    old_client = Path("/usr/lib/postgresql/15/bin")
    if not (old_client / "pg_dump").exists():
        pytest.skip("no PostgreSQL 15 client on this machine")
    settings.PG_CLIENT_BIN_DIR = str(old_client)
    with pytest.raises(BackupError, match=r"older than the PostgreSQL 17 server.*postgresql-client-17"):
        client_programs()


def test_the_backup_job_keeps_the_retention_and_the_status_page_shows_its_last_success(
    settings, tmp_path, admin_client
):
    settings.BACKUP_DIR, settings.AUDIT_ARCHIVE_DIR = tmp_path / "backups", tmp_path / "audit"
    settings.BACKUP_KEEP_COUNT, settings.BACKUP_KEEP_DAYS = 2, 14
    settings.BACKUP_DIR.mkdir()
    month_ago = (timezone.now() - dt.timedelta(days=30)).timestamp()
    old = []
    for day in (1, 2, 3):
        path = settings.BACKUP_DIR / f"mfgplatform-x-2026010{day}T000000000000Z.tar"
        path.write_bytes(b"old")
        os.utime(path, (month_ago + day, month_ago + day))
        old.append(path)

    outcome = tasks.backup_database_task.apply().result

    assert outcome["outcome"] == "succeeded"
    (written,) = set(settings.BACKUP_DIR.glob("mfgplatform-*.tar")) - set(old)
    # Two kept: the new archive and the newest old one; the two older ones were beyond both limits.
    assert sorted(settings.BACKUP_DIR.glob("mfgplatform-*.tar")) == sorted([written, old[2]])
    event = AuditLog.objects.get(action="job.backup_database.succeeded")
    assert event.payload["pruned"] == [old[1].name, old[0].name]
    html = admin_client.get("/admin/mfgplatform/operationsstatus/", HTTP_HOST="127.0.0.1", secure=True).content.decode()
    assert f"<tr><th>archive</th><td>{written}</td></tr>" in html
    assert f"({written.stat().st_size} bytes)" in html
    assert "newest 2 archives and all younger than 14 days" in html
