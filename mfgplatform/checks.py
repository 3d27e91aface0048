"""System checks that need the database (`manage.py check --database default`, and `migrate`)."""

from __future__ import annotations

from django.core.checks import Error, Tags, register
from django.db import DatabaseError

from .aggregates.calendar_settings import calendar_change_refused


@register(Tags.database)
def plant_calendar_unchanged(app_configs=None, databases=None, **kwargs) -> list[Error]:
    """PLANT_TIME_ZONE / PRODUCTION_DAY_START differ from the calendar the history was computed with."""
    if not databases or "default" not in databases:
        return []
    try:
        refused = calendar_change_refused()
    except DatabaseError:  # no database yet: nothing can have been computed with another calendar
        return []
    if refused is None:
        return []
    return [Error(str(refused), id="mfgplatform.E190",
                  hint="`migrate --skip-checks` applies migrations before the change is settled.")]
