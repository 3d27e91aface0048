"""Hourly sensor statistics become an incrementally maintained table (reliability.sensor_aggregate):
agg_sensor_hourly, its invalidation log and the pass agg_sensor_hourly_refresh() replace the
materialized view mv_sensor_hourly, which re-aggregated the whole hypertable on every refresh and
lost the history retention dropped. The table starts empty with one invalidation covering the
readings already stored, so the first pass (`manage.py refresh_views` or the scheduled job) fills it.
Reverse drops them and recreates version 1 of the view, empty like every new view."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)

DROP_SENSOR_HOURLY_VIEW = "DROP MATERIALIZED VIEW IF EXISTS mv_sensor_hourly;\n"

DROP_AGG_SENSOR_HOURLY = """
DROP FUNCTION IF EXISTS agg_sensor_hourly_refresh(boolean);
DROP TABLE IF EXISTS agg_sensor_hourly_invalidation;
DROP TABLE IF EXISTS agg_sensor_hourly;
"""


class Migration(migrations.Migration):
    dependencies = [("reliability", "0041_mv_downtime_by_reason_v2")]

    operations = [
        migrations.RunSQL(sql=DROP_SENSOR_HOURLY_VIEW + sql("agg_sensor_hourly/v1"),
                          reverse_sql=DROP_AGG_SENSOR_HOURLY + sql("mv_sensor_hourly/v1")),
    ]
