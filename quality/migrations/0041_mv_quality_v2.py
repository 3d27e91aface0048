"""Quality views, version 2: the same rows, the shift occurrence found by a hash join on the hour
instead of a function call per record (quality/sql/). Reverse restores version 1."""

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
    dependencies = [("quality", "0040_mv_quality")]

    operations = [
        migrations.RunSQL(
            sql=DROP_QUALITY_VIEWS + sql("mv_quality_by_defect/v2", "mv_quality_measurement/v2"),
            reverse_sql=DROP_QUALITY_VIEWS + sql("mv_quality_by_defect/v1", "mv_quality_measurement/v1"),
        ),
    ]
