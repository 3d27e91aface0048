-- agg_time_model_refresh, version 1: the time model's pass with time_model_select version 3 (as
-- agg_time_model version 1 created it), and every day invalidated so the next pass recomputes it.
CREATE OR REPLACE FUNCTION agg_time_model_refresh(rebuild boolean DEFAULT false,
                                                  OUT invalidations bigint, OUT rows_deleted bigint,
                                                  OUT rows_written bigint)
LANGUAGE sql AS $function$
    SELECT * FROM mfg_day_aggregate_pass('agg_time_model', $select$WITH work_unit AS (
    -- A unit's occurrences start on the production day of its first fact (an index probe per unit).
    SELECT e.id AS equipment_id, greatest(mfg_production_date(f.first_start), e.commissioned_on) AS first_day,
           e.decommissioned_on
      FROM dim_equipment AS e
     CROSS JOIN LATERAL (
            SELECT least((SELECT min(p.started_at) FROM fact_production AS p WHERE p.equipment_id = e.id),
                         (SELECT min(d.started_at) FROM fact_downtime AS d WHERE d.equipment_id = e.id)) AS first_start
           ) AS f
     WHERE f.first_start IS NOT NULL
),
unit_occurrence AS (
    SELECT u.equipment_id, o.date_key, o.shift_id, o.production_date, o.break_seconds,
           extract(epoch FROM least(upper(o.occurrence), now()) - lower(o.occurrence)) AS pot
      FROM work_unit AS u
      JOIN mv_shift_occurrence AS o
        ON o.production_date >= u.first_day
       AND (u.decommissioned_on IS NULL OR o.production_date < u.decommissioned_on)
     WHERE lower(o.occurrence) < now() AND o.production_date >= $1
),
span AS (
    -- Every downtime (with its rank: planned downtime 1 > delay 2 > setup 3 > idle 4) and every
    -- production run (rank 5), open stops running to now, everything cut at now.
    SELECT d.equipment_id, r.rank, r.is_minor_stop AS minor, d.started_at AS lo,
           least(coalesce(d.ended_at, now()), now()) AS hi
      FROM fact_downtime AS d
      JOIN (SELECT id, is_minor_stop,
                   CASE time_category WHEN 'planned_downtime' THEN 1 WHEN 'delay' THEN 2
                                      WHEN 'setup' THEN 3 WHEN 'idle' THEN 4 END AS rank
              FROM dim_downtime_reason WHERE time_category <> '') AS r ON r.id = d.reason_id
     WHERE d.started_at < now() AND (d.ended_at IS NULL OR d.ended_at > $2)
    UNION ALL
    SELECT p.equipment_id, 5, false, p.started_at, least(p.ended_at, now())
      FROM fact_production AS p
     WHERE p.started_at < now() AND p.ended_at > $2
),
located AS NOT MATERIALIZED (
    SELECT s.*, h.date_key, h.shift_id, h.is_owner, h.ends_at AS segment_end
      FROM span AS s
      LEFT JOIN mv_shift_segment_hour AS h
        ON h.hour = date_bin(interval '1 hour', s.lo, timestamptz 'epoch') AND h.starts_at <= s.lo AND s.lo < h.ends_at
       -- Only the index's hours from the window on: a span that starts earlier and reaches into the
       -- window finds no segment and is cut occurrence by occurrence below.
       AND h.hour > $2 - interval '1 hour'
),
piece AS (
    -- A span inside one calendar segment lies whole in each occurrence covering the segment; a span
    -- that crosses a segment end (or starts outside every shift) is cut to each occurrence it overlaps.
    SELECT l.equipment_id, l.date_key, l.shift_id, l.rank, l.minor, l.lo, l.hi
      FROM located AS l
     WHERE l.hi <= l.segment_end
    UNION ALL
    SELECT l.equipment_id, o.date_key, o.shift_id, l.rank, l.minor,
           greatest(l.lo, lower(o.occurrence)), least(l.hi, upper(o.occurrence))
      FROM located AS l
     CROSS JOIN LATERAL generate_series(0, mfg_production_date(l.hi) - mfg_production_date(l.lo) + 1) AS g(n)
      JOIN mv_shift_occurrence AS o
        ON o.production_date = mfg_production_date(l.lo) - 1 + g.n AND o.occurrence && tstzrange(l.lo, l.hi)
     WHERE (l.segment_end IS NULL OR l.hi > l.segment_end) AND coalesce(l.is_owner, true)
),
swept AS (
    -- Per occurrence, in order of start: the latest end so far of the spans of rank <= k (m1..m5),
    -- and of planned downtime and minor stops (mm). The part of a span after that end is what it adds
    -- to the union of those ranks, so the union's length is a sum and no instant counts twice.
    SELECT p.*,
           max(p.hi) FILTER (WHERE p.rank = 1) OVER earlier AS m1,
           max(p.hi) FILTER (WHERE p.rank <= 2) OVER earlier AS m2,
           max(p.hi) FILTER (WHERE p.rank <= 3) OVER earlier AS m3,
           max(p.hi) FILTER (WHERE p.rank <= 4) OVER earlier AS m4,
           max(p.hi) OVER earlier AS m5,
           max(p.hi) FILTER (WHERE p.rank = 1 OR p.minor) OVER earlier AS mm
      FROM piece AS p
    WINDOW earlier AS (PARTITION BY p.equipment_id, p.date_key, p.shift_id ORDER BY p.lo
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
covered AS (
    -- u1..u5: seconds covered by the spans of rank <= k; um: by planned downtime or minor stops.
    SELECT w.equipment_id, w.date_key, w.shift_id,
           extract(epoch FROM coalesce(sum(greatest(w.hi - greatest(w.lo, w.m1), interval '0'))
                                       FILTER (WHERE w.rank = 1), interval '0')) AS u1,
           extract(epoch FROM coalesce(sum(greatest(w.hi - greatest(w.lo, w.m2), interval '0'))
                                       FILTER (WHERE w.rank <= 2), interval '0')) AS u2,
           extract(epoch FROM coalesce(sum(greatest(w.hi - greatest(w.lo, w.m3), interval '0'))
                                       FILTER (WHERE w.rank <= 3), interval '0')) AS u3,
           extract(epoch FROM coalesce(sum(greatest(w.hi - greatest(w.lo, w.m4), interval '0'))
                                       FILTER (WHERE w.rank <= 4), interval '0')) AS u4,
           extract(epoch FROM coalesce(sum(greatest(w.hi - greatest(w.lo, w.m5), interval '0')), interval '0')) AS u5,
           extract(epoch FROM coalesce(sum(greatest(w.hi - greatest(w.lo, w.mm), interval '0'))
                                       FILTER (WHERE w.rank = 1 OR w.minor), interval '0')) AS um
      FROM swept AS w
     GROUP BY w.equipment_id, w.date_key, w.shift_id
),
time_element AS (
    SELECT t.*, least(t.break_seconds - t.break_from_run, t.free) AS break_from_free
      FROM (SELECT uo.equipment_id, uo.date_key, uo.shift_id, uo.production_date, uo.break_seconds, uo.pot,
                   coalesce(c.u1, 0) AS planned, coalesce(c.u2 - c.u1, 0) AS delay,
                   coalesce(c.um - c.u1, 0) AS minor_stop,
                   coalesce(c.u3 - c.u2, 0) AS setup, coalesce(c.u4 - c.u3, 0) AS idle, coalesce(c.u5 - c.u4, 0) AS run,
                   uo.pot - coalesce(c.u5, 0) AS free,
                   least(uo.break_seconds, coalesce(c.u5 - c.u4, 0)) AS break_from_run
              FROM unit_occurrence AS uo
              LEFT JOIN covered AS c USING (equipment_id, date_key, shift_id)) AS t
),
run_start AS (
    SELECT p.equipment_id, p.produced_qty, p.good_qty, p.scrap_qty, p.rework_qty, p.planned_scrap_qty, p.pri_seconds,
           coalesce(h.date_key, mfg_date_key(mfg_production_date(p.started_at))) AS date_key,
           coalesce(h.shift_id, 0) AS shift_id,
           coalesce(h.production_date, mfg_production_date(p.started_at)) AS production_date
      FROM fact_production AS p
      LEFT JOIN mv_shift_segment_hour AS h
        ON h.hour = date_bin(interval '1 hour', p.started_at, timestamptz 'epoch')
       AND h.starts_at <= p.started_at AND p.started_at < h.ends_at AND h.is_owner AND h.hour > $2 - interval '1 hour'
     WHERE p.started_at >= $2
),
run_quantity AS (
    SELECT equipment_id, date_key, shift_id, min(production_date) AS production_date,
           count(*) AS runs,
           sum(produced_qty) AS pq, sum(good_qty) AS gq, sum(scrap_qty) AS sq, sum(rework_qty) AS rq,
           sum(planned_scrap_qty) AS psq,
           sum(pri_seconds * produced_qty) AS pri_pq_s, sum(pri_seconds * good_qty) AS pri_gq_s
      FROM run_start
     GROUP BY equipment_id, date_key, shift_id
),
production_order AS (
    -- Orders whose first run starts in the window (an order begun earlier belongs to an earlier day).
    SELECT p.equipment_id, min(p.started_at) AS started_at, max(p.ended_at) - min(p.started_at) AS elapsed,
           sum(p.produced_qty) AS qty
      FROM fact_production AS p
     WHERE p.started_at >= $2
       AND (p.order_number = '' OR NOT EXISTS (SELECT FROM fact_production AS e
                                                WHERE e.equipment_id = p.equipment_id
                                                  AND e.order_number = p.order_number AND e.started_at < $2))
     GROUP BY p.equipment_id, p.order_number, CASE WHEN p.order_number = '' THEN p.id END
),
order_start AS (
    SELECT po.equipment_id,
           coalesce(h.date_key, mfg_date_key(mfg_production_date(po.started_at))) AS date_key,
           coalesce(h.shift_id, 0) AS shift_id,
           coalesce(h.production_date, mfg_production_date(po.started_at)) AS production_date,
           count(*) AS orders, extract(epoch FROM sum(po.elapsed)) AS aoet_s, sum(po.qty) AS order_pq
      FROM production_order AS po
      LEFT JOIN mv_shift_segment_hour AS h
        ON h.hour = date_bin(interval '1 hour', po.started_at, timestamptz 'epoch')
       AND h.starts_at <= po.started_at AND po.started_at < h.ends_at AND h.is_owner AND h.hour > $2 - interval '1 hour'
     GROUP BY 1, 2, 3, 4
),
quantity AS (
    SELECT equipment_id, date_key, shift_id, coalesce(r.production_date, o.production_date) AS production_date,
           r.runs, r.pq, r.gq, r.sq, r.rq, r.psq, r.pri_pq_s, r.pri_gq_s, o.orders, o.aoet_s, o.order_pq
      FROM run_quantity AS r FULL JOIN order_start AS o USING (equipment_id, date_key, shift_id)
)
SELECT equipment_id, date_key, shift_id,
       coalesce(t.production_date, q.production_date) AS production_date,
       coalesce(t.pot, 0) AS pot_s,
       coalesce(t.planned + t.break_from_run + t.break_from_free, 0) AS planned_downtime_s,
       coalesce(t.pot - t.planned - t.break_from_run - t.break_from_free, 0) AS pbt_s,
       coalesce(t.idle + t.free - t.break_from_free, 0) AS adot_s,
       coalesce(t.delay, 0) AS adet_s,
       coalesce(t.minor_stop, 0) AS minor_stop_s,
       coalesce(t.setup, 0) AS aust_s,
       coalesce(t.run - t.break_from_run, 0) AS apt_s,
       coalesce(t.run - t.break_from_run + t.setup, 0) AS aupt_s,
       coalesce(t.run - t.break_from_run + t.setup + t.delay, 0) AS aubt_s,
       coalesce(q.runs, 0) AS runs,
       coalesce(q.pq, 0) AS pq,
       coalesce(q.gq, 0) AS gq,
       coalesce(q.sq, 0) AS sq,
       coalesce(q.rq, 0) AS rq,
       coalesce(q.psq, 0) AS psq,
       coalesce(q.pri_pq_s, 0) AS pri_pq_s,
       coalesce(q.pri_gq_s, 0) AS pri_gq_s,
       coalesce(q.orders, 0) AS orders,
       coalesce(q.aoet_s, 0) AS aoet_s,
       coalesce(q.order_pq, 0) AS order_pq
  FROM time_element AS t
  FULL JOIN quantity AS q USING (equipment_id, date_key, shift_id)
 WHERE coalesce(t.production_date, q.production_date) >= $1
$select$, rebuild)
$function$;
-- A new definition recomputes every day at the next pass.
INSERT INTO agg_day_invalidation (aggregate_name, low_day) VALUES ('agg_time_model', '-infinity');
