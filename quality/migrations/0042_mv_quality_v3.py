"""Quality views, version 3: the same rows, each record's shift occurrence found in the calendar's hour
index instead of a slot table built in every refresh (quality/sql/). Reverse restores version 2."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)

DROP_QUALITY_VIEWS = """
DROP MATERIALIZED VIEW IF EXISTS mv_quality_measurement;
DROP MATERIALIZED VIEW IF EXISTS mv_quality_by_defect;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0041_mv_quality_v2"),
        ("mfgplatform", "0060_mv_shift_segment_hour"),
    ]

    operations = [
        migrations.RunSQL(
            sql=DROP_QUALITY_VIEWS + sql("mv_quality_by_defect/v3", "mv_quality_measurement/v3"),
            reverse_sql=DROP_QUALITY_VIEWS + sql("mv_quality_by_defect/v2", "mv_quality_measurement/v2"),
        ),
    ]
