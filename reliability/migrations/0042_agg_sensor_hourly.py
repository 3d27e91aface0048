"""Hourly sensor statistics become an incrementally maintained table (reliability.sensor_aggregate):
agg_sensor_hourly, its invalidation log and the pass agg_sensor_hourly_refresh() replace the
materialized view mv_sensor_hourly, which re-aggregated the whole hypertable on every refresh and
lost the history retention dropped. The table starts empty with one invalidation covering the
readings already stored, so the first pass (`manage.py refresh_views` or the scheduled job) fills it.
Reverse drops them and recreates version 1 of the view, empty like every new view."""

from django.db import migrations

from reliability.sensor_aggregate import AGG_SENSOR_HOURLY_V1, DROP_AGG_SENSOR_HOURLY_V1
from reliability.views_sql import SENSOR_HOURLY_SELECT_V1

# Version 1 of the view and its indexes, as reliability/0040 created them.
SENSOR_HOURLY_VIEW_V1 = f"""
CREATE MATERIALIZED VIEW mv_sensor_hourly AS
{SENSOR_HOURLY_SELECT_V1}
WITH NO DATA;
CREATE UNIQUE INDEX mv_sensor_hourly_key ON mv_sensor_hourly (equipment_id, tag, bucket);
CREATE INDEX mv_sensor_hourly_bucket_idx ON mv_sensor_hourly (bucket);
"""


class Migration(migrations.Migration):
    dependencies = [("reliability", "0041_mv_downtime_by_reason_v2")]

    operations = [
        migrations.RunSQL(
            sql="DROP MATERIALIZED VIEW IF EXISTS mv_sensor_hourly;" + AGG_SENSOR_HOURLY_V1,
            reverse_sql=DROP_AGG_SENSOR_HOURLY_V1 + SENSOR_HOURLY_VIEW_V1,
        ),
    ]
