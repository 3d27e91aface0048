-- mv_shift_segment_hour, version 1:
--
-- The calendar's hour index, the occurrence lookup the views of version 3 join facts to (instead of
-- building occurrence_slot / slot_hour in every refresh; it changes only when the calendar does).
-- The timeline is cut at every occurrence start and end into elementary segments; each segment that
-- some occurrence covers has one row per covering occurrence and per whole hour (aligned to the Unix
-- epoch) it touches. `is_owner` marks the occurrence an instant of the segment belongs to (the one
-- that starts first, then the lower shift id, as in mfg_occurrence_at).
-- - an instant: `hour = date_bin(interval '1 hour', ts, timestamptz 'epoch') AND starts_at <= ts AND
--   ts < ends_at AND is_owner`; no row means outside every shift (shift 0 of its production day);
-- - an interval [lo, hi) with hi <= ends_at of lo's segment lies whole in each occurrence covering that
--   segment; only an interval that crosses a segment end needs cutting.
CREATE MATERIALIZED VIEW mv_shift_segment_hour AS
WITH boundary AS (
    SELECT lower(occurrence) AS at FROM mv_shift_occurrence
    UNION
    SELECT upper(occurrence) FROM mv_shift_occurrence
),
segment AS (
    SELECT at AS starts_at, lead(at) OVER (ORDER BY at) AS ends_at, mfg_production_date(at) AS day
      FROM boundary
),
covered AS (
    -- An occurrence of production day D starts in D and lasts at most a day, so the occurrences
    -- covering an instant belong to its production day or the one before.
    SELECT s.starts_at, s.ends_at, o.date_key, o.shift_id, o.production_date,
           row_number() OVER (PARTITION BY s.starts_at ORDER BY lower(o.occurrence), o.shift_id) = 1 AS is_owner
      FROM segment AS s
     CROSS JOIN (VALUES (0), (1)) AS back(days)
      JOIN mv_shift_occurrence AS o
        ON o.production_date = s.day - back.days AND o.occurrence @> tstzrange(s.starts_at, s.ends_at)
     WHERE s.ends_at IS NOT NULL
)
SELECT h.hour, c.starts_at, c.ends_at, c.date_key, c.shift_id, c.production_date, c.is_owner
  FROM covered AS c
 CROSS JOIN LATERAL generate_series(date_bin(interval '1 hour', c.starts_at, timestamptz 'epoch'),
                                    c.ends_at - interval '1 microsecond', interval '1 hour') AS h(hour)
WITH NO DATA;

CREATE UNIQUE INDEX mv_shift_segment_hour_key ON mv_shift_segment_hour (hour, starts_at, date_key, shift_id);
