-- mv_quality_by_defect, version 1: Per equipment × shift occurrence × defect type (0 = none recorded) the
-- attribute-inspection counts (inspected, defective units, defects, first-pass good units and the units they
-- were counted from, defect opportunities = inspected × the product's opportunities per unit) and the scrap
-- records (quantity, planned part, cost). A record belongs to the shift occurrence containing its instant;
-- outside every shift, to shift 0 of its production day. Sums only, never ratios.
CREATE MATERIALIZED VIEW mv_quality_by_defect AS

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

WITH NO DATA;
CREATE UNIQUE INDEX mv_quality_by_defect_key ON mv_quality_by_defect (date_key, shift_id, equipment_id, defect_type_id);
CREATE INDEX mv_quality_by_defect_day_idx ON mv_quality_by_defect (production_date);
