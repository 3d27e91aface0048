"""The star schema exists on a real TimescaleDB with the names the procedure uses."""

import pytest
from django.db import connection

STAR_SCHEMA_TABLES = [
    "dim_date",
    "dim_time",
    "dim_shift",
    "dim_equipment",
    "dim_product",
    "dim_unit_of_measure",
    "dim_quality_defect_type",
    "dim_downtime_reason",
    "dim_date_range",
    "fact_production",
    "fact_downtime",
    "fact_quality",
    "fact_scrap",
    "fact_sensor_event",
    "ontology_term",
    "audit_log",
]

pytestmark = pytest.mark.django_db


def _scalar(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@pytest.mark.parametrize("table", STAR_SCHEMA_TABLES)
def test_table_exists(table):
    assert _scalar("SELECT to_regclass(%s)::text", [f"public.{table}"]) == table


def test_timescaledb_extension_is_installed():
    assert _scalar("SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'") == 1


def test_sensor_events_are_a_hypertable_partitioned_daily_on_time():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT d.column_name, d.time_interval
              FROM timescaledb_information.dimensions d
             WHERE d.hypertable_name = 'fact_sensor_event'
            """
        )
        rows = cursor.fetchall()
    assert len(rows) == 1
    column, interval = rows[0]
    assert column == "time"
    assert interval.total_seconds() == 24 * 3600


def test_sensor_event_rows_land_in_chunks():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality)
            SELECT t, 1, 'temperature', 20.0, 192
              FROM generate_series('2025-01-01'::timestamptz, '2025-01-03 23:00'::timestamptz, '1 hour') t
            """
        )
    chunks = _scalar("SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'fact_sensor_event'")
    assert chunks == 3


def test_a_replayed_sensor_reading_is_rejected_by_the_unique_key():
    from django.db import IntegrityError

    insert = (
        "INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality) VALUES (%s, 7, 'current', 1.5, 192)"
    )
    with connection.cursor() as cursor:
        cursor.execute(insert, ["2025-02-01T10:00:00Z"])
        with pytest.raises(IntegrityError):
            cursor.execute(insert, ["2025-02-01T10:00:00Z"])
