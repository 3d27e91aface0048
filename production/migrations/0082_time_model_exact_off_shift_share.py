"""Time model version 6 (production/sql/time_model_select/v6.sql): the part of a run outside every shift
occurrence is computed from its seconds outside, so a run wholly inside occurrences leaves no shift-0 row.
Every day is recomputed at the next pass. Reverse restores version 5."""

from django.db import migrations

from production.views_sql import agg_time_model_refresh_sql, sql_file


class Migration(migrations.Migration):
    dependencies = [("production", "0081_time_model_prorated_quantities")]

    operations = [
        migrations.RunSQL(
            sql=agg_time_model_refresh_sql(sql_file("time_model_select", 6)),
            reverse_sql=agg_time_model_refresh_sql(sql_file("time_model_select", 5)),
        ),
    ]
