"""SQL of the ISO 22400 time and quantity model (the day-kept table `agg_time_model`; until version 2 the
materialized view `mv_time_model`).

One row per work unit × shift occurrence (equipment × production date × shift) holding sums only,
in seconds and quantities, never ratios, so every roll-up is a ratio of sums. The derivation
(docs/kpi.md, "Time model"):

- POT: the shift occurrence in elapsed time, while the unit is in service (from the production day
  of its first production or downtime record, not before commissioning, until decommissioning) and
  only up to now (the running shift counts so far).
- Downtime (fact_downtime, open stops run to now) and production runs (fact_production) are cut to
  the occurrence window; overlaps are merged so no instant counts twice, with the precedence
  planned downtime > delay (ADET) > setup (AUST) > idle (ADOT) > production run.
- Time in a run that no downtime covers is production time; time covered by nothing is available
  time without an order (ADOT).
- The shift's planned breaks have no position, so they are taken from production time first and
  then from the free time; planned downtime = booked planned downtime + the breaks so taken.
- PBT = POT − planned downtime; APT = production time − breaks taken from it; AUPT = APT + AUST;
  AUBT = AUPT + ADET; ADOT = idle + free time − breaks taken from it, so PBT = AUBT + ADOT exactly.
- Quantities (PQ, GQ, SQ, RQ, PSQ, PRI·PQ, PRI·GQ) go to the occurrence in which the run started; a
  run that starts outside every shift goes to shift_id 0 ("outside the shift calendar") of its
  production day. AOET per production order (first start to last end of the order's runs on the
  unit; a run without an order number is its own order) goes where the order started.

Each constant is one released version; migrations import it, so it is never edited once shipped.
"""

from pathlib import Path

from mfgplatform.aggregates.day_kept import day_aggregate_triggers_sql, drop_day_aggregate_triggers_sql

TIME_MODEL_SELECT_V1 = """
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
"""

TIME_MODEL_V1 = f"""
CREATE MATERIALIZED VIEW mv_time_model AS
{TIME_MODEL_SELECT_V1}
WITH NO DATA;

CREATE UNIQUE INDEX mv_time_model_key ON mv_time_model (date_key, shift_id, equipment_id);
CREATE INDEX mv_time_model_day_idx ON mv_time_model (production_date);
CREATE INDEX mv_time_model_equipment_idx ON mv_time_model (equipment_id, date_key);
"""

DROP_TIME_MODEL_V1 = "DROP MATERIALIZED VIEW IF EXISTS mv_time_model;"


# Version 2: the same rows as version 1, about three times cheaper to refresh. Each fact is joined once
# to the calendar's hour index (mv_shift_segment_hour) instead of being expanded per production day and
# matched against every occurrence of those days; only spans that cross a calendar segment are cut
# occurrence by occurrence. Overlaps are resolved with running maxima per occurrence (window functions)
# instead of multirange unions and differences: the union of the spans of rank <= k is the sum of what
# each span adds after the latest end before it, so each exclusive element is the difference of two
# such sums. Quantities and orders find their occurrence through the same index.
TIME_MODEL_SELECT_V2 = """
WITH work_unit AS (
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
           extract(epoch FROM least(upper(o.occurrence), now()) - lower(o.occurrence)) AS pot
      FROM work_unit AS u
      JOIN mv_shift_occurrence AS o
        ON o.production_date >= u.first_day
       AND (u.decommissioned_on IS NULL OR o.production_date < u.decommissioned_on)
     WHERE lower(o.occurrence) < now()
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
     WHERE d.started_at < now()
    UNION ALL
    SELECT p.equipment_id, 5, false, p.started_at, least(p.ended_at, now())
      FROM fact_production AS p
     WHERE p.started_at < now()
),
located AS NOT MATERIALIZED (
    SELECT s.*, h.date_key, h.shift_id, h.is_owner, h.ends_at AS segment_end
      FROM span AS s
      LEFT JOIN mv_shift_segment_hour AS h
        ON h.hour = date_bin(interval '1 hour', s.lo, timestamptz 'epoch') AND h.starts_at <= s.lo AND s.lo < h.ends_at
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
       AND h.starts_at <= p.started_at AND p.started_at < h.ends_at AND h.is_owner
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
    SELECT equipment_id, min(started_at) AS started_at, max(ended_at) - min(started_at) AS elapsed,
           sum(produced_qty) AS qty
      FROM fact_production
     GROUP BY equipment_id, order_number, CASE WHEN order_number = '' THEN id END
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
       AND h.starts_at <= po.started_at AND po.started_at < h.ends_at AND h.is_owner
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
"""

TIME_MODEL_V2 = f"""
CREATE MATERIALIZED VIEW mv_time_model AS
{TIME_MODEL_SELECT_V2}
WITH NO DATA;

CREATE UNIQUE INDEX mv_time_model_key ON mv_time_model (date_key, shift_id, equipment_id);
CREATE INDEX mv_time_model_day_idx ON mv_time_model (production_date);
CREATE INDEX mv_time_model_equipment_idx ON mv_time_model (equipment_id, date_key);
"""


# Version 3: the SELECT of the day-kept table agg_time_model (mfgplatform.aggregates.day_kept), which replaces
# the materialized view: version 2 restricted to the production days from $1 on, reading only the facts
# that reach into them ($2: the earliest instant an occurrence of those days can start). With
# $1 = -infinity it yields exactly version 2's rows.
TIME_MODEL_SELECT_V3 = """WITH work_unit AS (
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
"""

AGG_TIME_MODEL_V1 = f"""
CREATE TABLE agg_time_model (
    equipment_id bigint NOT NULL,
    date_key integer NOT NULL,
    shift_id bigint NOT NULL,
    production_date date NOT NULL,
    pot_s numeric NOT NULL,
    planned_downtime_s numeric NOT NULL,
    pbt_s numeric NOT NULL,
    adot_s numeric NOT NULL,
    adet_s numeric NOT NULL,
    minor_stop_s numeric NOT NULL,
    aust_s numeric NOT NULL,
    apt_s numeric NOT NULL,
    aupt_s numeric NOT NULL,
    aubt_s numeric NOT NULL,
    runs bigint NOT NULL,
    pq numeric NOT NULL,
    gq numeric NOT NULL,
    sq numeric NOT NULL,
    rq numeric NOT NULL,
    psq numeric NOT NULL,
    pri_pq_s numeric NOT NULL,
    pri_gq_s numeric NOT NULL,
    orders bigint NOT NULL,
    aoet_s numeric NOT NULL,
    order_pq numeric NOT NULL,
    CONSTRAINT agg_time_model_pkey PRIMARY KEY (date_key, shift_id, equipment_id)
);
CREATE INDEX agg_time_model_day_idx ON agg_time_model (production_date);
CREATE INDEX agg_time_model_equipment_idx ON agg_time_model (equipment_id, date_key);
COMMENT ON TABLE agg_time_model IS
    'ISO 22400 time and quantity elements per work unit × shift occurrence (sums); kept by agg_time_model_refresh().';

CREATE FUNCTION agg_time_model_refresh(rebuild boolean DEFAULT false,
                                       OUT invalidations bigint, OUT rows_deleted bigint, OUT rows_written bigint)
LANGUAGE sql AS $function$
    SELECT * FROM mfg_day_aggregate_pass('agg_time_model', $select${TIME_MODEL_SELECT_V3}$select$, rebuild)
$function$;

{day_aggregate_triggers_sql("agg_time_model", ("fact_production", "fact_downtime"),
                            ("dim_equipment", "dim_downtime_reason"))}
"""

DROP_AGG_TIME_MODEL_V1 = f"""
{drop_day_aggregate_triggers_sql("agg_time_model", ("fact_production", "fact_downtime"),
                                 ("dim_equipment", "dim_downtime_reason"))}
DROP FUNCTION IF EXISTS agg_time_model_refresh(boolean);
DROP TABLE IF EXISTS agg_time_model;
"""


# From version 4 on, each SELECT is a file `production/sql/<object>/vN.sql`, read by its migration.
SQL_DIR = Path(__file__).resolve().parent / "sql"


def sql_file(name: str, version: int) -> str:
    """A released SQL version, as shipped in `production/sql/<name>/v<version>.sql`."""
    return (SQL_DIR / name / f"v{version}.sql").read_text()


def agg_time_model_refresh_sql(select_sql: str) -> str:
    """The time model's pass with the given SELECT (the table and its triggers stay)."""
    return f"""
CREATE OR REPLACE FUNCTION agg_time_model_refresh(rebuild boolean DEFAULT false,
                                                  OUT invalidations bigint, OUT rows_deleted bigint,
                                                  OUT rows_written bigint)
LANGUAGE sql AS $function$
    SELECT * FROM mfg_day_aggregate_pass('agg_time_model', $select${select_sql}$select$, rebuild)
$function$;
-- A new definition recomputes every day at the next pass.
INSERT INTO agg_day_invalidation (aggregate_name, low_day) VALUES ('agg_time_model', '-infinity');
"""


# Version 4 reads the shifts' break windows: any change to them recomputes every day.
SHIFT_BREAK_TRIGGERS_V1 = """
CREATE TRIGGER agg_time_model_shift_break AFTER INSERT OR UPDATE OR DELETE ON dim_shift_break
FOR EACH STATEMENT EXECUTE FUNCTION mfg_invalidate_all_days('agg_time_model');
CREATE TRIGGER agg_time_model_shift_break_truncate AFTER TRUNCATE ON dim_shift_break
FOR EACH STATEMENT EXECUTE FUNCTION mfg_invalidate_all_days('agg_time_model');
"""

DROP_SHIFT_BREAK_TRIGGERS_V1 = """
DROP TRIGGER IF EXISTS agg_time_model_shift_break ON dim_shift_break;
DROP TRIGGER IF EXISTS agg_time_model_shift_break_truncate ON dim_shift_break;
"""


def every_day(select_sql: str) -> str:
    """A day-kept SELECT with its bounds opened: every day's rows, straight from the facts."""
    return select_sql.replace("$1", "date '-infinity'").replace("$2", "timestamptz '-infinity'")


TIME_MODEL_SELECT_V4 = sql_file("time_model_select", 4)
TIME_MODEL_SELECT_V5 = sql_file("time_model_select", 5)
