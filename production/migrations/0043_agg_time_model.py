"""The time model becomes a table kept by production day (mfgplatform/sql/day_aggregate): agg_time_model,
its pass agg_time_model_refresh() and the triggers that invalidate its days replace the materialized
view mv_time_model, whose every refresh recomputed every occurrence. The table starts empty; the first
pass (`manage.py refresh_views` or the scheduled job) computes every day. Reverse drops them and
recreates version 2 of the view, empty like every new view."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)

DROP_TIME_MODEL = "DROP MATERIALIZED VIEW IF EXISTS mv_time_model;\n"

DROP_AGG_TIME_MODEL = """
DROP TRIGGER IF EXISTS agg_time_model_insert ON fact_production;
DROP TRIGGER IF EXISTS agg_time_model_update ON fact_production;
DROP TRIGGER IF EXISTS agg_time_model_delete ON fact_production;
DROP TRIGGER IF EXISTS agg_time_model_truncate ON fact_production;
DROP TRIGGER IF EXISTS agg_time_model_insert ON fact_downtime;
DROP TRIGGER IF EXISTS agg_time_model_update ON fact_downtime;
DROP TRIGGER IF EXISTS agg_time_model_delete ON fact_downtime;
DROP TRIGGER IF EXISTS agg_time_model_truncate ON fact_downtime;
DROP TRIGGER IF EXISTS agg_time_model_dimension ON dim_equipment;
DROP TRIGGER IF EXISTS agg_time_model_dimension ON dim_downtime_reason;
DROP FUNCTION IF EXISTS agg_time_model_refresh(boolean);
DROP TABLE IF EXISTS agg_time_model;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0042_fact_end_indexes"),
        ("reliability", "0044_fact_end_indexes"),
        ("mfgplatform", "0061_day_aggregates"),
    ]

    operations = [
        migrations.RunSQL(sql=DROP_TIME_MODEL + sql("agg_time_model/v1"),
                          reverse_sql=DROP_AGG_TIME_MODEL + sql("mv_time_model/v2")),
    ]
