-- planned_run_time v1: mfg_planned_run_time(product, equipment, production day), the planned run time per
-- item (PRI, ISO 22400-2) in seconds that a run of the product on the equipment unit is measured against.
-- The one lookup for every writer of production facts (load_facts, the ingest API) and for the admin:
-- the planned-run-time record of that product and unit valid on the day (the latest valid_from on or
-- before it); without one, the product's default; NULL when neither exists, which the writers refuse.
-- A record valid from a later day never applies to an earlier run: a run is measured against what was
-- planned when it ran.
CREATE OR REPLACE FUNCTION mfg_planned_run_time(p_product bigint, p_equipment bigint, p_day date)
RETURNS numeric LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        (SELECT r.pri_seconds FROM ref_planned_run_time r
          WHERE r.product_id = p_product AND r.equipment_id = p_equipment AND r.valid_from <= p_day
          ORDER BY r.valid_from DESC LIMIT 1),
        (SELECT p.default_pri_seconds FROM dim_product p WHERE p.id = p_product))
$$;
