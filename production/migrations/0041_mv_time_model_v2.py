"""mv_time_model, version 2: the same rows, refreshed through the calendar's hour index and running
maxima instead of per-day expansion and multirange unions (production.views_sql). Reverse restores
version 1. Created WITH NO DATA: the next refresh populates it."""

from django.db import migrations

from production.views_sql import DROP_TIME_MODEL_V1, TIME_MODEL_V1, TIME_MODEL_V2


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0040_mv_time_model"),
        ("mfgplatform", "0060_mv_shift_segment_hour"),
    ]

    operations = [
        migrations.RunSQL(sql=DROP_TIME_MODEL_V1 + TIME_MODEL_V2, reverse_sql=DROP_TIME_MODEL_V1 + TIME_MODEL_V1),
    ]
