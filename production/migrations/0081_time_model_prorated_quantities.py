"""Time model version 5 (production/sql/time_model_select/v5.sql): a run's quantities are prorated by its
overlap with each shift occurrence, so PQ and APT cover the same period. Every day is recomputed at the
next pass. Reverse restores version 4."""

from django.db import migrations

from production.views_sql import agg_time_model_refresh_sql, sql_file


class Migration(migrations.Migration):
    dependencies = [("production", "0080_time_model_positioned_breaks")]

    operations = [
        migrations.RunSQL(
            sql=agg_time_model_refresh_sql(sql_file("time_model_select", 5)),
            reverse_sql=agg_time_model_refresh_sql(sql_file("time_model_select", 4)),
        ),
    ]
