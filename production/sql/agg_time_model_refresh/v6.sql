-- agg_time_model_refresh, version 6: the pass with time_model_select version 8 (version 7's rows, cheaper for
-- a recent window). The rows are the same, so no day is invalidated.
CREATE OR REPLACE FUNCTION agg_time_model_refresh(rebuild boolean DEFAULT false,
                                                  OUT invalidations bigint, OUT rows_deleted bigint,
                                                  OUT rows_written bigint)
LANGUAGE sql AS $function$
    SELECT * FROM mfg_day_aggregate_pass('agg_time_model', $select$-- ISO 22400 time and quantity model, version 8: the SELECT of the day-kept table agg_time_model
-- ($1: the first production day to compute, $2: the earliest instant an occurrence of that day or a
-- later one can start; both -infinity for every day).
--
-- Changes from version 7: the same rows, cheaper to compute for a recent window (a scheduled pass
-- recomputes the running day): the calendar's hour index is read up to now for the stops and runs cut
-- at now, and up to the latest run's end for the runs and orders (version 7 hashed every hour from the
-- window's start to the end of the calendar, years ahead); the occurrences are read up to the production
-- day of now (an occurrence of a later day starts later); an order's earlier runs are probed per order
-- (an anti-join on the unit × order × start index) instead of hashing every run before the window, and
-- the runs whose orders start in the window are found by their end (the index on ended_at).
--
-- Version 7's header follows.
--
-- Changes from version 6: off-shift activity gets an explicit unscheduled occurrence (shift 0,
-- "Unscheduled"), so numerator and denominator always cover the same time (docs/kpi.md, "Unscheduled
-- occurrence"). Per work unit and production day D with a part of a run outside every shift
-- occurrence (an off-shift run piece):
--   W = [start of the first off-shift run piece of D, end of the last one], minus every occurrence
--       (the off-shift time of D: its instants in no occurrence), cut at now;
--   POT = |W|, no breaks; within W stops and runs are classified as in an occurrence (planned
--       downtime > delay > setup > idle > run), time nothing covers is ADOT;
--   a run's quantities are prorated by its overlap with each occurrence and with each production
--       day's off-shift time (version 6: the whole off-shift part to the day the run started in).
-- Stops alone outside every occurrence make no unscheduled occurrence.
-- Everything else is version 6's.
--
-- Version 6 computed the part of a run outside every occurrence from its seconds outside over its
-- length, not 1 minus the prorated shares. Version 5 prorated a run's quantities (PQ, GQ, SQ, RQ, PSQ,
-- PRI·PQ, PRI·GQ) by the run's overlap with each shift occurrence its instants belong to (the owner
-- occurrence where shift patterns overlap), so PQ and APT cover the same period; `runs` counts a run
-- where it starts. The time elements of an occurrence are version 4's (positioned breaks): a break
-- window is planned downtime where the unit did not run; time the unit actually ran through a break (a
-- run no stop covers) is production time; a stop inside a break window is planned downtime (the break
-- outranks every stop, a run outranks the bare break). Elsewhere the precedence is planned downtime >
-- delay > setup > idle > run.
--
-- With B the union of the occurrence's break windows and U_k the union of the spans of rank <= k
-- (planned 1, delay 2, setup 3, idle 4, run 5):
--   delay = |U2 ∪ B| - |U1 ∪ B|, setup = |U3 ∪ B| - |U2 ∪ B|, idle = |U4 ∪ B| - |U3 ∪ B|,
--   run = |U5| - |U4| (run no stop covers, breaks included), free = POT - |U5 ∪ B|,
--   planned = POT - delay - setup - idle - run - free,
-- each union's length a sum of what each span adds after the latest end before it (running maxima).
WITH work_unit AS (
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
run_located AS (
    -- Every run that reaches into the window (a zero-length run counts where it starts), with the
    -- calendar segment of its start and the occurrence that owns it (none: outside every shift, or
    -- before the window).
    SELECT p.id, p.equipment_id, p.started_at AS lo, p.ended_at AS hi,
           extract(epoch FROM p.ended_at - p.started_at) AS seconds,
           p.produced_qty, p.good_qty, p.scrap_qty, p.rework_qty, p.planned_scrap_qty, p.pri_seconds,
           h.date_key, h.shift_id, h.production_date, h.ends_at AS segment_end
      FROM fact_production AS p
      LEFT JOIN mv_shift_segment_hour AS h
        ON h.hour = date_bin(interval '1 hour', p.started_at, timestamptz 'epoch')
       AND h.starts_at <= p.started_at AND p.started_at < h.ends_at AND h.is_owner
       AND h.hour > $2 - interval '1 hour' AND h.hour <= (SELECT max(e.ended_at) FROM fact_production AS e)
     WHERE p.ended_at >= $2
),
off_shift_day AS (
    -- The production days that a run not wholly inside its start's segment reaches into: only there
    -- can a run have a part outside every occurrence.
    SELECT DISTINCT mfg_production_date(r.lo) + n.n AS day
      FROM run_located AS r
     CROSS JOIN LATERAL generate_series(0, mfg_production_date(r.hi) - mfg_production_date(r.lo)) AS n(n)
     WHERE (r.segment_end IS NULL OR r.hi > r.segment_end) AND r.seconds > 0
),
occupied AS (
    -- The occurrences reaching into each of those days (an occurrence of day D starts in D and lasts
    -- at most a day, so only D's and D - 1's), cut to the day, and a zero-length mark at the day's end.
    SELECT w.day, w.lo AS day_lo, greatest(lower(o.occurrence), w.lo) AS lo, least(upper(o.occurrence), w.hi) AS hi
      FROM (SELECT d.day, (d.day + mfg_production_day_start()) AT TIME ZONE mfg_plant_time_zone() AS lo,
                   (d.day + 1 + mfg_production_day_start()) AT TIME ZONE mfg_plant_time_zone() AS hi
              FROM off_shift_day AS d) AS w
      JOIN mv_shift_occurrence AS o
        ON o.production_date IN (w.day - 1, w.day) AND o.occurrence && tstzrange(w.lo, w.hi)
    UNION ALL
    SELECT d.day, w.lo, w.hi, w.hi
      FROM off_shift_day AS d
     CROSS JOIN LATERAL (SELECT (d.day + mfg_production_day_start()) AT TIME ZONE mfg_plant_time_zone() AS lo,
                                (d.day + 1 + mfg_production_day_start()) AT TIME ZONE mfg_plant_time_zone() AS hi) AS w
),
off_shift AS (
    -- The off-shift time of each day: the gaps between the occurrences (in order of start, each gap
    -- runs from the latest end so far to the next start).
    SELECT g.day, g.lo, g.hi
      FROM (SELECT o.day, coalesce(max(o.hi) OVER earlier, o.day_lo) AS lo, o.lo AS hi
              FROM occupied AS o
            WINDOW earlier AS (PARTITION BY o.day ORDER BY o.lo, o.hi
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) AS g
     WHERE g.hi > g.lo
),
off_shift_piece AS (
    -- The off-shift run pieces: each run cut to the off-shift time of every day it reaches into.
    SELECT r.id, r.equipment_id, s.day, greatest(r.lo, s.lo) AS lo, least(r.hi, s.hi) AS hi,
           (s.lo <= r.lo) AS starts_here
      FROM run_located AS r
     CROSS JOIN LATERAL generate_series(0, mfg_production_date(r.hi) - mfg_production_date(r.lo)) AS n(n)
      JOIN off_shift AS s
        ON s.day = mfg_production_date(r.lo) + n.n AND s.lo < r.hi AND r.lo < s.hi
     WHERE (r.segment_end IS NULL OR r.hi > r.segment_end) AND r.seconds > 0
),
unscheduled_window AS (
    -- The unscheduled occurrence of a unit and day: the off-shift time from the start of its first
    -- off-shift run piece to the end of its last, cut at now (one interval per gap it reaches into).
    SELECT h.equipment_id, h.day, greatest(s.lo, h.lo) AS lo, least(s.hi, h.hi) AS hi
      FROM (SELECT equipment_id, day, min(lo) AS lo, least(max(hi), now()) AS hi
              FROM off_shift_piece
             WHERE lo < now()
             GROUP BY equipment_id, day) AS h
      JOIN off_shift AS s ON s.day = h.day AND s.lo < h.hi AND h.lo < s.hi
),
crossing_share AS (
    -- A run that leaves its start's segment (rare: runs seldom span a shift change) is cut at the owned
    -- segments it overlaps, each listed once (at the hour its overlap with the run starts).
    SELECT r.id, h.date_key, h.shift_id, h.production_date,
           extract(epoch FROM least(r.hi, h.ends_at) - greatest(r.lo, h.starts_at)) AS overlap_s,
           (h.starts_at <= r.lo AND r.lo < h.ends_at)::int AS starts_here
      FROM run_located AS r
      JOIN mv_shift_segment_hour AS h
        ON h.hour >= date_bin(interval '1 hour', r.lo, timestamptz 'epoch') AND h.hour < r.hi
       AND h.hour = date_bin(interval '1 hour', greatest(h.starts_at, r.lo), timestamptz 'epoch')
       AND h.starts_at < r.hi AND r.lo < h.ends_at AND h.is_owner
     WHERE (r.segment_end IS NULL OR r.hi > r.segment_end) AND r.seconds > 0
),
unit_occurrence AS (
    SELECT u.equipment_id, o.date_key, o.shift_id, o.production_date,
           extract(epoch FROM least(upper(o.occurrence), now()) - lower(o.occurrence)) AS pot
      FROM work_unit AS u
      JOIN mv_shift_occurrence AS o
        ON o.production_date >= u.first_day
       AND (u.decommissioned_on IS NULL OR o.production_date < u.decommissioned_on)
     WHERE lower(o.occurrence) < now() AND o.production_date >= $1
       AND o.production_date <= mfg_production_date(now())
),
break_window AS (
    -- Each occurrence's break windows: the local wall-clock start on the day the occurrence starts (the
    -- next day when earlier than the shift's start), plus the length in elapsed minutes; cut to the
    -- occurrence and to now (calendar.break_window computes the same in Python).
    SELECT b.date_key, b.shift_id, greatest(b.lo, lower(b.occurrence)) AS lo,
           least(b.lo + make_interval(mins => b.minutes), upper(b.occurrence), now()) AS hi
      FROM (SELECT o.date_key, o.shift_id, o.occurrence, sb.minutes,
                   ((lower(o.occurrence) AT TIME ZONE mfg_plant_time_zone())::date
                    + CASE WHEN sb.start_time < s.start_time THEN 1 ELSE 0 END + sb.start_time)
                       AT TIME ZONE mfg_plant_time_zone() AS lo
              FROM mv_shift_occurrence AS o
              JOIN dim_shift AS s ON s.id = o.shift_id
              JOIN dim_shift_break AS sb ON sb.shift_id = o.shift_id
             WHERE lower(o.occurrence) < now() AND o.production_date >= $1
               AND o.production_date <= mfg_production_date(now())) AS b
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
       -- window finds no segment and is cut occurrence by occurrence below. Every span starts before now.
       AND h.hour > $2 - interval '1 hour' AND h.hour <= now()
),
crossing AS MATERIALIZED (
    -- The spans that cross their start's segment end or start outside every shift (few), once each.
    SELECT l.equipment_id, l.rank, l.minor, l.lo, l.hi
      FROM located AS l
     WHERE (l.segment_end IS NULL OR l.hi > l.segment_end) AND coalesce(l.is_owner, true)
),
piece AS (
    -- A span inside one calendar segment lies whole in each occurrence covering the segment; a span
    -- that crosses a segment end (or starts outside every shift) is cut to each occurrence it overlaps
    -- and to the unit's unscheduled occurrence of each day it reaches into (shift 0; a span inside a
    -- segment lies inside an occurrence, so never in an unscheduled one).
    SELECT l.equipment_id, l.date_key, l.shift_id, l.rank, l.minor, l.lo, l.hi
      FROM located AS l
     WHERE l.hi <= l.segment_end
    UNION ALL
    SELECT c.equipment_id, o.date_key, o.shift_id, c.rank, c.minor,
           greatest(c.lo, lower(o.occurrence)), least(c.hi, upper(o.occurrence))
      FROM crossing AS c
     CROSS JOIN LATERAL generate_series(0, mfg_production_date(c.hi) - mfg_production_date(c.lo) + 1) AS g(n)
      JOIN mv_shift_occurrence AS o
        ON o.production_date = mfg_production_date(c.lo) - 1 + g.n AND o.occurrence && tstzrange(c.lo, c.hi)
    UNION ALL
    SELECT c.equipment_id, mfg_date_key(w.day), 0, c.rank, c.minor, greatest(c.lo, w.lo), least(c.hi, w.hi)
      FROM crossing AS c
     CROSS JOIN LATERAL generate_series(0, mfg_production_date(c.hi) - mfg_production_date(c.lo)) AS g(n)
      JOIN unscheduled_window AS w
        ON w.equipment_id = c.equipment_id AND w.day = mfg_production_date(c.lo) + g.n
       AND w.lo < c.hi AND c.lo < w.hi

    UNION ALL
    -- The breaks of each of the unit's occurrences (rank 0; the unscheduled occurrence has none).
    SELECT uo.equipment_id, uo.date_key, uo.shift_id, 0, false, bw.lo, bw.hi
      FROM unit_occurrence AS uo
      JOIN break_window AS bw USING (date_key, shift_id)
     WHERE bw.hi > bw.lo
),
swept AS (
    -- Per occurrence, in order of start: the latest end so far of the spans of rank <= k with the
    -- breaks (b1..b5), of the stops alone (m4), of the stops and runs (m5), and of breaks, planned
    -- downtime and minor stops (mm). The part of a span after that end is what it adds to the union
    -- of those spans, so each union's length is a sum and no instant counts twice.
    SELECT p.*,
           max(p.hi) FILTER (WHERE p.rank <= 1) OVER earlier AS b1,
           max(p.hi) FILTER (WHERE p.rank <= 2) OVER earlier AS b2,
           max(p.hi) FILTER (WHERE p.rank <= 3) OVER earlier AS b3,
           max(p.hi) FILTER (WHERE p.rank <= 4) OVER earlier AS b4,
           max(p.hi) OVER earlier AS b5,
           max(p.hi) FILTER (WHERE p.rank BETWEEN 1 AND 4) OVER earlier AS m4,
           max(p.hi) FILTER (WHERE p.rank >= 1) OVER earlier AS m5,
           max(p.hi) FILTER (WHERE p.rank <= 1 OR p.minor) OVER earlier AS mm
      FROM piece AS p
    WINDOW earlier AS (PARTITION BY p.equipment_id, p.date_key, p.shift_id ORDER BY p.lo
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
covered AS (
    -- Seconds covered by: ub1..ub5 the spans of rank <= k and the breaks; u4 the stops; u5 the stops
    -- and runs; um the breaks, planned downtime and minor stops.
    SELECT w.equipment_id, w.date_key, w.shift_id,
           extract(epoch FROM coalesce(sum(greatest(w.hi - greatest(w.lo, w.b1), interval '0'))
                                       FILTER (WHERE w.rank <= 1), interval '0')) AS ub1,
           extract(epoch FROM coalesce(sum(greatest(w.hi - greatest(w.lo, w.b2), interval '0'))
                                       FILTER (WHERE w.rank <= 2), interval '0')) AS ub2,
           extract(epoch FROM coalesce(sum(greatest(w.hi - greatest(w.lo, w.b3), interval '0'))
                                       FILTER (WHERE w.rank <= 3), interval '0')) AS ub3,
           extract(epoch FROM coalesce(sum(greatest(w.hi - greatest(w.lo, w.b4), interval '0'))
                                       FILTER (WHERE w.rank <= 4), interval '0')) AS ub4,
           extract(epoch FROM coalesce(sum(greatest(w.hi - greatest(w.lo, w.b5), interval '0')), interval '0')) AS ub5,
           extract(epoch FROM coalesce(sum(greatest(w.hi - greatest(w.lo, w.m4), interval '0'))
                                       FILTER (WHERE w.rank BETWEEN 1 AND 4), interval '0')) AS u4,
           extract(epoch FROM coalesce(sum(greatest(w.hi - greatest(w.lo, w.m5), interval '0'))
                                       FILTER (WHERE w.rank >= 1), interval '0')) AS u5,
           extract(epoch FROM coalesce(sum(greatest(w.hi - greatest(w.lo, w.mm), interval '0'))
                                       FILTER (WHERE w.rank <= 1 OR w.minor), interval '0')) AS um
      FROM swept AS w
     GROUP BY w.equipment_id, w.date_key, w.shift_id
),
time_element AS (
    SELECT t.*, t.pot - t.delay - t.setup - t.idle - t.run - t.free AS planned
      FROM (SELECT uo.equipment_id, uo.date_key, uo.shift_id, uo.production_date, uo.pot,
                   coalesce(c.ub2 - c.ub1, 0) AS delay, coalesce(c.um - c.ub1, 0) AS minor_stop,
                   coalesce(c.ub3 - c.ub2, 0) AS setup, coalesce(c.ub4 - c.ub3, 0) AS idle,
                   coalesce(c.u5 - c.u4, 0) AS run, uo.pot - coalesce(c.ub5, 0) AS free
              FROM (SELECT equipment_id, date_key, shift_id, production_date, pot FROM unit_occurrence
                    UNION ALL
                    -- the unscheduled occurrences: POT = |W|
                    SELECT equipment_id, mfg_date_key(day), 0, day, sum(extract(epoch FROM hi - lo))
                      FROM unscheduled_window
                     WHERE day >= $1
                     GROUP BY equipment_id, day) AS uo
              LEFT JOIN covered AS c USING (equipment_id, date_key, shift_id)) AS t
),
run_share AS (
    -- (run, occurrence, share of the run, 1 where the run starts): a run inside its start's segment
    -- whole; a crossing run by its overlaps with the occurrences; its off-shift pieces by their
    -- length, to the unscheduled occurrence (shift 0) of the production day each lies in (a run always
    -- has a length: fact_production_end_after_start).
    SELECT r.equipment_id, r.date_key, r.shift_id, r.production_date, 1::numeric AS share, 1 AS starts_here,
           r.produced_qty, r.good_qty, r.scrap_qty, r.rework_qty, r.planned_scrap_qty, r.pri_seconds
      FROM run_located AS r
     WHERE r.hi <= r.segment_end
    UNION ALL
    SELECT r.equipment_id, c.date_key, c.shift_id, c.production_date, c.overlap_s / r.seconds, c.starts_here,
           r.produced_qty, r.good_qty, r.scrap_qty, r.rework_qty, r.planned_scrap_qty, r.pri_seconds
      FROM crossing_share AS c
      JOIN run_located AS r USING (id)
    UNION ALL
    SELECT r.equipment_id, mfg_date_key(p.day), 0, p.day, p.seconds / r.seconds, p.starts_here,
           r.produced_qty, r.good_qty, r.scrap_qty, r.rework_qty, r.planned_scrap_qty, r.pri_seconds
      FROM (SELECT id, day, sum(extract(epoch FROM hi - lo)) AS seconds, max(starts_here::int) AS starts_here
              FROM off_shift_piece GROUP BY id, day) AS p
      JOIN run_located AS r USING (id)
),
run_quantity AS (
    SELECT equipment_id, date_key, shift_id, min(production_date) AS production_date,
           sum(starts_here) AS runs,
           sum(share * produced_qty) AS pq, sum(share * good_qty) AS gq, sum(share * scrap_qty) AS sq,
           sum(share * rework_qty) AS rq, sum(share * planned_scrap_qty) AS psq,
           sum(share * pri_seconds * produced_qty) AS pri_pq_s,
           sum(share * pri_seconds * good_qty) AS pri_gq_s
      FROM run_share
     GROUP BY equipment_id, date_key, shift_id
),
production_order AS (
    -- Orders whose first run starts in the window (an order begun earlier belongs to an earlier day).
    SELECT p.equipment_id, min(p.started_at) AS started_at, max(p.ended_at) - min(p.started_at) AS elapsed,
           sum(p.produced_qty) AS qty
      FROM fact_production AS p
     WHERE p.started_at >= $2 AND p.ended_at > $2  -- a run ends after it starts: found by its end
       AND NOT EXISTS (SELECT FROM fact_production AS e
                        WHERE p.order_number <> '' AND e.equipment_id = p.equipment_id
                          AND e.order_number = p.order_number AND e.started_at < $2)
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
       AND h.hour <= (SELECT max(e.ended_at) FROM fact_production AS e)
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
       coalesce(t.planned, 0) AS planned_downtime_s,
       coalesce(t.pot - t.planned, 0) AS pbt_s,
       coalesce(t.idle + t.free, 0) AS adot_s,
       coalesce(t.delay, 0) AS adet_s,
       coalesce(t.minor_stop, 0) AS minor_stop_s,
       coalesce(t.setup, 0) AS aust_s,
       coalesce(t.run, 0) AS apt_s,
       coalesce(t.run + t.setup, 0) AS aupt_s,
       coalesce(t.run + t.setup + t.delay, 0) AS aubt_s,
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
