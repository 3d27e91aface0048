"""Time model version 8 (production/sql/time_model_select/v8.sql, pass agg_time_model_refresh v6): version 7's
rows, cheaper to compute for the recent window a scheduled pass recomputes (the calendar's hour index read up
to now or the latest run's end, occurrences up to today, orders' earlier runs probed by index). The rows
are the same, so nothing is invalidated. Reverse restores version 7."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)


class Migration(migrations.Migration):
    dependencies = [("production", "0150_time_model_unscheduled_occurrence")]

    operations = [
        migrations.RunSQL(sql=sql("agg_time_model_refresh/v6"), reverse_sql=sql("agg_time_model_refresh/v5")),
    ]
