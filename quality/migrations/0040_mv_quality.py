"""Quality counts by defect type and measurement sums for capability (quality/sql/)."""

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
        ("quality", "0002_defect_types"),
        ("production", "0001_initial"),
        ("mfgplatform", "0041_mv_shift_occurrence"),
    ]

    operations = [
        migrations.RunSQL(sql=sql("mv_quality_by_defect/v1", "mv_quality_measurement/v1"), reverse_sql=DROP_QUALITY_VIEWS),
    ]
