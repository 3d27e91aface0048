"""mv_quality_by_occurrence version 1 (quality/sql/mv_quality_by_occurrence/v1.sql): inspections and scrap
per equipment × shift occurrence, summed over mv_quality_by_defect's defect types, for the counting KPIs.
Created empty like every new view; the next refresh populates it. Reverse drops it."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)


DROP_QUALITY_BY_OCCURRENCE = "DROP MATERIALIZED VIEW IF EXISTS mv_quality_by_occurrence;\n"


class Migration(migrations.Migration):
    dependencies = [("quality", "0130_mv_quality_measurement_v4")]

    operations = [
        migrations.RunSQL(sql=sql("mv_quality_by_occurrence/v1"), reverse_sql=DROP_QUALITY_BY_OCCURRENCE),
    ]
