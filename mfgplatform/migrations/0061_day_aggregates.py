"""The machinery of the aggregates kept by production day (mfgplatform.aggregates.day_kept): the invalidation
log, the per-aggregate state, the invalidating trigger functions and the pass. Reverse drops them."""

from django.db import migrations

from mfgplatform.aggregates.day_kept import DAY_AGGREGATE_V1, DROP_DAY_AGGREGATE_V1


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0060_mv_shift_segment_hour")]

    operations = [migrations.RunSQL(sql=DAY_AGGREGATE_V1, reverse_sql=DROP_DAY_AGGREGATE_V1)]
