"""The BI role reads the KPI views and the dimensions, and nothing else: no facts, no history, no audit
log, no accounts; it writes nothing."""

import uuid
from io import StringIO

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from psycopg.conninfo import make_conninfo

from tests.ops.conftest import keep_reference_data  # noqa: F401 (module fixture: the tables are put back after the module)


@pytest.fixture
def bi_role(db):
    role = f"test_bi_{uuid.uuid4().hex[:8]}"
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE IF EXISTS "{role}"')


def connect_as(role: str) -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(make_conninfo(host=db["HOST"], port=db["PORT"], user=role, dbname=db["NAME"]),
                           autocommit=True)


def can_run(conn: psycopg.Connection, statement: str) -> bool:
    try:
        conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return False
    return True


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_reference_data")
def test_bi_role_reads_views_and_dimensions_only(bi_role):
    # A materialized view that was never refreshed refuses every reader, granted or not.
    call_command("refresh_views", stdout=StringIO())
    out = StringIO()
    call_command("create_bi_role", "--role", bi_role, stdout=out)
    assert f"role {bi_role} created" in out.getvalue()
    with connect_as(bi_role) as conn:
        for readable in ("agg_time_model", "agg_downtime_by_reason", "mv_reliability_event", "mv_quality_by_defect",
                         "agg_sensor_hourly", "dim_equipment", "dim_date", "ref_iso14224_failure_mode",
                         "ref_kpi_definition", "ontology_term"):
            assert can_run(conn, f"SELECT * FROM {readable} LIMIT 1"), readable
        for hidden in ("fact_production", "fact_downtime", "fact_sensor_event", "fact_quality", "audit_log",
                       "auth_user", "django_session", "dim_equipment_history", "mv_refresh_log"):
            assert not can_run(conn, f"SELECT * FROM {hidden} LIMIT 1"), hidden
        assert not can_run(conn, "UPDATE dim_equipment SET name = name")
        assert not can_run(conn, "DELETE FROM agg_time_model")
        assert not can_run(conn, "INSERT INTO fact_downtime (id) VALUES (1)")
    out = StringIO()
    call_command("create_bi_role", "--role", bi_role, stdout=out)  # idempotent
    assert f"role {bi_role} updated" in out.getvalue()
