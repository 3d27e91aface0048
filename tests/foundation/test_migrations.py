"""Every migration is reversible: the whole schema migrates to zero and back on a real TimescaleDB.

Runs `manage.py migrate` in a subprocess against a scratch database of its own, so the test database
the rest of the suite uses (and its reference data) is never touched.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg.conninfo import make_conninfo

ROOT = Path(__file__).resolve().parents[2]
# mfgplatform first: Django unapplies every app that depends on it in one plan, which reverses the
# reference data of mfgplatform after the fact tables that pointed at it are gone. The remaining apps
# are then already at zero or unapply on their own.
PROJECT_APPS = ["mfgplatform", "ontology", "quality", "production", "reliability", "equipment"]

pytestmark = pytest.mark.slow


def _server_dsn(dbname: str) -> str:
    db = settings.DATABASES["default"]
    return make_conninfo(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db.get("PASSWORD") or None, dbname=dbname
    )


@pytest.fixture
def scratch_database():
    name = f"mfg_migrations_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_server_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{name}"
    yield name, url
    with psycopg.connect(_server_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrate(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, f"migrate {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def _project_tables(name: str) -> set[str]:
    with psycopg.connect(_server_dsn(name)) as conn:
        rows = conn.execute(
            """
            SELECT tablename FROM pg_tables WHERE schemaname = 'public'
             AND (tablename LIKE 'dim\\_%' OR tablename LIKE 'fact\\_%' OR tablename LIKE 'ref\\_%'
                  OR tablename IN ('audit_log', 'ontology_term'))
            """
        ).fetchall()
    return {row[0] for row in rows}


def _row_counts(name: str, tables: set[str]) -> dict[str, int]:
    with psycopg.connect(_server_dsn(name)) as conn:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}


def test_migrate_to_zero_and_back(scratch_database):
    name, url = scratch_database
    _migrate(url)
    tables = _project_tables(name)
    assert {"dim_date", "fact_sensor_event", "audit_log", "ontology_term"} <= tables
    counts_before = _row_counts(name, tables)

    for app in PROJECT_APPS:
        _migrate(url, app, "zero")
    assert _project_tables(name) == set()

    _migrate(url)
    assert _project_tables(name) == tables
    # Reference data comes back exactly as the first migration left it. The audit log is not reference
    # data: a fresh install records the roles being completed, a reinstall finds them complete.
    reference = tables - {"audit_log"}
    assert _row_counts(name, reference) == {t: n for t, n in counts_before.items() if t in reference}
