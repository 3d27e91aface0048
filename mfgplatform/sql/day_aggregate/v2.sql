-- day_aggregate, version 2: a pass recomputes only the days that a write or the clock actually changed,
-- and a pass with nothing to recompute runs no SELECT.
--
-- Version 1 recomputed, on every pass, every day from the day before the previous pass on (the clock
-- moves the running occurrence), from the day before each write's earliest start (an occurrence of day
-- D can reach into day D + 1), and it fingerprinted the whole calendar (an md5 over every occurrence).
-- Version 2:
--
-- - the triggers also record the earliest instant written (`low_at`); the pass maps it to the
--   production day of the earliest occurrence containing it, or to its own production day when no
--   occurrence does (an occurrence of day D starts in D, so only D's and D - 1's can contain it). The
--   day before is no longer recomputed for every write;
-- - what the clock moved between the previous pass (P) and this one (N): the occurrences overlapping
--   [P, N) (their time is cut at now), and the facts that reach past P (open stops, facts ending after
--   P) and start before N, from the day of their start (a stop still open counts its whole length where
--   it started). Nothing else the aggregates compute depends on now: an occurrence that ended before P,
--   and a day's off-shift time before P, came out the same at P. With P later than N (a transaction
--   that began before another pass committed) the same window runs the other way;
-- - with no invalidation and nothing moved by the clock, the pass only records its clock;
-- - the calendar is fingerprinted in two steps: the storage file, the row count and a hash of the row
--   versions (xmin) of mv_shift_occurrence change with every refresh that changes a row (a plain refresh
--   writes a new file; a concurrent one deletes and inserts the changed rows under its own transaction);
--   only then is the md5 over the occurrences computed and compared, as version 1 did on every pass.
--
-- Rows are still replaced only where they differ, and a rebuild, the first pass and a changed calendar
-- still recompute every day. '-infinity' as the low day means every day.
ALTER TABLE agg_day_invalidation ADD COLUMN low_at timestamptz;
COMMENT ON COLUMN agg_day_invalidation.low_at IS
    'Earliest instant written (NULL: low_day alone says what to recompute).';
ALTER TABLE agg_day_state ADD COLUMN calendar_versions text;
COMMENT ON COLUMN agg_day_state.calendar_versions IS
    'Storage file, rows and row versions of mv_shift_occurrence at the last pass (a cheap change check).';

CREATE OR REPLACE FUNCTION mfg_invalidate_fact_days() RETURNS trigger
LANGUAGE plpgsql AS $function$
DECLARE
    first_start timestamptz;
    order_start timestamptz;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        first_start := '-infinity';
    ELSIF TG_OP = 'INSERT' THEN
        SELECT min(started_at) INTO first_start FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT least((SELECT min(started_at) FROM new_rows), (SELECT min(started_at) FROM old_rows))
          INTO first_start;
    ELSE
        SELECT min(started_at) INTO first_start FROM old_rows;
    END IF;
    IF first_start IS NULL THEN
        RETURN NULL;  -- no rows
    END IF;
    -- An order's elapsed time (AOET) belongs to the occurrence of its first run.
    IF TG_TABLE_NAME = 'fact_production' AND TG_OP <> 'TRUNCATE' THEN
        IF TG_OP = 'INSERT' THEN
            SELECT min(p.started_at) INTO order_start
              FROM fact_production AS p
             WHERE (p.equipment_id, p.order_number) IN (SELECT equipment_id, order_number FROM new_rows
                                                         WHERE order_number <> '');
        ELSIF TG_OP = 'UPDATE' THEN
            SELECT min(p.started_at) INTO order_start
              FROM fact_production AS p
             WHERE (p.equipment_id, p.order_number) IN (SELECT equipment_id, order_number FROM new_rows
                                                         WHERE order_number <> ''
                                                        UNION
                                                        SELECT equipment_id, order_number FROM old_rows
                                                         WHERE order_number <> '');
        ELSE
            SELECT min(p.started_at) INTO order_start
              FROM fact_production AS p
             WHERE (p.equipment_id, p.order_number) IN (SELECT equipment_id, order_number FROM old_rows
                                                         WHERE order_number <> '');
        END IF;
        first_start := least(first_start, order_start);
    END IF;
    -- low_day as version 1 wrote it (a pass of version 1 reads only that); the pass reads low_at.
    INSERT INTO agg_day_invalidation (aggregate_name, low_day, low_at)
    SELECT aggregate, CASE WHEN first_start = '-infinity' THEN date '-infinity'
                           ELSE mfg_production_date(first_start) - 1 END,
           CASE WHEN first_start = '-infinity' THEN NULL ELSE first_start END
      FROM unnest(TG_ARGV) AS aggregate;
    RETURN NULL;
END
$function$;

CREATE OR REPLACE FUNCTION mfg_day_aggregate_pass(aggregate text, select_sql text, rebuild boolean,
                                                  OUT invalidations bigint, OUT rows_deleted bigint,
                                                  OUT rows_written bigint)
LANGUAGE plpgsql
-- JIT compilation costs about a second on these plans and saves nothing.
SET jit = off
AS $function$
DECLARE
    low date;
    first_written timestamptz;
    window_start timestamptz;
    calendar text;
    versions text;
    known_calendar text;
    known_versions text;
    previous timestamptz;
    clock_lo timestamptz;
    clock_hi timestamptz;
    reaching timestamptz;
    fresh text;
    changed text;
    same_key text;
BEGIN
    -- One pass at a time: a second one waits here, then finds only what was invalidated since.
    PERFORM pg_advisory_xact_lock(hashtextextended(aggregate || '_refresh', 0));
    WITH taken AS (DELETE FROM agg_day_invalidation WHERE aggregate_name = aggregate
                   RETURNING low_day, low_at)
    SELECT count(*), min(low_day) FILTER (WHERE low_at IS NULL), min(low_at)
      INTO invalidations, low, first_written
      FROM taken;
    SELECT s.calendar_fingerprint, s.calendar_versions, s.computed_at INTO known_calendar, known_versions, previous
      FROM agg_day_state AS s WHERE s.aggregate_name = aggregate;
    SELECT concat_ws(':', pg_relation_filenode('mv_shift_occurrence'), count(*),
                     sum(hashint8extended(o.xmin::text::bigint, 0)))
      INTO versions
      FROM mv_shift_occurrence AS o;
    IF rebuild OR previous IS NULL OR versions IS DISTINCT FROM known_versions THEN
        SELECT md5(string_agg(concat_ws(',', date_key, shift_id, occurrence, break_seconds), ';'
                              ORDER BY date_key, shift_id))
          INTO calendar
          FROM mv_shift_occurrence;
        calendar := coalesce(calendar, '');
    ELSE
        calendar := known_calendar;
    END IF;
    IF rebuild OR previous IS NULL OR known_calendar IS DISTINCT FROM calendar THEN
        low := '-infinity';
    ELSE
        -- What was written: the day of the earliest occurrence containing the earliest instant.
        IF first_written IS NOT NULL THEN
            low := least(low, mfg_production_date(first_written),
                         (SELECT min(o.production_date) FROM mv_shift_occurrence AS o
                           WHERE o.production_date BETWEEN mfg_production_date(first_written) - 1
                                                       AND mfg_production_date(first_written)
                             AND o.occurrence @> first_written));
        END IF;
        -- What the clock moved between the previous pass and this one.
        clock_lo := least(previous, now());
        clock_hi := greatest(previous, now());
        IF clock_hi > clock_lo THEN
            low := least(low,
                         (SELECT min(o.production_date) FROM mv_shift_occurrence AS o
                           WHERE o.production_date BETWEEN mfg_production_date(clock_lo) - 1
                                                       AND mfg_production_date(clock_hi)
                             AND lower(o.occurrence) < clock_hi AND upper(o.occurrence) > clock_lo));
            SELECT least((SELECT min(d.started_at) FROM fact_downtime AS d
                           WHERE (d.ended_at IS NULL OR d.ended_at > clock_lo) AND d.started_at < clock_hi),
                         (SELECT min(p.started_at) FROM fact_production AS p
                           WHERE p.ended_at > clock_lo AND p.started_at < clock_hi))
              INTO reaching;
            IF reaching IS NOT NULL THEN
                low := least(low, mfg_production_date(reaching),
                             (SELECT min(o.production_date) FROM mv_shift_occurrence AS o
                               WHERE o.production_date BETWEEN mfg_production_date(reaching) - 1
                                                           AND mfg_production_date(reaching)
                                 AND o.occurrence @> reaching));
            END IF;
        END IF;
    END IF;
    IF low IS NOT NULL THEN
        IF low = '-infinity' THEN
            window_start := '-infinity';
        ELSE
            window_start := least((SELECT min(lower(occurrence)) FROM mv_shift_occurrence WHERE production_date >= low),
                                  (low + mfg_production_day_start()) AT TIME ZONE mfg_plant_time_zone());
        END IF;
        -- The days' rows as they are now, computed apart from the table: CREATE TABLE AS may run in
        -- parallel workers (INSERT … SELECT never does), and the bounds are written into the statement
        -- as literals so that it is planned for them (a recent day reads only the facts that reach it).
        fresh := aggregate || '_pass_fresh';
        changed := aggregate || '_pass_changed';
        EXECUTE format('CREATE TEMP TABLE %I ON COMMIT DROP AS %s', fresh,
                       replace(replace(select_sql, '$1', quote_literal(low) || '::date'),
                               '$2', quote_literal(window_start) || '::timestamptz'));
        -- Only rows that differ are written: a row deleted and inserted again under the same key costs
        -- several times a plain insert (each insert meets the dead index entry of the row it replaces),
        -- and most rows of a recomputed day come out as they were.
        EXECUTE format('CREATE TEMP TABLE %I ON COMMIT DROP AS SELECT * FROM %I EXCEPT '
                       'SELECT * FROM %I WHERE production_date >= $1', changed, fresh, aggregate) USING low;
        SELECT string_agg(format('n.%1$I = a.%1$I', a.attname), ' AND ')
          INTO same_key
          FROM pg_index AS i
          JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
         WHERE i.indrelid = aggregate::regclass AND i.indisprimary;
        EXECUTE format('DELETE FROM %1$I AS a WHERE a.production_date >= $1 '
                       'AND (NOT EXISTS (SELECT FROM %2$I AS n WHERE %4$s) OR EXISTS (SELECT FROM %3$I AS n WHERE %4$s))',
                       aggregate, fresh, changed, same_key) USING low;
        GET DIAGNOSTICS rows_deleted = ROW_COUNT;
        EXECUTE format('INSERT INTO %I SELECT * FROM %I', aggregate, changed);
        GET DIAGNOSTICS rows_written = ROW_COUNT;
        EXECUTE format('DROP TABLE %I, %I', fresh, changed);
    ELSE
        rows_deleted := 0;
        rows_written := 0;
    END IF;
    INSERT INTO agg_day_state AS s (aggregate_name, calendar_fingerprint, calendar_versions, computed_at)
    VALUES (aggregate, calendar, versions, now())
    ON CONFLICT (aggregate_name) DO UPDATE SET calendar_fingerprint = excluded.calendar_fingerprint,
                                               calendar_versions = excluded.calendar_versions,
                                               computed_at = excluded.computed_at;
END
$function$;
