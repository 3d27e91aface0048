-- day_aggregate, version 3: a pass over a few days (the scheduled pass: the running day) compares and
-- writes its rows in one statement instead of through two temporary tables.
--
-- Version 2 (what a write or the clock changed, no SELECT when nothing did, the cheap calendar check)
-- is unchanged. Its pass created two temporary tables on every pass that recomputed anything (the day's
-- rows, then the rows that differ) and dropped them: catalog work that cost about as much as the
-- comparison on a day's rows. A rebuild (every day) keeps them, so that its SELECT may still run in
-- parallel workers; a window of some days runs the SELECT, the comparison, the deletion of the rows gone
-- or changed and the insertion of the new or changed rows as one statement.
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
    bounded text;
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
        SELECT string_agg(format('n.%1$I = a.%1$I', a.attname), ' AND ')
          INTO same_key
          FROM pg_index AS i
          JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
         WHERE i.indrelid = aggregate::regclass AND i.indisprimary;
        -- The bounds are written into the SELECT as literals so that it is planned for them (a recent
        -- day reads only the facts that reach it). Only rows that differ are written: a row deleted and
        -- inserted again under the same key costs several times a plain insert (each insert meets the
        -- dead index entry of the row it replaces), and most rows of a recomputed day come out as they
        -- were.
        bounded := replace(replace(select_sql, '$1', quote_literal(low) || '::date'),
                           '$2', quote_literal(window_start) || '::timestamptz');
        IF low = '-infinity' THEN
            -- Every day: the rows computed apart from the table first, because CREATE TABLE AS may run
            -- in parallel workers (a statement that writes never does).
            fresh := aggregate || '_pass_fresh';
            changed := aggregate || '_pass_changed';
            EXECUTE format('CREATE TEMP TABLE %I ON COMMIT DROP AS %s', fresh, bounded);
            EXECUTE format('CREATE TEMP TABLE %I ON COMMIT DROP AS SELECT * FROM %I EXCEPT '
                           'SELECT * FROM %I WHERE production_date >= $1', changed, fresh, aggregate) USING low;
            EXECUTE format('DELETE FROM %1$I AS a WHERE a.production_date >= $1 '
                           'AND (NOT EXISTS (SELECT FROM %2$I AS n WHERE %4$s) OR EXISTS (SELECT FROM %3$I AS n WHERE %4$s))',
                           aggregate, fresh, changed, same_key) USING low;
            GET DIAGNOSTICS rows_deleted = ROW_COUNT;
            EXECUTE format('INSERT INTO %I SELECT * FROM %I', aggregate, changed);
            GET DIAGNOSTICS rows_written = ROW_COUNT;
            EXECUTE format('DROP TABLE %I, %I', fresh, changed);
        ELSE
            -- A few days (a scheduled pass: the running day): one statement, no temporary tables (their
            -- catalog rows cost more than the rows they would hold). The rows gone or changed are
            -- deleted before the new and changed ones are inserted (the scalar subqueries run in order),
            -- and an insert does not conflict with a row its own transaction deleted.
            -- (A newline closes the SELECT: its last line may end in a comment.)
            EXECUTE format('WITH fresh AS MATERIALIZED (%2$s' || chr(10) || '), '
                           'changed AS MATERIALIZED (SELECT * FROM fresh EXCEPT '
                           '                         SELECT * FROM %1$I WHERE production_date >= $1), '
                           'gone AS (DELETE FROM %1$I AS a WHERE a.production_date >= $1 '
                           '         AND (NOT EXISTS (SELECT FROM fresh AS n WHERE %3$s) '
                           '              OR EXISTS (SELECT FROM changed AS n WHERE %3$s)) RETURNING 1), '
                           'added AS (INSERT INTO %1$I SELECT * FROM changed RETURNING 1) '
                           'SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM added)',
                           aggregate, bounded, same_key)
               INTO rows_deleted, rows_written USING low;
        END IF;
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
