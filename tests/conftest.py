"""Fixtures shared by the whole suite. Tests run against the real TimescaleDB and Redis."""

import json

import psycopg
import pytest
from django.conf import settings
from django.db import connections
from psycopg.conninfo import make_conninfo


@pytest.fixture(scope="session", autouse=True)
def _release_test_database(django_db_setup):
    """Before the test database is dropped, end the sessions other than Django's on it: TimescaleDB's
    background-worker scheduler attaches to every database with the extension, and a live-server request
    thread may still hold a connection, either of which makes DROP DATABASE fail."""
    yield
    db = settings.DATABASES["default"]
    conninfo = make_conninfo(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db.get("PASSWORD") or None, dbname="postgres"
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [db["NAME"]],
        )


@pytest.fixture(scope="session", autouse=True)
def _serialized_copy_without_audit_log(django_db_setup):
    """Leave audit_log out of the copy that serialized rollback restores.

    Restoring saves every serialized row through the ORM, which issues an UPDATE for a row that still
    exists, and the append-only trigger rightly rejects any UPDATE of audit_log (the copy's timestamps
    are also rounded to milliseconds, so even "the same" row differs). Events written while migrating
    the test database are not reference data any test relies on.
    """
    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            rows = [row for row in json.loads(contents) if row["model"] != "mfgplatform.auditlog"]
            connection._test_serialized_contents = json.dumps(rows)


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "correct-horse-battery")
