"""mv_time_model, version 2: the same rows, refreshed through the calendar's hour index and running
maxima instead of per-day expansion and multirange unions (production/sql/). Reverse restores
version 1. Created WITH NO DATA: the next refresh populates it."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)

DROP_TIME_MODEL = "DROP MATERIALIZED VIEW IF EXISTS mv_time_model;\n"


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0040_mv_time_model"),
        ("mfgplatform", "0060_mv_shift_segment_hour"),
    ]

    operations = [
        migrations.RunSQL(sql=DROP_TIME_MODEL + sql("mv_time_model/v2"),
                          reverse_sql=DROP_TIME_MODEL + sql("mv_time_model/v1")),
    ]
