"""SQL of the quality materialized views (sums only, never ratios).

- `mv_quality_by_defect`: per equipment × shift occurrence × defect type (0 = none recorded) the
  attribute-inspection counts (inspected, defective units, defects, first-pass good units and the
  units they were counted from, defect opportunities = inspected × the product's opportunities per
  unit) and the scrap records (quantity, planned part, cost). A record belongs to the shift
  occurrence containing its instant (inspected_at / occurred_at); outside every shift it goes to
  shift 0 of its production day, as in mv_time_model.
- `mv_quality_measurement`: per equipment × shift occurrence × product × characteristic × subgroup
  (0 = none) the count, sum and sum of squares of the measurements and the specification limits,
  from which pooled within-subgroup and overall standard deviations roll up exactly.

Version 2 (same results) looks the shift occurrence up with a hash join on the hour of the instant
(mfgplatform.views_sql.OCCURRENCE_SLOT_CTES_V2) instead of calling mfg_occurrence_at per record.

Each constant is one released version; migrations import it, so it is never edited once shipped.
Later versions are files: `quality/sql/mv_quality_measurement/v4.sql` (one row per subgroup with its
count, mean and sum of squared deviations instead of Σx and Σx², see docs/kpi.md "Subgroups and
spreads").
"""

from mfgplatform.views_sql import OCCURRENCE_SLOT_CTES_V2

QUALITY_BY_DEFECT_SELECT_V1 = """
SELECT o.date_key, o.shift_id, x.equipment_id, x.defect_type_id,
       min(o.production_date) AS production_date,
       sum(x.inspected) AS inspected_qty,
       sum(x.defective) AS defective_qty,
       sum(x.defects) AS defect_count,
       sum(x.first_pass_good) AS first_pass_good_qty,
       sum(x.first_pass_inspected) AS first_pass_inspected_qty,
       sum(x.opportunities) AS defect_opportunities,
       sum(x.scrap) AS scrap_qty,
       sum(x.planned_scrap) AS planned_scrap_qty,
       sum(x.scrap_cost) AS scrap_cost
  FROM (SELECT q.inspected_at AS at, q.equipment_id, coalesce(q.defect_type_id, 0) AS defect_type_id,
               q.inspected_qty AS inspected, q.defective_qty AS defective, q.defect_count AS defects,
               coalesce(q.first_pass_good_qty, 0) AS first_pass_good,
               CASE WHEN q.first_pass_good_qty IS NULL THEN 0 ELSE q.inspected_qty END AS first_pass_inspected,
               q.inspected_qty * p.defect_opportunities_per_unit AS opportunities,
               0 AS scrap, 0 AS planned_scrap, 0 AS scrap_cost
          FROM fact_quality AS q
          JOIN dim_product AS p ON p.id = q.product_id
         WHERE q.kind = 'attribute'
        UNION ALL
        SELECT s.occurred_at, s.equipment_id, s.reason_id, 0, 0, 0, 0, 0, 0,
               s.quantity, CASE WHEN s.is_planned THEN s.quantity ELSE 0 END, s.cost
          FROM fact_scrap AS s) AS x
 CROSS JOIN LATERAL mfg_occurrence_at(x.at) AS o
 GROUP BY o.date_key, o.shift_id, x.equipment_id, x.defect_type_id
"""

QUALITY_MEASUREMENT_SELECT_V1 = """
SELECT o.date_key, o.shift_id, q.equipment_id, q.product_id, q.characteristic,
       coalesce(q.subgroup, 0) AS subgroup,
       min(o.production_date) AS production_date,
       count(*) AS n,
       sum(q.measured_value) AS value_sum,
       sum(q.measured_value * q.measured_value) AS value_sq_sum,
       min(q.lower_spec_limit) AS lsl,
       max(q.upper_spec_limit) AS usl,
       max(q.lower_spec_limit) AS lsl_max,
       min(q.upper_spec_limit) AS usl_min,
       min(q.target_value) AS target
  FROM fact_quality AS q
 CROSS JOIN LATERAL mfg_occurrence_at(q.inspected_at) AS o
 WHERE q.kind = 'variable'
 GROUP BY o.date_key, o.shift_id, q.equipment_id, q.product_id, q.characteristic, coalesce(q.subgroup, 0)
"""

QUALITY_VIEWS_V1 = f"""
CREATE MATERIALIZED VIEW mv_quality_by_defect AS
{QUALITY_BY_DEFECT_SELECT_V1}
WITH NO DATA;
CREATE UNIQUE INDEX mv_quality_by_defect_key ON mv_quality_by_defect (date_key, shift_id, equipment_id, defect_type_id);
CREATE INDEX mv_quality_by_defect_day_idx ON mv_quality_by_defect (production_date);

CREATE MATERIALIZED VIEW mv_quality_measurement AS
{QUALITY_MEASUREMENT_SELECT_V1}
WITH NO DATA;
CREATE UNIQUE INDEX mv_quality_measurement_key
    ON mv_quality_measurement (date_key, shift_id, equipment_id, product_id, characteristic, subgroup);
CREATE INDEX mv_quality_measurement_char_idx ON mv_quality_measurement (characteristic, production_date);
"""

DROP_QUALITY_VIEWS_V1 = """
DROP MATERIALIZED VIEW IF EXISTS mv_quality_measurement;
DROP MATERIALIZED VIEW IF EXISTS mv_quality_by_defect;
"""


QUALITY_BY_DEFECT_SELECT_V2 = f"""
WITH {OCCURRENCE_SLOT_CTES_V2}
SELECT coalesce(o.date_key, mfg_date_key(mfg_production_date(x.at))) AS date_key,
       coalesce(o.shift_id, 0) AS shift_id, x.equipment_id, x.defect_type_id,
       min(coalesce(o.production_date, mfg_production_date(x.at))) AS production_date,
       sum(x.inspected) AS inspected_qty,
       sum(x.defective) AS defective_qty,
       sum(x.defects) AS defect_count,
       sum(x.first_pass_good) AS first_pass_good_qty,
       sum(x.first_pass_inspected) AS first_pass_inspected_qty,
       sum(x.opportunities) AS defect_opportunities,
       sum(x.scrap) AS scrap_qty,
       sum(x.planned_scrap) AS planned_scrap_qty,
       sum(x.scrap_cost) AS scrap_cost
  FROM (SELECT q.inspected_at AS at, q.equipment_id, coalesce(q.defect_type_id, 0) AS defect_type_id,
               q.inspected_qty AS inspected, q.defective_qty AS defective, q.defect_count AS defects,
               coalesce(q.first_pass_good_qty, 0) AS first_pass_good,
               CASE WHEN q.first_pass_good_qty IS NULL THEN 0 ELSE q.inspected_qty END AS first_pass_inspected,
               q.inspected_qty * p.defect_opportunities_per_unit AS opportunities,
               0 AS scrap, 0 AS planned_scrap, 0 AS scrap_cost
          FROM fact_quality AS q
          JOIN dim_product AS p ON p.id = q.product_id
         WHERE q.kind = 'attribute'
        UNION ALL
        SELECT s.occurred_at, s.equipment_id, s.reason_id, 0, 0, 0, 0, 0, 0,
               s.quantity, CASE WHEN s.is_planned THEN s.quantity ELSE 0 END, s.cost
          FROM fact_scrap AS s) AS x
  LEFT JOIN slot_hour AS o
    ON o.hour = date_bin(interval '1 hour', x.at, timestamptz 'epoch') AND o.slot @> x.at
 GROUP BY 1, 2, x.equipment_id, x.defect_type_id
"""

QUALITY_MEASUREMENT_SELECT_V2 = f"""
WITH {OCCURRENCE_SLOT_CTES_V2}
SELECT coalesce(o.date_key, mfg_date_key(mfg_production_date(q.inspected_at))) AS date_key,
       coalesce(o.shift_id, 0) AS shift_id, q.equipment_id, q.product_id, q.characteristic,
       coalesce(q.subgroup, 0) AS subgroup,
       min(coalesce(o.production_date, mfg_production_date(q.inspected_at))) AS production_date,
       count(*) AS n,
       sum(q.measured_value) AS value_sum,
       sum(q.measured_value * q.measured_value) AS value_sq_sum,
       min(q.lower_spec_limit) AS lsl,
       max(q.upper_spec_limit) AS usl,
       max(q.lower_spec_limit) AS lsl_max,
       min(q.upper_spec_limit) AS usl_min,
       min(q.target_value) AS target
  FROM fact_quality AS q
  LEFT JOIN slot_hour AS o
    ON o.hour = date_bin(interval '1 hour', q.inspected_at, timestamptz 'epoch') AND o.slot @> q.inspected_at
 WHERE q.kind = 'variable'
 GROUP BY 1, 2, q.equipment_id, q.product_id, q.characteristic, coalesce(q.subgroup, 0)
"""

QUALITY_VIEWS_V2 = f"""
CREATE MATERIALIZED VIEW mv_quality_by_defect AS
{QUALITY_BY_DEFECT_SELECT_V2}
WITH NO DATA;
CREATE UNIQUE INDEX mv_quality_by_defect_key ON mv_quality_by_defect (date_key, shift_id, equipment_id, defect_type_id);
CREATE INDEX mv_quality_by_defect_day_idx ON mv_quality_by_defect (production_date);

CREATE MATERIALIZED VIEW mv_quality_measurement AS
{QUALITY_MEASUREMENT_SELECT_V2}
WITH NO DATA;
CREATE UNIQUE INDEX mv_quality_measurement_key
    ON mv_quality_measurement (date_key, shift_id, equipment_id, product_id, characteristic, subgroup);
CREATE INDEX mv_quality_measurement_char_idx ON mv_quality_measurement (characteristic, production_date);
"""


# Version 3 (same rows): the occurrence of each record is found in the calendar's hour index
# (mfgplatform.views_sql SHIFT_SEGMENT_HOUR_V1) instead of a slot table built in every refresh.
QUALITY_BY_DEFECT_SELECT_V3 = """
SELECT coalesce(o.date_key, mfg_date_key(mfg_production_date(x.at))) AS date_key,
       coalesce(o.shift_id, 0) AS shift_id, x.equipment_id, x.defect_type_id,
       min(coalesce(o.production_date, mfg_production_date(x.at))) AS production_date,
       sum(x.inspected) AS inspected_qty,
       sum(x.defective) AS defective_qty,
       sum(x.defects) AS defect_count,
       sum(x.first_pass_good) AS first_pass_good_qty,
       sum(x.first_pass_inspected) AS first_pass_inspected_qty,
       sum(x.opportunities) AS defect_opportunities,
       sum(x.scrap) AS scrap_qty,
       sum(x.planned_scrap) AS planned_scrap_qty,
       sum(x.scrap_cost) AS scrap_cost
  FROM (SELECT q.inspected_at AS at, q.equipment_id, coalesce(q.defect_type_id, 0) AS defect_type_id,
               q.inspected_qty AS inspected, q.defective_qty AS defective, q.defect_count AS defects,
               coalesce(q.first_pass_good_qty, 0) AS first_pass_good,
               CASE WHEN q.first_pass_good_qty IS NULL THEN 0 ELSE q.inspected_qty END AS first_pass_inspected,
               q.inspected_qty * p.defect_opportunities_per_unit AS opportunities,
               0 AS scrap, 0 AS planned_scrap, 0 AS scrap_cost
          FROM fact_quality AS q
          JOIN dim_product AS p ON p.id = q.product_id
         WHERE q.kind = 'attribute'
        UNION ALL
        SELECT s.occurred_at, s.equipment_id, s.reason_id, 0, 0, 0, 0, 0, 0,
               s.quantity, CASE WHEN s.is_planned THEN s.quantity ELSE 0 END, s.cost
          FROM fact_scrap AS s) AS x
  LEFT JOIN mv_shift_segment_hour AS o
    ON o.hour = date_bin(interval '1 hour', x.at, timestamptz 'epoch')
   AND o.starts_at <= x.at AND x.at < o.ends_at AND o.is_owner
 GROUP BY 1, 2, x.equipment_id, x.defect_type_id
"""

QUALITY_MEASUREMENT_SELECT_V3 = """
SELECT coalesce(o.date_key, mfg_date_key(mfg_production_date(q.inspected_at))) AS date_key,
       coalesce(o.shift_id, 0) AS shift_id, q.equipment_id, q.product_id, q.characteristic,
       coalesce(q.subgroup, 0) AS subgroup,
       min(coalesce(o.production_date, mfg_production_date(q.inspected_at))) AS production_date,
       count(*) AS n,
       sum(q.measured_value) AS value_sum,
       sum(q.measured_value * q.measured_value) AS value_sq_sum,
       min(q.lower_spec_limit) AS lsl,
       max(q.upper_spec_limit) AS usl,
       max(q.lower_spec_limit) AS lsl_max,
       min(q.upper_spec_limit) AS usl_min,
       min(q.target_value) AS target
  FROM fact_quality AS q
  LEFT JOIN mv_shift_segment_hour AS o
    ON o.hour = date_bin(interval '1 hour', q.inspected_at, timestamptz 'epoch')
   AND o.starts_at <= q.inspected_at AND q.inspected_at < o.ends_at AND o.is_owner
 WHERE q.kind = 'variable'
 GROUP BY 1, 2, q.equipment_id, q.product_id, q.characteristic, coalesce(q.subgroup, 0)
"""

QUALITY_VIEWS_V3 = f"""
CREATE MATERIALIZED VIEW mv_quality_by_defect AS
{QUALITY_BY_DEFECT_SELECT_V3}
WITH NO DATA;
CREATE UNIQUE INDEX mv_quality_by_defect_key ON mv_quality_by_defect (date_key, shift_id, equipment_id, defect_type_id);
CREATE INDEX mv_quality_by_defect_day_idx ON mv_quality_by_defect (production_date);

CREATE MATERIALIZED VIEW mv_quality_measurement AS
{QUALITY_MEASUREMENT_SELECT_V3}
WITH NO DATA;
CREATE UNIQUE INDEX mv_quality_measurement_key
    ON mv_quality_measurement (date_key, shift_id, equipment_id, product_id, characteristic, subgroup);
CREATE INDEX mv_quality_measurement_char_idx ON mv_quality_measurement (characteristic, production_date);
"""
