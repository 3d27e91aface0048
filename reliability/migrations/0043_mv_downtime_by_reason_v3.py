"""mv_downtime_by_reason, version 3: the same rows, each stop's occurrence found in the calendar's hour
index and the stop time inside shifts summed with a running maximum instead of a multirange union (reliability/sql/). Reverse restores version 2."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)

DROP_DOWNTIME_BY_REASON = "DROP MATERIALIZED VIEW IF EXISTS mv_downtime_by_reason;\n"


class Migration(migrations.Migration):
    dependencies = [
        ("reliability", "0042_agg_sensor_hourly"),
        ("mfgplatform", "0060_mv_shift_segment_hour"),
    ]

    operations = [
        migrations.RunSQL(sql=DROP_DOWNTIME_BY_REASON + sql("mv_downtime_by_reason/v3"),
                          reverse_sql=DROP_DOWNTIME_BY_REASON + sql("mv_downtime_by_reason/v2")),
    ]
