"""ISO 14224 operating time of support equipment (reliability/sql/v_support_operation/v1.sql): time in
service minus recorded downtime, per support unit and production day."""

from pathlib import Path

from django.db import migrations

SQL = (Path(__file__).resolve().parent.parent / "sql" / "v_support_operation" / "v1.sql").read_text()


class Migration(migrations.Migration):
    dependencies = [
        ("reliability", "0130_agg_sensor_hourly_v2"),
        ("equipment", "0081_support_classes"),
        ("mfgplatform", "0061_day_aggregates"),
    ]

    operations = [migrations.RunSQL(sql=SQL, reverse_sql="DROP VIEW IF EXISTS v_support_operation;")]
