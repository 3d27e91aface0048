"""mv_downtime_by_reason, version 3: the same rows, each stop's occurrence found in the calendar's hour
index and the stop time inside shifts summed with a running maximum instead of a multirange union
(reliability.views_sql). Reverse restores version 2."""

from django.db import migrations

from reliability.views_sql import DOWNTIME_BY_REASON_V2, DOWNTIME_BY_REASON_V3, DROP_DOWNTIME_BY_REASON


class Migration(migrations.Migration):
    dependencies = [
        ("reliability", "0042_agg_sensor_hourly"),
        ("mfgplatform", "0060_mv_shift_segment_hour"),
    ]

    operations = [
        migrations.RunSQL(
            sql=DROP_DOWNTIME_BY_REASON + DOWNTIME_BY_REASON_V3,
            reverse_sql=DROP_DOWNTIME_BY_REASON + DOWNTIME_BY_REASON_V2,
        ),
    ]
