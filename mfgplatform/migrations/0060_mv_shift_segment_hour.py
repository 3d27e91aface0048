"""The calendar's hour index `mv_shift_segment_hour` (mfgplatform/sql/), the occurrence lookup
of the version-3 KPI views. Created WITH NO DATA: the next refresh populates it."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)

DROP_SHIFT_SEGMENT_HOUR = "DROP MATERIALIZED VIEW IF EXISTS mv_shift_segment_hour;\n"


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0030_ingest_tokens")]

    operations = [
        migrations.RunSQL(sql=sql("mv_shift_segment_hour/v1"), reverse_sql=DROP_SHIFT_SEGMENT_HOUR),
    ]
