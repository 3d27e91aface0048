"""Time model version 5 (production/sql/time_model_select/v5.sql): a run's quantities are prorated by its
overlap with each shift occurrence, so PQ and APT cover the same period. Every day is recomputed at the
next pass. Reverse restores version 4."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)


class Migration(migrations.Migration):
    dependencies = [("production", "0080_time_model_positioned_breaks")]

    operations = [
        migrations.RunSQL(sql=sql("agg_time_model_refresh/v3"), reverse_sql=sql("agg_time_model_refresh/v2")),
    ]
