"""Time model version 4: positioned shift breaks (production/sql/time_model_select/v4.sql). A break window
is planned downtime where the unit did not run, production time where it ran through, and a stop inside
it is planned. The pass gets the new SELECT and every day is recomputed at the next pass; changes to
the break windows recompute every day. Reverse restores version 3."""

from django.db import migrations

from production.views_sql import (
    DROP_SHIFT_BREAK_TRIGGERS_V1,
    SHIFT_BREAK_TRIGGERS_V1,
    TIME_MODEL_SELECT_V3,
    agg_time_model_refresh_sql,
    sql_file,
)


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0043_agg_time_model"),
        ("mfgplatform", "0081_default_break_positions"),
    ]

    operations = [
        migrations.RunSQL(
            sql=agg_time_model_refresh_sql(sql_file("time_model_select", 4)) + SHIFT_BREAK_TRIGGERS_V1,
            reverse_sql=DROP_SHIFT_BREAK_TRIGGERS_V1 + agg_time_model_refresh_sql(TIME_MODEL_SELECT_V3),
        ),
    ]
