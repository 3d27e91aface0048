"""Materialized views of quality (see mfgplatform.aggregates.registry)."""

from mfgplatform.aggregates.registry import MaterializedView, register

QUALITY_BY_DEFECT = register(MaterializedView(
    name="mv_quality_by_defect",
    app_label="quality",
    description="Inspection counts and scrap per equipment × shift occurrence × defect type (sums).",
    depends_on=("mv_shift_occurrence", "mv_shift_segment_hour"),
    sources=("fact_quality", "fact_scrap", "dim_product"),
))

# The counting KPIs' source: the same sums with the defect types added up, one row per unit × occurrence.
QUALITY_BY_OCCURRENCE = register(MaterializedView(
    name="mv_quality_by_occurrence",
    app_label="quality",
    description="Inspection counts and scrap per equipment × shift occurrence (sums over the defect types).",
    depends_on=("mv_quality_by_defect",),
    sources=("fact_quality", "fact_scrap", "dim_product"),
))

QUALITY_MEASUREMENT = register(MaterializedView(
    name="mv_quality_measurement",
    app_label="quality",
    description="One row per subgroup: count, mean and sum of squared deviations, min, max (capability, SPC).",
    depends_on=("mv_shift_occurrence", "mv_shift_segment_hour"),
    sources=("fact_quality",),
))
