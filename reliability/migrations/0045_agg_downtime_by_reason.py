"""Downtime by reason becomes a table kept by production day (mfgplatform.aggregates.day_kept):
agg_downtime_by_reason, its pass agg_downtime_by_reason_refresh() and the triggers that invalidate its
days replace the materialized view mv_downtime_by_reason. The table starts empty; the first pass
computes every day. Reverse drops them and recreates version 3 of the view, empty like every new view."""

from django.db import migrations

from reliability.views_sql import (
    AGG_DOWNTIME_BY_REASON_V1,
    DOWNTIME_BY_REASON_V3,
    DROP_AGG_DOWNTIME_BY_REASON_V1,
    DROP_DOWNTIME_BY_REASON,
)


class Migration(migrations.Migration):
    dependencies = [
        ("reliability", "0044_fact_end_indexes"),
        ("mfgplatform", "0061_day_aggregates"),
    ]

    operations = [
        migrations.RunSQL(sql=DROP_DOWNTIME_BY_REASON + AGG_DOWNTIME_BY_REASON_V1,
                          reverse_sql=DROP_AGG_DOWNTIME_BY_REASON_V1 + DOWNTIME_BY_REASON_V3),
    ]
