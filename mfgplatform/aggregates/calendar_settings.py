"""The plant calendar settings inside the database, and the guard that keeps history from being re-zoned
by accident.

`PLANT_TIME_ZONE` and `PRODUCTION_DAY_START` decide which production day and shift occurrence every
instant belongs to. The database holds them too (`mfg_plant_time_zone()`, `mfg_production_day_start()`),
so a refresh from any session computes the same windows. Every aggregate that reads the shift calendar
was computed with the values the database holds; writing other values and refreshing would recompute
the whole history in the new calendar (a 9 h DST night becomes 8 h, shifts move by an hour) without
anyone deciding so. Hence:

- while no calendar-dependent aggregate holds a row (a new installation, a test), the database simply
  follows the settings;
- once history exists, a difference is refused with `CalendarSettingsChanged` by everything that would
  compute with it (refresh, load_facts, the ingest API, the `check` framework) until
  `manage.py rezone_calendar` makes the change on purpose: an audit event with the old and new values
  and the user, then a rebuild of the aggregates (docs/kpi.md, "Changing the plant calendar").
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from psycopg import sql

from ..calendar import parse_clock
from ..sql_objects import current_sql

logger = logging.getLogger(__name__)

CALENDAR_VIEW = "mv_shift_occurrence"


@dataclass(frozen=True)
class PlantCalendar:
    time_zone: str
    day_start: dt.time

    def describe(self) -> str:
        return f"{self.time_zone}, production day from {self.day_start:%H:%M}"


class CalendarSettingsChanged(Exception):
    """The settings name another plant calendar than the one the history was computed with."""

    def __init__(self, stored: PlantCalendar, configured: PlantCalendar):
        self.stored, self.configured = stored, configured
        super().__init__(
            f"The plant calendar changed: the settings say {configured.describe()}, but the history was "
            f"computed with {stored.describe()}. Refreshing now would re-zone every production day and shift "
            "of the history. Either set PLANT_TIME_ZONE and PRODUCTION_DAY_START back, or run "
            "`manage.py rezone_calendar --user <username> --reason <text>` to make the change on purpose "
            "(it is audited and rebuilds the calendar-dependent aggregates)."
        )


def configured_calendar() -> PlantCalendar:
    return PlantCalendar(settings.PLANT_TIME_ZONE, parse_clock(settings.PRODUCTION_DAY_START))


def stored_calendar() -> PlantCalendar | None:
    """The calendar the database computes with, or None before the migration that creates it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('mfg_plant_time_zone()') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT mfg_plant_time_zone(), mfg_production_day_start()")
        zone, day_start = cursor.fetchone()
    return PlantCalendar(zone, day_start)


def calendar_dependent_tables() -> list[str]:
    """The aggregate tables kept by pass functions that read the shift calendar. Their rows are the
    history: materialized views are recomputed whole by every refresh anyway, and these tables are
    where a past day stays as it was computed."""
    from .registry import IncrementalAggregate, registered_views

    views = registered_views()

    def reads_calendar(name: str) -> bool:
        view = views[name]
        return CALENDAR_VIEW in view.depends_on or any(reads_calendar(dep) for dep in view.depends_on)

    return sorted(name for name, view in views.items()
                  if isinstance(view, IncrementalAggregate) and reads_calendar(name))


def history_exists() -> bool:
    tables = calendar_dependent_tables()
    if not tables:
        return False
    query = sql.SQL(" OR ").join(
        sql.SQL("EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table)) for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT ") + query)
        return bool(cursor.fetchone()[0])


def write_calendar(calendar: PlantCalendar) -> None:
    """Rewrite the SQL calendar functions (no guard: callers decide)."""
    with connection.cursor() as cursor:
        cursor.execute(current_sql("mfgplatform", "plant_calendar_settings",
                                   time_zone=calendar.time_zone.replace("'", "''"),
                                   day_start=calendar.day_start.strftime("%H:%M:%S")))
    logger.info("plant calendar in SQL set to %s", calendar.describe())


def calendar_change_refused() -> CalendarSettingsChanged | None:
    """The refusal, when the settings name another calendar than the one existing history was computed
    with; None when they agree or no history depends on the database's calendar yet."""
    stored, configured = stored_calendar(), configured_calendar()
    if stored is None or stored == configured or not history_exists():
        return None
    return CalendarSettingsChanged(stored, configured)


def ensure_plant_calendar() -> bool:
    """Bring the database's calendar in line with the settings when no history depends on it; True when
    the functions were rewritten. Raises CalendarSettingsChanged when history was computed with another
    calendar."""
    stored, configured = stored_calendar(), configured_calendar()
    if stored is None or stored == configured:
        return False
    if history_exists():
        raise CalendarSettingsChanged(stored, configured)
    write_calendar(configured)
    return True
