"""The planned-run-time lookup as a database function (production/sql/planned_run_time/v1.sql), shared by
load_facts, the ingest API and the admin. Reverse drops it."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)


class Migration(migrations.Migration):
    dependencies = [("production", "0082_time_model_exact_off_shift_share")]

    operations = [
        migrations.RunSQL(sql=sql("planned_run_time/v1"),
                          reverse_sql="DROP FUNCTION mfg_planned_run_time(bigint, bigint, date);"),
    ]
