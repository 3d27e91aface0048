"""The machinery of the aggregates kept by production day (mfgplatform/sql/day_aggregate): the invalidation
log, the per-aggregate state, the invalidating trigger functions and the pass. Reverse drops them."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)

DROP_DAY_AGGREGATE = """
DROP FUNCTION IF EXISTS mfg_day_aggregate_pass(text, text, boolean);
DROP FUNCTION IF EXISTS mfg_invalidate_all_days();
DROP FUNCTION IF EXISTS mfg_invalidate_fact_days();
DROP TABLE IF EXISTS agg_day_state;
DROP TABLE IF EXISTS agg_day_invalidation;
"""


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0060_mv_shift_segment_hour")]

    operations = [
        migrations.RunSQL(sql=sql("day_aggregate/v1"), reverse_sql=DROP_DAY_AGGREGATE),
    ]
