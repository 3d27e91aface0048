"""The ISO 22400 time and quantity elements per work unit × shift occurrence (production/sql/)."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)

DROP_TIME_MODEL = "DROP MATERIALIZED VIEW IF EXISTS mv_time_model;\n"


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0001_initial"),
        ("reliability", "0001_initial"),
        ("equipment", "0001_initial"),
        ("mfgplatform", "0041_mv_shift_occurrence"),
    ]

    operations = [
        migrations.RunSQL(sql=sql("mv_time_model/v1"), reverse_sql=DROP_TIME_MODEL),
    ]
