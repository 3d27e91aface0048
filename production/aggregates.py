"""Materialized views of production (see mfgplatform.aggregates.registry)."""

from mfgplatform.aggregates.registry import IncrementalAggregate, register

TIME_MODEL = register(IncrementalAggregate(
    name="agg_time_model",
    app_label="production",
    description="ISO 22400 time and quantity elements per work unit × shift occurrence (sums), kept by "
                "recomputing the production days written since the last pass (mfgplatform/sql/day_aggregate).",
    function="agg_time_model_refresh",
    depends_on=("mv_shift_occurrence", "mv_shift_segment_hour"),
    sources=("fact_production", "fact_downtime", "dim_downtime_reason", "dim_equipment"),
))
