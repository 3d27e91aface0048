"""Downtime by reason becomes a table kept by production day (mfgplatform/sql/day_aggregate):
agg_downtime_by_reason, its pass agg_downtime_by_reason_refresh() and the triggers that invalidate its
days replace the materialized view mv_downtime_by_reason. The table starts empty; the first pass
computes every day. Reverse drops them and recreates version 3 of the view, empty like every new view."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)

DROP_DOWNTIME_BY_REASON = "DROP MATERIALIZED VIEW IF EXISTS mv_downtime_by_reason;\n"

DROP_AGG_DOWNTIME_BY_REASON = """
DROP TRIGGER IF EXISTS agg_downtime_by_reason_insert ON fact_downtime;
DROP TRIGGER IF EXISTS agg_downtime_by_reason_update ON fact_downtime;
DROP TRIGGER IF EXISTS agg_downtime_by_reason_delete ON fact_downtime;
DROP TRIGGER IF EXISTS agg_downtime_by_reason_truncate ON fact_downtime;
DROP FUNCTION IF EXISTS agg_downtime_by_reason_refresh(boolean);
DROP TABLE IF EXISTS agg_downtime_by_reason;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reliability", "0044_fact_end_indexes"),
        ("mfgplatform", "0061_day_aggregates"),
    ]

    operations = [
        migrations.RunSQL(sql=DROP_DOWNTIME_BY_REASON + sql("agg_downtime_by_reason/v1"),
                          reverse_sql=DROP_AGG_DOWNTIME_BY_REASON + sql("mv_downtime_by_reason/v3")),
    ]
