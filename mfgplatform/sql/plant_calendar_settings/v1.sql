-- plant_calendar_settings, version 1: the plant calendar settings inside the database (PLANT_TIME_ZONE,
-- PRODUCTION_DAY_START), so a refresh started from psql or by any job computes the same windows as Python.
-- Placeholders: {time_zone} (quotes doubled) and {day_start} (HH:MM:SS); the aggregate registry rewrites the
-- functions whenever the settings change.
CREATE OR REPLACE FUNCTION mfg_plant_time_zone() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT text '{time_zone}' $$;
CREATE OR REPLACE FUNCTION mfg_production_day_start() RETURNS time
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT time '{day_start}' $$;
