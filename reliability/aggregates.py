"""Materialized views of reliability (see mfgplatform.aggregates.registry)."""

from mfgplatform.aggregates.registry import IncrementalAggregate, MaterializedView, register

DOWNTIME_BY_REASON = register(IncrementalAggregate(
    name="agg_downtime_by_reason",
    app_label="reliability",
    description="Stops, their duration and the stop time inside shifts per equipment × shift × reason, kept "
                "by recomputing the production days written since the last pass (mfgplatform/sql/day_aggregate).",
    function="agg_downtime_by_reason_refresh",
    depends_on=("mv_shift_occurrence", "mv_shift_segment_hour"),
    sources=("fact_downtime",),
))

RELIABILITY_EVENT = register(MaterializedView(
    name="mv_reliability_event",
    app_label="reliability",
    description="Failures, restoration times, elapsed TBF, CMT and PMT per equipment × shift × failure mode.",
    depends_on=("mv_shift_occurrence",),
    sources=("fact_downtime", "dim_downtime_reason"),
))

SENSOR_HOURLY = register(IncrementalAggregate(
    name="agg_sensor_hourly",
    app_label="reliability",
    description="Hourly count, sum, sum of squares, min and max of good sensor readings (time_bucket), "
                "kept by re-aggregating the hours written since the last pass (reliability.sensor_aggregate).",
    function="agg_sensor_hourly_refresh",
    sources=("fact_sensor_event",),
))
