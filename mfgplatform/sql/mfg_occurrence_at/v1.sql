-- mfg_occurrence_at, version 1: the shift occurrence containing an instant; outside every shift, shift 0 of
-- the instant's production day (the "outside the shift calendar" row). {schema} as in calendar_functions.
CREATE OR REPLACE FUNCTION mfg_occurrence_at(ts timestamptz)
RETURNS TABLE (date_key integer, shift_id bigint, production_date date)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(o.date_key, {schema}.mfg_date_key(d.day)),
           coalesce(o.shift_id, 0),
           coalesce(o.production_date, d.day)
      FROM (SELECT {schema}.mfg_production_date(ts) AS day) AS d
      LEFT JOIN LATERAL (
            SELECT so.date_key, so.shift_id, so.production_date
              FROM {schema}.mv_shift_occurrence AS so
             WHERE so.production_date IN (d.day, d.day - 1) AND so.occurrence @> ts
             ORDER BY lower(so.occurrence), so.shift_id
             LIMIT 1
           ) AS o ON true
$$;
