-- mv_quality_by_occurrence, version 1: attribute inspections and scrap per equipment × shift occurrence,
-- the sums of mv_quality_by_defect over its defect types.
--
-- The counting KPIs (FPY, DPU, DPO, DPMO, PPM) need no defect type, yet read from mv_quality_by_defect
-- they summed a row per defect type recorded in each occurrence (about four per unit and shift on the
-- demo plant). Rolled up once at refresh (a cheap pass over the view's rows, not the facts), a year by
-- week sums one row per unit and occurrence. Same sums, so the same KPI values; the defect Pareto still
-- reads mv_quality_by_defect.
CREATE MATERIALIZED VIEW mv_quality_by_occurrence AS

SELECT d.date_key, d.shift_id, d.equipment_id,
       min(d.production_date) AS production_date,
       sum(d.inspected_qty) AS inspected_qty,
       sum(d.defective_qty) AS defective_qty,
       sum(d.defect_count) AS defect_count,
       sum(d.first_pass_good_qty) AS first_pass_good_qty,
       sum(d.first_pass_inspected_qty) AS first_pass_inspected_qty,
       sum(d.defect_opportunities) AS defect_opportunities,
       sum(d.scrap_qty) AS scrap_qty,
       sum(d.planned_scrap_qty) AS planned_scrap_qty,
       sum(d.scrap_cost) AS scrap_cost
  FROM mv_quality_by_defect AS d
 GROUP BY d.date_key, d.shift_id, d.equipment_id

WITH NO DATA;
CREATE UNIQUE INDEX mv_quality_by_occurrence_key ON mv_quality_by_occurrence (date_key, shift_id, equipment_id);
CREATE INDEX mv_quality_by_occurrence_day_idx ON mv_quality_by_occurrence (production_date);
