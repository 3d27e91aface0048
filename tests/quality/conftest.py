import datetime as dt

import pytest

from mfgplatform.aggregates.registry import refresh_views
from tests.kpi.factories import add_measurement, ensure_dates, make_equipment, make_shift, only_shifts

from .piston_rings import PHASE_ONE, PHASE_TWO


@pytest.fixture(autouse=True)
def plant_calendar(settings, db):
    settings.PLANT_TIME_ZONE = "UTC"
    settings.PRODUCTION_DAY_START = "06:00"
    ensure_dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.fixture
def refresh():
    def run(*names: str):
        log = refresh_views(names or None, triggered_by="test")
        failed = [entry for entry in log if entry.outcome != "success"]
        assert not failed, [(entry.view_name, entry.error) for entry in failed]
        return log

    return run


FIRST_DAY = dt.date(2025, 3, 3)
SHIFT_STARTS = {"SA": 6, "SB": 14, "SC": 22}


def _slots(first_day: dt.date, days: int):
    """(production day, shift start hour, subgroup number) in time order, two subgroups per shift."""
    for offset in range(days):
        for start in SHIFT_STARTS.values():
            for number in (1, 2):
                yield first_day + dt.timedelta(days=offset), start, number


@pytest.fixture
def piston_rings(refresh):
    only_shifts(*[make_shift(code, dt.time(hour), dt.time((hour + 8) % 24), order=hour)
                  for code, hour in SHIFT_STARTS.items()])
    unit = make_equipment("RING-1")
    phase_one = list(_slots(FIRST_DAY, 5))[: len(PHASE_ONE)]
    phase_two = list(_slots(FIRST_DAY + dt.timedelta(days=7), 3))[: len(PHASE_TWO)]
    for (day, start, number), sample in zip(phase_one + phase_two, PHASE_ONE + PHASE_TWO, strict=True):
        first = dt.datetime.combine(day, dt.time(start), tzinfo=dt.UTC) + dt.timedelta(hours=2 * number)
        for part, value in enumerate(sample):
            add_measurement(unit, first + dt.timedelta(minutes=part), value, characteristic="ring_diameter",
                            subgroup=number, lsl=73.95, usl=74.05)
    refresh("mv_shift_occurrence")  # the calendar of these shifts, and every view downstream of it
    return {"start": FIRST_DAY, "end": FIRST_DAY + dt.timedelta(days=9),
            "baseline": (FIRST_DAY, FIRST_DAY + dt.timedelta(days=4))}
