"""Everything the reference computes for a range of production days, from one read of the facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from ...aggregates.calendar_settings import CalendarSettingsChanged, configured_calendar, stored_calendar
from . import facts
from .plant import EPOCH, ONE_DAY, Plant
from .quality import quality_counts
from .reliability import reliability_events, support_operation
from .time_model import time_model


@dataclass
class Reference:
    plant: Plant
    units: dict
    time_model: dict  # (equipment, date_key, shift) → Row, work units only
    events: dict  # (equipment, date_key, shift, failure mode, maintenance category) → elements
    support: dict  # (support unit, date_key) → elements
    quality: dict  # (equipment, date_key, shift, defect type) → counts

    @property
    def first(self) -> dt.date:
        return self.plant.first

    @property
    def last(self) -> dt.date:
        return self.plant.last


def compute(first: dt.date, last: dt.date, *, now: dt.datetime | None = None) -> Reference:
    """The reference elements of the production days first … last (now: the database's clock).

    The reference computes with the plant calendar the settings name; views computed with another one
    (a zone changed without `manage.py rezone_calendar`) would differ everywhere, so that is refused with
    the reason instead."""
    stored, configured = stored_calendar(), configured_calendar()
    if stored is not None and stored != configured:
        raise CalendarSettingsChanged(stored, configured)
    plant = Plant(first, last, now=now or _database_now())
    # Facts that can reach into those days: an occurrence of day D starts at most a day after D's start.
    lo = _instant(plant.day_start_at(first - 2 * ONE_DAY))
    hi = _instant(plant.day_start_at(last + 3 * ONE_DAY))
    units = facts.load_units(plant)
    runs, stops = facts.load_runs(lo, hi), facts.load_stops(lo, hi)
    return Reference(
        plant=plant, units=units,
        time_model=time_model(plant, units, runs, stops, facts.load_order_runs(lo, hi)),
        events=reliability_events(plant, stops, facts.load_previous_failures(lo)),
        support=support_operation(plant, units, stops),
        quality=quality_counts(plant, lo, hi),
    )


def _instant(micro: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=micro)


def _database_now() -> dt.datetime:
    # The views cut at the database's now(); in one transaction both see the same instant.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        (now,) = cursor.fetchone()
    return now or timezone.now()
