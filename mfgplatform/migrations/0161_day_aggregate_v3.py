"""The day-kept aggregates' pass, version 3 (mfgplatform/sql/day_aggregate/v3.sql): a pass over a few days
compares and writes its rows in one statement instead of through two temporary tables; a rebuild is
unchanged. Reverse restores version 2's pass."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)


def version_2_pass() -> str:
    """Version 2's pass as its file creates it (the rest of that file, columns and triggers, stays)."""
    text = sql("day_aggregate/v2")
    return text[text.index("CREATE OR REPLACE FUNCTION mfg_day_aggregate_pass"):]


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0160_day_aggregate_v2")]

    operations = [
        migrations.RunSQL(sql=sql("day_aggregate/v3"), reverse_sql=version_2_pass()),
    ]
