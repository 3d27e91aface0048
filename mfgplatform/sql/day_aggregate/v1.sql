-- day_aggregate, version 1: Aggregates kept by production day: the KPI building blocks that re-aggregate only the days that changed.
--
-- The time model (`agg_time_model`) and downtime by reason (`agg_downtime_by_reason`) resolve
-- overlapping intervals per shift occurrence (a sort and a window over every fact), which no plain
-- re-aggregation makes cheap: recomputed in full they cost 2–3 µs per fact row. So they are tables
-- kept by day, like TimescaleDB's continuous aggregates keep buckets:
--
-- - statement-level triggers on the facts they read record, in `agg_day_invalidation`, the earliest
--   production day a statement touched (the day before the earliest start of the rows inserted,
--   updated or deleted, since an occurrence of day D can reach into day D + 1; for production runs
--   also the start of each order touched, whose elapsed time belongs to the order's first run).
--   Triggers see every writer: the ingest paths, the seed, the admin, psql. A TRUNCATE invalidates
--   every day, and so does a change to a dimension column the aggregate reads;
-- - a pass, `mfg_day_aggregate_pass(aggregate, select, rebuild)`, takes those rows and recomputes
--   every day from the earliest one on with the aggregate's SELECT, which reads the facts that reach
--   into those days only (`$1` the first day, `$2` the earliest instant an occurrence of that day or a
--   later one can start), and replaces only the stored rows of those days that differ (rows gone are
--   deleted, new or changed ones written: most rows of a recomputed day come out as they were). What the
--   clock moves is recomputed too: the days from the one before the previous pass on (the
--   occurrence running then, the ones started since) and the days of stops still open. A calendar
--   that changed (a fingerprint of `mv_shift_occurrence`) or `rebuild` recomputes every day;
-- - the pass runs in the caller's transaction under an advisory lock, so a failure leaves the
--   aggregate and the invalidations as they were, passes wait for each other, and readers go on
--   reading (MVCC).
--
-- Facts usually arrive in time order, so a pass recomputes a day or two; a correction to an old day
-- recomputes from that day on. The SQL is versioned like the view SQL: released constants are never
-- edited, a change is a new constant and a new migration.
--
-- '-infinity' as the low day means every day.
CREATE TABLE agg_day_invalidation (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    aggregate_name text NOT NULL,
    low_day date NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agg_day_invalidation_aggregate_idx ON agg_day_invalidation (aggregate_name);
COMMENT ON TABLE agg_day_invalidation IS
    'Earliest production day written since the last pass of each day-kept aggregate (-infinity: all).';

CREATE TABLE agg_day_state (
    aggregate_name text PRIMARY KEY,
    calendar_fingerprint text NOT NULL,
    computed_at timestamptz NOT NULL
);
COMMENT ON TABLE agg_day_state IS
    'Per day-kept aggregate: the shift calendar and the clock (now()) of its last pass.';

-- Statement-level trigger on a fact table with started_at; TG_ARGV: the aggregates to invalidate.
-- Transition tables new_rows / old_rows, as the statement provides them.
CREATE FUNCTION mfg_invalidate_fact_days() RETURNS trigger
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
    INSERT INTO agg_day_invalidation (aggregate_name, low_day)
    SELECT aggregate, CASE WHEN first_start = '-infinity' THEN date '-infinity'
                           ELSE mfg_production_date(first_start) - 1 END
      FROM unnest(TG_ARGV) AS aggregate;
    RETURN NULL;
END
$function$;

-- Statement-level trigger on a dimension: every day of the aggregates in TG_ARGV, when a row's
-- column that they read changed (dim_equipment: commissioning; dim_downtime_reason: time category).
CREATE FUNCTION mfg_invalidate_all_days() RETURNS trigger
LANGUAGE plpgsql AS $function$
BEGIN
    -- Nested IFs: PL/pgSQL plans a statement when it first runs it, and each query below names
    -- columns of one table only.
    IF TG_TABLE_NAME = 'dim_equipment' THEN
        IF NOT EXISTS (SELECT FROM new_rows AS n JOIN old_rows AS o USING (id)
                        WHERE (n.commissioned_on, n.decommissioned_on)
                              IS DISTINCT FROM (o.commissioned_on, o.decommissioned_on)) THEN
            RETURN NULL;
        END IF;
    ELSIF TG_TABLE_NAME = 'dim_downtime_reason' THEN
        IF NOT EXISTS (SELECT FROM new_rows AS n JOIN old_rows AS o USING (id)
                        WHERE (n.time_category, n.is_minor_stop)
                              IS DISTINCT FROM (o.time_category, o.is_minor_stop)) THEN
            RETURN NULL;
        END IF;
    END IF;
    INSERT INTO agg_day_invalidation (aggregate_name, low_day)
    SELECT aggregate, date '-infinity' FROM unnest(TG_ARGV) AS aggregate;
    RETURN NULL;
END
$function$;

-- Returns the invalidations taken, the rows deleted (gone, or replaced by a changed row) and the rows
-- written (new or changed).
CREATE FUNCTION mfg_day_aggregate_pass(aggregate text, select_sql text, rebuild boolean,
                                       OUT invalidations bigint, OUT rows_deleted bigint,
                                       OUT rows_written bigint)
LANGUAGE plpgsql
-- JIT compilation costs about a second on these plans and saves nothing.
SET jit = off
AS $function$
DECLARE
    low date;
    window_start timestamptz;
    calendar text;
    known_calendar text;
    previous timestamptz;
    fresh text;
    changed text;
    same_key text;
BEGIN
    -- One pass at a time: a second one waits here, then finds only what was invalidated since.
    PERFORM pg_advisory_xact_lock(hashtextextended(aggregate || '_refresh', 0));
    WITH taken AS (DELETE FROM agg_day_invalidation WHERE aggregate_name = aggregate RETURNING low_day)
    SELECT count(*), min(low_day) INTO invalidations, low FROM taken;
    SELECT md5(string_agg(concat_ws(',', date_key, shift_id, occurrence, break_seconds), ';'
                          ORDER BY date_key, shift_id))
      INTO calendar
      FROM mv_shift_occurrence;
    calendar := coalesce(calendar, '');
    SELECT s.calendar_fingerprint, s.computed_at INTO known_calendar, previous
      FROM agg_day_state AS s WHERE s.aggregate_name = aggregate;
    IF rebuild OR previous IS NULL OR known_calendar IS DISTINCT FROM calendar THEN
        low := '-infinity';
    ELSE
        -- What the clock moved: occurrences running at the previous pass or started since (cut at
        -- now), and stops still open (running to now).
        low := least(low, mfg_production_date(previous) - 1,
                     (SELECT mfg_production_date(min(started_at)) - 1 FROM fact_downtime WHERE ended_at IS NULL));
    END IF;
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
    INSERT INTO agg_day_state AS s (aggregate_name, calendar_fingerprint, computed_at)
    VALUES (aggregate, calendar, now())
    ON CONFLICT (aggregate_name) DO UPDATE SET calendar_fingerprint = excluded.calendar_fingerprint,
                                               computed_at = excluded.computed_at;
END
$function$;
