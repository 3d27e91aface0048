"""Downtime by reason, reliability events and hourly sensor statistics (reliability.views_sql)."""

from django.db import migrations

from reliability.views_sql import DROP_RELIABILITY_VIEWS_V1, RELIABILITY_VIEWS_V1


class Migration(migrations.Migration):
    dependencies = [
        ("reliability", "0003_downtime_reason_tree"),
        ("mfgplatform", "0041_mv_shift_occurrence"),
    ]

    operations = [migrations.RunSQL(sql=RELIABILITY_VIEWS_V1, reverse_sql=DROP_RELIABILITY_VIEWS_V1)]
