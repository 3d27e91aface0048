"""Materialized views of the shared layer (see mfgplatform.aggregates.registry)."""

from .registry import MaterializedView, register

SHIFT_OCCURRENCE = register(MaterializedView(
    name="mv_shift_occurrence",
    app_label="mfgplatform",
    description="Every shift occurrence: production day, real start and end in the plant zone, breaks.",
    sources=("dim_date", "dim_shift"),
))

SHIFT_SEGMENT_HOUR = register(MaterializedView(
    name="mv_shift_segment_hour",
    app_label="mfgplatform",
    description="Hour index of the shift calendar: each calendar segment with its covering occurrences, per hour.",
    depends_on=("mv_shift_occurrence",),
    sources=("dim_date", "dim_shift"),
))
