"""The calendar's hour index `mv_shift_segment_hour` (mfgplatform.views_sql), the occurrence lookup
of the version-3 KPI views. Created WITH NO DATA: the next refresh populates it."""

from django.db import migrations

from mfgplatform.views_sql import DROP_SHIFT_SEGMENT_HOUR_V1, SHIFT_SEGMENT_HOUR_V1


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0030_ingest_tokens")]

    operations = [migrations.RunSQL(sql=SHIFT_SEGMENT_HOUR_V1, reverse_sql=DROP_SHIFT_SEGMENT_HOUR_V1)]
