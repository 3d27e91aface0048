"""Sensor trends for pages: min / mean / max of one unit's tag per hour or per day, read from the
hourly aggregate `agg_sensor_hourly` (never from the raw hypertable), over production days in the
plant's time zone. A daily point combines the day's hours exactly:
mean = Σ(hourly mean × good readings) / Σ good readings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from mfgplatform import calendar

# Up to this many days the trend is hourly; longer ranges are drawn per day.
HOURLY_UP_TO_DAYS = 14


@dataclass(frozen=True)
class SensorPoint:
    start: dt.datetime
    readings: int
    good_readings: int
    minimum: float | None
    mean: float | None
    maximum: float | None


def production_window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants from the start of production day `start` to the end of production day `end`."""
    zone = ZoneInfo(settings.PLANT_TIME_ZONE)
    day_start = calendar.parse_clock(settings.PRODUCTION_DAY_START)
    low = dt.datetime.combine(start, day_start, tzinfo=zone)
    high = dt.datetime.combine(end + dt.timedelta(days=1), day_start, tzinfo=zone)
    return low, high


def tags_of(equipment_id: int) -> list[str]:
    with connection.cursor() as cursor:
        # A loose index scan over the primary key: one probe per tag, not a scan of the unit's hours.
        cursor.execute("""
            WITH RECURSIVE t AS (
                SELECT min(tag) AS tag FROM agg_sensor_hourly WHERE equipment_id = %s
                UNION ALL
                SELECT (SELECT min(tag) FROM agg_sensor_hourly WHERE equipment_id = %s AND tag > t.tag)
                  FROM t WHERE t.tag IS NOT NULL)
            SELECT tag FROM t WHERE tag IS NOT NULL""", [equipment_id, equipment_id])
        return [row[0] for row in cursor.fetchall()]


def sensor_trend(equipment_id: int, tag: str, start: dt.date, end: dt.date) -> tuple[str, list[SensorPoint]]:
    """("hour" or "day", points) for the unit's tag over the production days start..end."""
    low, high = production_window(start, end)
    step = "hour" if (end - start).days + 1 <= HOURLY_UP_TO_DAYS else "day"
    # Days are production days: shift by the day start in the plant's zone before truncating.
    bucket = ("h.bucket" if step == "hour" else
              "(date_trunc('day', (h.bucket AT TIME ZONE %(zone)s) - %(offset)s::interval) + %(offset)s::interval)"
              " AT TIME ZONE %(zone)s")
    day_start = calendar.parse_clock(settings.PRODUCTION_DAY_START)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT {bucket} AS start, sum(h.readings), sum(h.good_readings), min(h.value_min),
                   sum(h.value_mean * h.good_readings) / nullif(sum(h.good_readings), 0), max(h.value_max)
              FROM agg_sensor_hourly AS h
             WHERE h.equipment_id = %(unit)s AND h.tag = %(tag)s AND h.bucket >= %(low)s AND h.bucket < %(high)s
             GROUP BY 1 ORDER BY 1""", {
            "unit": equipment_id, "tag": tag, "low": low, "high": high, "zone": settings.PLANT_TIME_ZONE,
            "offset": f"{day_start.hour} hours {day_start.minute} minutes"})
        return step, [SensorPoint(*row) for row in cursor.fetchall()]
