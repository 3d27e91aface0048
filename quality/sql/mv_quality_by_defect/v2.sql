-- mv_quality_by_defect, version 2: Version 2 (same rows): the shift occurrence is found with a hash join on
-- the hour of the instant (the occurrence_slot and slot_hour CTEs) instead of calling mfg_occurrence_at per
-- record.
CREATE MATERIALIZED VIEW mv_quality_by_defect AS

WITH 
occurrence_slot AS (
    SELECT c.date_key, c.shift_id, c.production_date, tstzrange(c.slot_start, upper(c.occurrence)) AS slot
      FROM (SELECT o.date_key, o.shift_id, o.production_date, o.occurrence,
                   greatest(lower(o.occurrence), max(upper(o.occurrence)) OVER earlier) AS slot_start
              FROM mv_shift_occurrence AS o
            WINDOW earlier AS (ORDER BY lower(o.occurrence), o.shift_id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) AS c
     WHERE c.slot_start < upper(c.occurrence)
),
slot_hour AS (
    SELECT s.date_key, s.shift_id, s.production_date, s.slot, h.hour
      FROM occurrence_slot AS s
     CROSS JOIN LATERAL generate_series(date_bin(interval '1 hour', lower(s.slot), timestamptz 'epoch'),
                                        upper(s.slot) - interval '1 microsecond', interval '1 hour') AS h(hour)
)
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

WITH NO DATA;
CREATE UNIQUE INDEX mv_quality_by_defect_key ON mv_quality_by_defect (date_key, shift_id, equipment_id, defect_type_id);
CREATE INDEX mv_quality_by_defect_day_idx ON mv_quality_by_defect (production_date);
