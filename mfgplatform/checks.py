"""System checks that need the database (`manage.py check --database default`, and `migrate`)."""

from __future__ import annotations

from django.core.checks import Error, Tags, register
from django.db import DatabaseError

from .aggregates.calendar_settings import (
    CalendarSettingsChanged,
    configured_calendar,
    history_exists,
    stored_calendar,
)


@register(Tags.database)
def plant_calendar_unchanged(app_configs=None, databases=None, **kwargs) -> list[Error]:
    """PLANT_TIME_ZONE / PRODUCTION_DAY_START differ from the calendar the history was computed with."""
    if not databases or "default" not in databases:
        return []
    try:
        stored, configured = stored_calendar(), configured_calendar()
        if stored is None or stored == configured or not history_exists():
            return []
    except DatabaseError:  # no database yet: nothing can have been computed with another calendar
        return []
    return [Error(str(CalendarSettingsChanged(stored, configured)), id="mfgplatform.E190",
                  hint="`migrate --skip-checks` applies migrations before the change is settled.")]
