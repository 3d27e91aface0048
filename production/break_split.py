"""Planned downtime of a unit × shift occurrence split into its break part and the rest.

agg_time_model keeps planned downtime as one element. The split follows from the rule the time model
applies inside break windows (docs/kpi.md, "Breaks"): there, every instant is planned downtime except
the run time no stop covers (the plant ran through the break). So

    planned downtime in breaks  = |B| − |B ∩ (runs − stops)|
    planned downtime otherwise  = planned downtime − planned downtime in breaks

with B the union of the occurrence's break windows cut to the occurrence and to now, runs and stops
(of any time category) as the time model reads them. Computed when a listing asks, for the listed
occurrences only, with PostgreSQL multiranges; the break windows are placed as the time model places
them (the local wall-clock start on the day the occurrence starts, the next day when earlier than the
shift's start).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection

Key = tuple[int, dt.date, int]  # equipment id, production date, shift id

SPLIT_SQL = """
WITH wanted AS (
    SELECT * FROM unnest(%s::bigint[], %s::date[], %s::bigint[]) AS w(equipment_id, production_date, shift_id)
),
window_start AS (
    SELECT w.equipment_id, w.production_date, w.shift_id, o.occurrence, sb.minutes,
           ((lower(o.occurrence) AT TIME ZONE mfg_plant_time_zone())::date
            + CASE WHEN sb.start_time < s.start_time THEN 1 ELSE 0 END + sb.start_time)
               AT TIME ZONE mfg_plant_time_zone() AS lo
      FROM wanted AS w
      JOIN mv_shift_occurrence AS o ON o.production_date = w.production_date AND o.shift_id = w.shift_id
      JOIN dim_shift AS s ON s.id = o.shift_id
      JOIN dim_shift_break AS sb ON sb.shift_id = o.shift_id
),
break_window AS (
    SELECT equipment_id, production_date, shift_id,
           greatest(lo, lower(occurrence)) AS lo,
           least(lo + make_interval(mins => minutes), upper(occurrence), now()) AS hi
      FROM window_start
),
breaks AS (
    SELECT equipment_id, production_date, shift_id, range_agg(tstzrange(lo, hi)) AS b
      FROM break_window WHERE hi > lo
     GROUP BY 1, 2, 3
),
ran AS (
    -- Run time no stop covers, inside the breaks.
    SELECT k.equipment_id, k.production_date, k.shift_id, k.b,
           k.b * (coalesce((SELECT range_agg(tstzrange(p.started_at, least(p.ended_at, now())))
                              FROM fact_production AS p
                             WHERE p.equipment_id = k.equipment_id AND p.started_at < upper(k.b)
                               AND p.ended_at > lower(k.b) AND p.started_at < now()),
                           '{}'::tstzmultirange)
                  - coalesce((SELECT range_agg(tstzrange(d.started_at, least(coalesce(d.ended_at, now()), now())))
                                FROM fact_downtime AS d
                                JOIN dim_downtime_reason AS r ON r.id = d.reason_id AND r.time_category <> ''
                               WHERE d.equipment_id = k.equipment_id AND d.started_at < upper(k.b)
                                 AND (d.ended_at IS NULL OR d.ended_at > lower(k.b)) AND d.started_at < now()),
                             '{}'::tstzmultirange)) AS ran
      FROM breaks AS k
)
SELECT equipment_id, production_date, shift_id,
       (SELECT coalesce(sum(extract(epoch FROM upper(x) - lower(x))), 0) FROM unnest(b) AS x)
       - (SELECT coalesce(sum(extract(epoch FROM upper(x) - lower(x))), 0) FROM unnest(ran) AS x) AS pdt_breaks_s
  FROM ran
"""


def planned_downtime_in_breaks(keys: Iterable[Key]) -> dict[Key, Decimal]:
    """Seconds of planned downtime inside break windows per unit × occurrence (0 where there is no break)."""
    keys = list(keys)
    result: dict[Key, Decimal] = dict.fromkeys(keys, Decimal(0))
    if not keys:
        return result
    equipment, dates, shifts = (list(column) for column in zip(*keys, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(SPLIT_SQL, [equipment, dates, shifts])
        for equipment_id, production_date, shift_id, seconds in cursor.fetchall():
            result[equipment_id, production_date, shift_id] = Decimal(seconds)
    return result


def split_planned_downtime(rows: dict[Key, dict]) -> None:
    """Add PDT_BREAKS and PDT_OTHER to each occurrence's elements (which hold PDT)."""
    in_breaks = planned_downtime_in_breaks(rows)
    for key, elements in rows.items():
        breaks = in_breaks[key]
        elements["PDT_BREAKS"] = breaks
        elements["PDT_OTHER"] = Decimal(elements.get("PDT") or 0) - breaks
