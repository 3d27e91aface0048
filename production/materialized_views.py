"""Materialized views of production (see mfgplatform.views_registry)."""

from mfgplatform.views_registry import MaterializedView, register

TIME_MODEL = register(MaterializedView(
    name="mv_time_model",
    app_label="production",
    description="ISO 22400 time and quantity elements per work unit × shift occurrence (sums).",
    depends_on=("mv_shift_occurrence", "mv_shift_segment_hour"),
    sources=("fact_production", "fact_downtime", "dim_downtime_reason", "dim_equipment"),
))
