"""The time model becomes a table kept by production day (mfgplatform.aggregates.day_kept): agg_time_model,
its pass agg_time_model_refresh() and the triggers that invalidate its days replace the materialized
view mv_time_model, whose every refresh recomputed every occurrence. The table starts empty; the first
pass (`manage.py refresh_views` or the scheduled job) computes every day. Reverse drops them and
recreates version 2 of the view, empty like every new view."""

from django.db import migrations

from production.views_sql import AGG_TIME_MODEL_V1, DROP_AGG_TIME_MODEL_V1, DROP_TIME_MODEL_V1, TIME_MODEL_V2


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0042_fact_end_indexes"),
        ("reliability", "0044_fact_end_indexes"),
        ("mfgplatform", "0061_day_aggregates"),
    ]

    operations = [
        migrations.RunSQL(sql=DROP_TIME_MODEL_V1 + AGG_TIME_MODEL_V1,
                          reverse_sql=DROP_AGG_TIME_MODEL_V1 + TIME_MODEL_V2),
    ]
