"""Time model version 7 (production/sql/time_model_select/v7.sql, pass agg_time_model_refresh v5): off-shift
activity of a work unit is booked into an explicit unscheduled occurrence (shift 0) per production day, whose
POT is the off-shift time from its first to its last off-shift run piece, so numerator and denominator cover
the same time. The pass file invalidates every day, so the next pass rebuilds the table. Reverse restores
version 6 (and invalidates every day again)."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)


class Migration(migrations.Migration):
    dependencies = [("production", "0210_planned_run_time_lookup")]

    operations = [
        migrations.RunSQL(sql=sql("agg_time_model_refresh/v5"), reverse_sql=sql("agg_time_model_refresh/v4")),
    ]
