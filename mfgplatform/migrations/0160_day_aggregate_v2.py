"""The day-kept aggregates' machinery, version 2 (mfgplatform/sql/day_aggregate/v2.sql): the triggers also
record the earliest instant written, and a pass recomputes from the day of the earliest occurrence that a
write or the clock actually changed (nothing when nothing did), checking the calendar by its row versions
before fingerprinting it. Reverse restores version 1's functions and drops the two columns."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)


def version_1_functions() -> str:
    """Version 1's trigger functions and pass, as its file creates them, created over version 2's (its
    tables stay: only the columns version 2 added are dropped)."""
    text = sql("day_aggregate/v1")
    functions = text[text.index("-- Statement-level trigger on a fact table"):]
    return functions.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")


REVERSE = version_1_functions() + """
ALTER TABLE agg_day_state DROP COLUMN calendar_versions;
ALTER TABLE agg_day_invalidation DROP COLUMN low_at;
"""


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0220_report_scope_and_send_time")]

    operations = [
        migrations.RunSQL(sql=sql("day_aggregate/v2"), reverse_sql=REVERSE),
    ]
