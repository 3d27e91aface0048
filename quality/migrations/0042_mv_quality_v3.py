"""Quality views, version 3: the same rows, each record's shift occurrence found in the calendar's hour
index instead of a slot table built in every refresh (quality.views_sql). Reverse restores version 2."""

from django.db import migrations

from quality.views_sql import DROP_QUALITY_VIEWS_V1, QUALITY_VIEWS_V2, QUALITY_VIEWS_V3


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0041_mv_quality_v2"),
        ("mfgplatform", "0060_mv_shift_segment_hour"),
    ]

    operations = [
        migrations.RunSQL(
            sql=DROP_QUALITY_VIEWS_V1 + QUALITY_VIEWS_V3,
            reverse_sql=DROP_QUALITY_VIEWS_V1 + QUALITY_VIEWS_V2,
        ),
    ]
