"""Time model version 6 (production/sql/time_model_select/v6.sql, pass agg_time_model_refresh v4): the
part of a run outside every shift occurrence is computed from its seconds outside, so a run wholly inside
occurrences leaves no shift-0 row. Every day is recomputed at the next pass. Reverse restores version 5."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)


class Migration(migrations.Migration):
    dependencies = [("production", "0081_time_model_prorated_quantities")]

    operations = [
        migrations.RunSQL(sql=sql("agg_time_model_refresh/v4"), reverse_sql=sql("agg_time_model_refresh/v3")),
    ]
