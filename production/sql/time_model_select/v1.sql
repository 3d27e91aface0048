-- time_model_select, version 1: the SELECT of mv_time_model version 1.
WITH as_of AS (SELECT now() AS at),
work_unit AS (
    SELECT f.equipment_id,
           greatest(min(f.first_day), e.commissioned_on) AS first_day,
           e.decommissioned_on
      FROM (SELECT equipment_id, mfg_production_date(min(started_at)) AS first_day
              FROM fact_production GROUP BY equipment_id
            UNION ALL
            SELECT equipment_id, mfg_production_date(min(started_at))
              FROM fact_downtime GROUP BY equipment_id) AS f
      JOIN dim_equipment AS e ON e.id = f.equipment_id
     GROUP BY f.equipment_id, e.commissioned_on, e.decommissioned_on
),
unit_occurrence AS (
    SELECT u.equipment_id, o.date_key, o.shift_id, o.production_date, o.break_seconds,
           tstzrange(lower(o.occurrence), least(upper(o.occurrence), a.at)) AS win
      FROM work_unit AS u
      JOIN mv_shift_occurrence AS o
        ON o.production_date >= u.first_day
       AND (u.decommissioned_on IS NULL OR o.production_date < u.decommissioned_on)
     CROSS JOIN as_of AS a
     WHERE lower(o.occurrence) < a.at
),
downtime AS (
    SELECT d.equipment_id, r.time_category AS kind, r.is_minor_stop,
           tstzrange(d.started_at, greatest(d.started_at, coalesce(d.ended_at, a.at))) AS span
      FROM fact_downtime AS d
      JOIN dim_downtime_reason AS r ON r.id = d.reason_id AND r.time_category <> ''
     CROSS JOIN as_of AS a
),
interval_day AS (
    -- Each interval once per production day it can fall in: an occurrence of day D starts in D
    -- and may run into D + 1, so the days from (first day − 1) to the last day.
    SELECT x.*, x.first_day - 1 + g.n AS day
      FROM (SELECT i.*, mfg_production_date(lower(i.span)) AS first_day,
                   mfg_production_date(upper(i.span)) AS last_day
              FROM (SELECT equipment_id, kind, is_minor_stop, span FROM downtime
                    UNION ALL
                    SELECT equipment_id, 'run', false, tstzrange(started_at, ended_at) FROM fact_production) AS i
           ) AS x
     CROSS JOIN LATERAL generate_series(0, x.last_day - x.first_day + 1) AS g(n)
      JOIN work_unit AS u ON u.equipment_id = x.equipment_id
     WHERE x.first_day - 1 + g.n >= u.first_day
       AND (u.decommissioned_on IS NULL OR x.first_day - 1 + g.n < u.decommissioned_on)
),
piece AS (
    -- Cut to the shift windows (and to now); pieces outside a unit's service period drop out
    -- when they are joined to the unit's occurrences below.
    SELECT x.equipment_id, o.date_key, o.shift_id, x.kind, x.is_minor_stop,
           x.span * o.occurrence * tstzrange(NULL, a.at) AS piece
      FROM interval_day AS x
      JOIN mv_shift_occurrence AS o ON o.production_date = x.day AND o.occurrence && x.span
     CROSS JOIN as_of AS a
     WHERE lower(o.occurrence) < a.at
),
booked AS (
    SELECT uo.equipment_id, uo.date_key, uo.shift_id, uo.production_date, uo.break_seconds, uo.win,
           coalesce(range_agg(p.piece) FILTER (WHERE p.kind = 'planned_downtime'), '{}') AS planned,
           coalesce(range_agg(p.piece) FILTER (WHERE p.kind = 'delay'), '{}') AS delay,
           coalesce(range_agg(p.piece) FILTER (WHERE p.kind = 'delay' AND p.is_minor_stop), '{}') AS minor_stop,
           coalesce(range_agg(p.piece) FILTER (WHERE p.kind = 'setup'), '{}') AS setup,
           coalesce(range_agg(p.piece) FILTER (WHERE p.kind = 'idle'), '{}') AS idle,
           coalesce(range_agg(p.piece) FILTER (WHERE p.kind = 'run'), '{}') AS run
      FROM unit_occurrence AS uo
      LEFT JOIN piece AS p USING (equipment_id, date_key, shift_id)
     GROUP BY uo.equipment_id, uo.date_key, uo.shift_id, uo.production_date, uo.break_seconds, uo.win
),
exclusive AS (
    -- Lengths of the disjoint sets, in one pass over their ranges (cheaper than six function calls).
    SELECT b.equipment_id, b.date_key, b.shift_id, b.production_date, b.break_seconds,
           extract(epoch FROM upper(b.win) - lower(b.win)) AS pot, l.*
      FROM booked AS b
     CROSS JOIN LATERAL (
            SELECT coalesce(sum(s.len) FILTER (WHERE s.kind = 1), 0) AS planned,
                   coalesce(sum(s.len) FILTER (WHERE s.kind = 2), 0) AS delay,
                   coalesce(sum(s.len) FILTER (WHERE s.kind = 3), 0) AS minor_stop,
                   coalesce(sum(s.len) FILTER (WHERE s.kind = 4), 0) AS setup,
                   coalesce(sum(s.len) FILTER (WHERE s.kind = 5), 0) AS idle,
                   coalesce(sum(s.len) FILTER (WHERE s.kind = 6), 0) AS run
              FROM (SELECT k.kind, extract(epoch FROM upper(r) - lower(r)) AS len
                      FROM (VALUES (1, b.planned), (2, b.delay - b.planned), (3, b.minor_stop - b.planned),
                                   (4, b.setup - b.planned - b.delay),
                                   (5, b.idle - b.planned - b.delay - b.setup),
                                   (6, b.run - b.planned - b.delay - b.setup - b.idle)) AS k(kind, ranges)
                     CROSS JOIN LATERAL unnest(k.ranges) AS r) AS s
           ) AS l
),
with_free AS (
    SELECT e.*, e.pot - e.planned - e.delay - e.setup - e.idle - e.run AS free,
           least(e.break_seconds, e.run) AS break_from_run
      FROM exclusive AS e
),
time_element AS (
    SELECT w.*, least(w.break_seconds - w.break_from_run, w.free) AS break_from_free
      FROM with_free AS w
),
run_occurrence AS (
    SELECT p.equipment_id, p.started_at, p.ended_at, p.produced_qty, p.good_qty, p.scrap_qty, p.rework_qty,
           p.planned_scrap_qty, p.pri_seconds,
           coalesce(o.date_key, mfg_date_key(mfg_production_date(p.started_at))) AS date_key,
           coalesce(o.shift_id, 0) AS shift_id,
           coalesce(o.production_date, mfg_production_date(p.started_at)) AS production_date,
           row_number() OVER run_order = 1 AS starts_order,
           extract(epoch FROM max(p.ended_at) OVER whole_order - min(p.started_at) OVER whole_order) AS order_seconds,
           sum(p.produced_qty) OVER whole_order AS order_qty
      FROM fact_production AS p
      LEFT JOIN LATERAL (
            SELECT so.date_key, so.shift_id, so.production_date
              FROM mv_shift_occurrence AS so
             WHERE so.production_date IN (mfg_production_date(p.started_at), mfg_production_date(p.started_at) - 1)
               AND so.occurrence @> p.started_at
             ORDER BY lower(so.occurrence), so.shift_id
             LIMIT 1
           ) AS o ON true
    WINDOW whole_order AS (PARTITION BY p.equipment_id, coalesce(nullif(p.order_number, ''), 'run ' || p.id)),
           run_order AS (PARTITION BY p.equipment_id, coalesce(nullif(p.order_number, ''), 'run ' || p.id)
                         ORDER BY p.started_at, p.id)
),
quantity AS (
    SELECT equipment_id, date_key, shift_id, production_date,
           count(*) AS runs,
           sum(produced_qty) AS pq, sum(good_qty) AS gq, sum(scrap_qty) AS sq, sum(rework_qty) AS rq,
           sum(planned_scrap_qty) AS psq,
           sum(pri_seconds * produced_qty) AS pri_pq_s, sum(pri_seconds * good_qty) AS pri_gq_s,
           count(*) FILTER (WHERE starts_order) AS orders,
           coalesce(sum(order_seconds) FILTER (WHERE starts_order), 0) AS aoet_s,
           coalesce(sum(order_qty) FILTER (WHERE starts_order), 0) AS order_pq
      FROM run_occurrence
     GROUP BY equipment_id, date_key, shift_id, production_date
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
