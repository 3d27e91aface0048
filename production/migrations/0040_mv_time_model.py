"""The ISO 22400 time and quantity elements per work unit × shift occurrence (production.views_sql)."""

from django.db import migrations

from production.views_sql import DROP_TIME_MODEL_V1, TIME_MODEL_V1


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0001_initial"),
        ("reliability", "0001_initial"),
        ("equipment", "0001_initial"),
        ("mfgplatform", "0041_mv_shift_occurrence"),
    ]

    operations = [migrations.RunSQL(sql=TIME_MODEL_V1, reverse_sql=DROP_TIME_MODEL_V1)]
