"""Quality views, version 2: the same rows, the shift occurrence found by a hash join on the hour
instead of a function call per record (quality.views_sql). Reverse restores version 1."""

from django.db import migrations

from quality.views_sql import DROP_QUALITY_VIEWS_V1, QUALITY_VIEWS_V1, QUALITY_VIEWS_V2


class Migration(migrations.Migration):
    dependencies = [("quality", "0040_mv_quality")]

    operations = [
        migrations.RunSQL(
            sql=DROP_QUALITY_VIEWS_V1 + QUALITY_VIEWS_V2,
            reverse_sql=DROP_QUALITY_VIEWS_V1 + QUALITY_VIEWS_V1,
        ),
    ]
