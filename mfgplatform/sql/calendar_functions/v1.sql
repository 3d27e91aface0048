-- calendar_functions, version 1: mfg_production_date(ts), the production day of an instant
-- (mfgplatform.calendar.production_date in SQL); mfg_date_key(day); mfg_seconds(multirange), the total
-- length of a set of intervals in seconds.
--
-- PostgreSQL 17 refreshes materialized views with search_path = pg_catalog, so a function body that calls
-- another of these functions names its schema: {schema}, filled in by the migration.
CREATE OR REPLACE FUNCTION mfg_production_date(ts timestamptz) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ((ts AT TIME ZONE {schema}.mfg_plant_time_zone())
            - ({schema}.mfg_production_day_start() - time '00:00'))::date
$$;

CREATE OR REPLACE FUNCTION mfg_date_key(day date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (extract(year FROM day) * 10000 + extract(month FROM day) * 100 + extract(day FROM day))::integer
$$;

CREATE OR REPLACE FUNCTION mfg_seconds(intervals tstzmultirange) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(sum(extract(epoch FROM upper(r) - lower(r))), 0) FROM unnest(intervals) AS r
$$;
