"""Quality counts by defect type and measurement sums for capability (quality.views_sql)."""

from django.db import migrations

from quality.views_sql import DROP_QUALITY_VIEWS_V1, QUALITY_VIEWS_V1


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0002_defect_types"),
        ("production", "0001_initial"),
        ("mfgplatform", "0041_mv_shift_occurrence"),
    ]

    operations = [migrations.RunSQL(sql=QUALITY_VIEWS_V1, reverse_sql=DROP_QUALITY_VIEWS_V1)]
