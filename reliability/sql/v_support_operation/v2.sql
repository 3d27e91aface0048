-- ISO 14224 operating time of support equipment (equipment that is not a production work unit: pumps,
-- compressors), version 2. Such equipment runs continuously, not by shift, so its operating time is its
-- time in service minus its recorded downtime (every stop, planned or not, open stops running to now).
-- One row per support unit × production day in service (shift_id 0: it runs outside the shift calendar),
-- until decommissioning and only up to now.
--
-- Version 2 changes where the service starts. Support equipment has records only when it stops, so its
-- first record is usually its first failure; version 1 started the service there and so dropped the
-- failure-free time before it (and left out a unit that never stopped), which understated MTBF. Now:
--   * commissioned_on known: from commissioning, but not before the plant's observation starts (the
--     production day of the plant's first production or downtime record: no time is claimed before
--     anything was recorded), whether or not the unit has a record of its own;
--   * commissioned_on unknown: from the production day of the unit's own first record, as before.
-- A plain view: support units are few and their stops fewer, so it is computed when read.
CREATE OR REPLACE VIEW v_support_operation AS
WITH unit AS (
    -- Every unit's first record, each from the (equipment_id, started_at) indexes.
    SELECT e.id AS equipment_id, e.commissioned_on, e.decommissioned_on,
           NOT coalesce(e.is_work_unit, c.is_work_unit, true) AS is_support,
           least((SELECT min(p.started_at) FROM fact_production AS p WHERE p.equipment_id = e.id),
                 (SELECT min(d.started_at) FROM fact_downtime AS d WHERE d.equipment_id = e.id)) AS first_start
      FROM dim_equipment AS e
      LEFT JOIN ref_iso14224_equipment_class AS c ON c.id = e.equipment_class_id
),
observation AS (
    SELECT mfg_production_date(min(first_start)) AS first_day FROM unit
),
support AS (
    SELECT u.equipment_id,
           CASE WHEN u.commissioned_on IS NOT NULL THEN greatest(u.commissioned_on, o.first_day)
                ELSE mfg_production_date(u.first_start)
           END AS first_day,
           u.decommissioned_on
      FROM unit AS u
     CROSS JOIN observation AS o
     WHERE u.is_support AND o.first_day IS NOT NULL
),
service_day AS (
    SELECT s.equipment_id, d.date_key, d.date AS production_date,
           tstzrange((d.date + mfg_production_day_start()) AT TIME ZONE mfg_plant_time_zone(),
                     least((d.date + 1 + mfg_production_day_start()) AT TIME ZONE mfg_plant_time_zone(), now()))
               AS service
      FROM support AS s
      JOIN dim_date AS d
        ON d.date >= s.first_day AND (s.decommissioned_on IS NULL OR d.date < s.decommissioned_on)
     WHERE (d.date + mfg_production_day_start()) AT TIME ZONE mfg_plant_time_zone() < now()
),
down AS (
    SELECT d.equipment_id, range_agg(tstzrange(d.started_at, greatest(d.started_at, coalesce(d.ended_at, now())))) AS spans
      FROM fact_downtime AS d
     WHERE d.equipment_id IN (SELECT equipment_id FROM support)
     GROUP BY d.equipment_id
)
SELECT sd.equipment_id, sd.date_key, 0::bigint AS shift_id, sd.production_date,
       extract(epoch FROM upper(sd.service) - lower(sd.service)) AS in_service_s,
       coalesce(mfg_seconds(dn.spans * tstzmultirange(sd.service)), 0) AS downtime_s,
       extract(epoch FROM upper(sd.service) - lower(sd.service))
           - coalesce(mfg_seconds(dn.spans * tstzmultirange(sd.service)), 0) AS operating_s
  FROM service_day AS sd
  LEFT JOIN down AS dn USING (equipment_id);
