-- refresh_aggregates v1: the one refresh loop of the registered aggregates, called by the Celery job
-- (mfgplatform.aggregates.refresh), by `manage.py refresh_views` and by the pg_cron job alike, each
-- handing over the registry's plan (mfgplatform.aggregates.registry.refresh_plan) as JSON:
--   [{"name", "kind": "materialized" | "incremental", "function", "depends_on": [...], "sources": [...]}]
-- in dependency order.
--
-- mfg_source_signature(tables): per source table its storage file and its insert, update and delete
-- counters from the statistics collector (a hypertable's chunks added up). A TRUNCATE or rewrite
-- changes the file, a write the counters; a statistics reset only causes an extra refresh.
--
-- mfg_refresh_aggregates(plan, triggered_by, force, max_age, rebuild, refresh_concurrently), per plan entry:
--   * skipped when a view it depends on failed or was skipped in this run;
--   * an incremental aggregate runs its pass function(rebuild) every time (the pass knows from its own
--     invalidation log what changed and costs next to nothing when nothing did);
--   * a materialized view is left alone ("unchanged") unless `force`, or its sources' signature differs
--     from the one recorded at its last refresh (mv_source_state), or a view it depends on was refreshed
--     or passed in this run, or it was never populated, or its last refresh is older than `max_age`;
--     otherwise it is refreshed plain while never populated, CONCURRENTLY after (never blocking readers)
--     unless `refresh_concurrently` is false, analysed and counted, and its signature recorded.
-- Each entry runs in a subtransaction of its own: a failure rolls back that entry alone, is logged with
-- its error and makes its dependents skip; the others still refresh. Every refresh, pass, failure and
-- skip is a row of mv_refresh_log; the function returns one row per entry with what happened.
-- The signature is taken before the refresh: a write committing during it shows up as a change next time.
CREATE OR REPLACE FUNCTION mfg_source_signature(tables text[]) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH source AS (SELECT unnest(tables) AS name),
    members AS (
        SELECT s.name, c.oid
          FROM source AS s JOIN pg_class AS c ON c.oid = to_regclass(s.name)
        UNION ALL
        SELECT s.name, format('%I.%I', ch.chunk_schema, ch.chunk_name)::regclass
          FROM source AS s
          JOIN timescaledb_information.chunks AS ch
            ON ch.hypertable_schema = 'public' AND ch.hypertable_name = s.name
    ),
    per_table AS (
        SELECT m.name,
               jsonb_build_array(sum(pg_relation_filenode(m.oid)::text::bigint)::bigint,
                                 coalesce(sum(st.n_tup_ins), 0)::bigint,
                                 coalesce(sum(st.n_tup_upd), 0)::bigint,
                                 coalesce(sum(st.n_tup_del), 0)::bigint) AS counters
          FROM members AS m LEFT JOIN pg_stat_user_tables AS st ON st.relid = m.oid
         GROUP BY m.name
    )
    SELECT coalesce(jsonb_object_agg(name, counters), '{}'::jsonb) FROM per_table
$$;

CREATE OR REPLACE FUNCTION mfg_refresh_aggregates(
    plan jsonb, triggered_by text, force boolean DEFAULT false, max_age interval DEFAULT interval '24 hours',
    rebuild boolean DEFAULT false, refresh_concurrently boolean DEFAULT NULL)
RETURNS TABLE (aggregate_name text, result text, log_id bigint, rows_counted bigint)
LANGUAGE plpgsql
-- The view queries' cost estimates are large enough to trigger JIT compilation, which costs about a
-- second per refresh and saves nothing on these plans.
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    entry jsonb;
    v_name text;
    v_depends text[];
    v_sources text[];
    blocked text[];
    failed text[] := '{}';   -- failed or skipped in this run
    changed text[] := '{}';  -- refreshed or passed in this run
    run_now timestamptz := now();
    started timestamptz;
    took double precision;
    signature jsonb;
    state record;
    populated boolean;
    use_concurrently boolean;
    counted bigint;
BEGIN
    FOR entry IN SELECT value FROM jsonb_array_elements(plan) LOOP
        v_name := entry->>'name';
        v_depends := ARRAY(SELECT jsonb_array_elements_text(coalesce(entry->'depends_on', '[]')));
        v_sources := ARRAY(SELECT jsonb_array_elements_text(coalesce(entry->'sources', '[]')));
        aggregate_name := v_name;
        rows_counted := NULL;
        log_id := NULL;
        blocked := ARRAY(SELECT d FROM unnest(v_depends) AS d WHERE d = ANY(failed) ORDER BY d);
        IF cardinality(blocked) > 0 THEN
            failed := failed || v_name;
            INSERT INTO mv_refresh_log (view_name, started_at, "concurrently", outcome, error, triggered_by)
            VALUES (v_name, clock_timestamp(), false, 'skipped',
                    'dependency failed: ' || array_to_string(blocked, ', '), triggered_by)
            RETURNING id INTO log_id;
            result := 'skipped';
            RETURN NEXT;
            CONTINUE;
        END IF;

        IF entry->>'kind' = 'incremental' THEN
            started := clock_timestamp();
            BEGIN
                EXECUTE format('SELECT rows_written FROM %I(rebuild => $1)', entry->>'function')
                   INTO counted USING rebuild;
                took := extract(epoch FROM clock_timestamp() - started);
                IF rebuild THEN
                    -- Every row rewritten: fresh statistics for the readers' plans (autovacuum's analyze
                    -- keeps up with the few hours an incremental pass rewrites).
                    EXECUTE format('ANALYZE %I', v_name);
                END IF;
                INSERT INTO mv_refresh_log (view_name, started_at, duration_seconds, row_count, "concurrently",
                                            outcome, error, triggered_by)
                VALUES (v_name, started, took, counted, true, 'success', '', triggered_by)
                RETURNING id INTO log_id;
                changed := changed || v_name;
                result := 'passed';
                rows_counted := counted;
            EXCEPTION WHEN OTHERS THEN
                INSERT INTO mv_refresh_log (view_name, started_at, duration_seconds, "concurrently", outcome, error,
                                            triggered_by)
                VALUES (v_name, started, extract(epoch FROM clock_timestamp() - started), true, 'failed',
                        left(SQLERRM, 4000), triggered_by)
                RETURNING id INTO log_id;
                failed := failed || v_name;
                result := 'failed';
            END;
            RETURN NEXT;
            CONTINUE;
        END IF;

        signature := mfg_source_signature(v_sources);
        SELECT * INTO state FROM mv_source_state AS s WHERE s.view_name = v_name;
        SELECT c.relispopulated INTO populated FROM pg_class AS c WHERE c.oid = to_regclass(v_name);
        IF NOT force AND state.view_name IS NOT NULL AND cardinality(v_sources) > 0
           AND state.source_signature = signature
           -- A pass may have changed an incremental aggregate's rows whatever the signature says.
           AND NOT v_depends && changed
           AND run_now - state.refreshed_at < max_age
           AND coalesce(populated, false) THEN
            UPDATE mv_source_state SET checked_at = run_now WHERE view_name = v_name;
            result := 'unchanged';
            RETURN NEXT;
            CONTINUE;
        END IF;

        -- REFRESH … CONCURRENTLY needs a populated view.
        use_concurrently := coalesce(populated, false) AND coalesce(refresh_concurrently, true);
        started := clock_timestamp();
        BEGIN
            IF use_concurrently THEN
                EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %I', v_name);
            ELSE
                EXECUTE format('REFRESH MATERIALIZED VIEW %I', v_name);
            END IF;
            took := extract(epoch FROM clock_timestamp() - started);
            -- Fresh statistics: the views that read this one and the KPI queries plan with them.
            EXECUTE format('ANALYZE %I', v_name);
            EXECUTE format('SELECT count(*) FROM %I', v_name) INTO counted;
            INSERT INTO mv_refresh_log (view_name, started_at, duration_seconds, row_count, "concurrently", outcome,
                                        error, triggered_by)
            VALUES (v_name, started, took, counted, use_concurrently, 'success', '', triggered_by)
            RETURNING id INTO log_id;
            INSERT INTO mv_source_state (view_name, source_signature, refreshed_at, checked_at)
            VALUES (v_name, signature, started, run_now)
            ON CONFLICT (view_name) DO UPDATE
               SET source_signature = EXCLUDED.source_signature, refreshed_at = EXCLUDED.refreshed_at,
                   checked_at = EXCLUDED.checked_at;
            changed := changed || v_name;
            result := 'refreshed';
            rows_counted := counted;
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO mv_refresh_log (view_name, started_at, duration_seconds, "concurrently", outcome, error,
                                        triggered_by)
            VALUES (v_name, started, extract(epoch FROM clock_timestamp() - started), use_concurrently, 'failed',
                    left(SQLERRM, 4000), triggered_by)
            RETURNING id INTO log_id;
            failed := failed || v_name;
            result := 'failed';
        END;
        RETURN NEXT;
    END LOOP;
END
$$;
