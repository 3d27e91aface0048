"""mv_downtime_by_reason, version 2: the same rows, the occurrence of each stop's start found by a
hash join on the hour instead of a function call per stop (reliability.views_sql). Reverse restores
version 1. The other reliability views are unchanged."""

from django.db import migrations

from reliability.views_sql import DOWNTIME_BY_REASON_V1, DOWNTIME_BY_REASON_V2, DROP_DOWNTIME_BY_REASON


class Migration(migrations.Migration):
    dependencies = [("reliability", "0040_mv_reliability")]

    operations = [
        migrations.RunSQL(
            sql=DROP_DOWNTIME_BY_REASON + DOWNTIME_BY_REASON_V2,
            reverse_sql=DROP_DOWNTIME_BY_REASON + DOWNTIME_BY_REASON_V1,
        ),
    ]
