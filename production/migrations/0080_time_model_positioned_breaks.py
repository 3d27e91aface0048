"""Time model version 4: positioned shift breaks (production/sql/time_model_select/v4.sql). A break window
is planned downtime where the unit did not run, production time where it ran through, and a stop inside
it is planned. The pass gets the new SELECT and every day is recomputed at the next pass; changes to
the break windows recompute every day. Reverse restores version 3."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)

DROP_SHIFT_BREAK_TRIGGERS = """
DROP TRIGGER IF EXISTS agg_time_model_shift_break ON dim_shift_break;
DROP TRIGGER IF EXISTS agg_time_model_shift_break_truncate ON dim_shift_break;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0043_agg_time_model"),
        ("mfgplatform", "0081_default_break_positions"),
    ]

    operations = [
        migrations.RunSQL(
            sql=sql("agg_time_model_refresh/v2", "shift_break_triggers/v1"),
            reverse_sql=DROP_SHIFT_BREAK_TRIGGERS + sql("agg_time_model_refresh/v1"),
        ),
    ]
