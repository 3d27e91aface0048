"""Fixtures shared by the whole suite. Tests run against the real TimescaleDB and Redis."""

import os

import psycopg
import pytest
from django.conf import settings
from psycopg.conninfo import make_conninfo

# The suite computes in one known plant calendar whatever the checkout's .env says (`make services` writes
# the demo plant's Europe/Berlin there): the test database is migrated with it, and the subprocesses the
# drills start read it from the environment before .env. Tests about another zone set it themselves.
SUITE_CALENDAR = {"PLANT_TIME_ZONE": "UTC", "PRODUCTION_DAY_START": "06:00"}


def pytest_configure(config):
    for name, value in SUITE_CALENDAR.items():
        os.environ[name] = value
        setattr(settings, name, value)


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


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "correct-horse-battery")
