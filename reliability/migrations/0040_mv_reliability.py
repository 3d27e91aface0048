"""Downtime by reason, reliability events and hourly sensor statistics (reliability/sql/)."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)

DROP_RELIABILITY_VIEWS = """
DROP MATERIALIZED VIEW IF EXISTS mv_sensor_hourly;
DROP MATERIALIZED VIEW IF EXISTS mv_reliability_event;
DROP MATERIALIZED VIEW IF EXISTS mv_downtime_by_reason;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reliability", "0003_downtime_reason_tree"),
        ("mfgplatform", "0041_mv_shift_occurrence"),
    ]

    operations = [
        migrations.RunSQL(sql=sql("mv_downtime_by_reason/v1", "mv_reliability_event/v1", "mv_sensor_hourly/v1"),
                          reverse_sql=DROP_RELIABILITY_VIEWS),
    ]
