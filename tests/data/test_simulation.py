"""The plant simulation without a database: laws, reproducibility and signals."""

import dataclasses
import datetime as dt
import math
from collections import Counter
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from devdata.simulation.catalog import DEFAULT_SHIFTS, STARTUP_DEFECT
from devdata.simulation.layout import plant_layout
from devdata.simulation.process import FailureEvent, Timeline, UnitSimulator, simulate_unit
from devdata.simulation.profiles import PROFILES
from devdata.simulation.quality import simulate_quality
from devdata.simulation.sensors import simulate_sensors
from devdata.simulation.shifts import ShiftPattern, shift_windows
from mfgplatform import calendar

PATTERNS = [
    ShiftPattern(s.code, calendar.parse_clock(s.start), calendar.parse_clock(s.end), s.weekdays,
                 tuple((calendar.parse_clock(clock), minutes) for clock, minutes in s.breaks), s.sort_order)
    for s in DEFAULT_SHIFTS
]


def _windows(days: int, tz: str = "UTC", first: dt.date = dt.date(2026, 1, 5)):
    return shift_windows(PATTERNS, first, days, set(), ZoneInfo(tz), dt.time(6))


def test_the_night_shift_crosses_midnight_and_belongs_to_its_start_day():
    windows = _windows(1)
    night = windows[-1]
    assert (night.shift, night.date) == ("C", dt.date(2026, 1, 5))
    assert night.end - night.start == 8 * 3600
    assert dt.datetime.fromtimestamp(night.end, dt.UTC) == dt.datetime(2026, 1, 6, 6, tzinfo=dt.UTC)


def test_the_night_shift_lasts_seven_hours_on_the_spring_forward_night():
    # Friday 27 March 2026 night shift in Berlin runs into Saturday 28th; Sunday 29th is the change,
    # so use a plant whose shifts also run at weekends.
    every_day = [dataclasses.replace(pattern, weekdays=()) for pattern in PATTERNS]
    windows = shift_windows(every_day, dt.date(2026, 3, 28), 1, set(), ZoneInfo("Europe/Berlin"), dt.time(6))
    assert [w.end - w.start for w in windows] == [8 * 3600, 8 * 3600, 7 * 3600]


def test_the_same_seed_gives_identical_timelines():
    unit = plant_layout(5, 3).units[0]
    first = simulate_unit(unit, _windows(20), seed=3)
    second = simulate_unit(unit, _windows(20), seed=3)
    other = simulate_unit(unit, _windows(20), seed=4)
    assert first.production == second.production
    assert first.downtime == second.downtime
    assert first.production != other.production


def test_a_unit_life_follows_its_weibull_law_given_its_age():
    unit = plant_layout(1, 0).units[0]
    simulator = UnitSimulator(unit, seed=0, first_day_ordinal=0)
    shape, scale = simulator.profile.weibull_shape, simulator.life_seconds
    age = 0.4 * scale
    lives = np.array([simulator._draw_life(conditional_on=age) for _ in range(20_000)])
    assert lives.min() >= age
    for t in (0.8 * scale, 1.2 * scale, 1.6 * scale):
        expected = math.exp((age / scale) ** shape - (t / scale) ** shape)  # S(t) / S(age)
        assert abs((lives > t).mean() - expected) < 0.015


def test_every_class_wears_out():
    assert all(profile.weibull_shape > 1 for profile in PROFILES.values())


def test_actual_cycles_are_slower_than_the_planned_run_time():
    unit = plant_layout(1, 1).units[0]
    runs = [run for run in simulate_unit(unit, _windows(30), seed=1).production if run.produced > 20]
    assert runs
    assert all(run.produced * run.pri_seconds < run.end - run.start for run in runs)


def test_defects_follow_a_pareto_like_mix():
    layout = plant_layout(1, 2)
    unit = layout.units[0]  # an injection moulding machine
    timeline = simulate_unit(unit, _windows(90), seed=2)
    records = simulate_quality(timeline, layout, seed=2)
    by_type = Counter()
    for row in records.inspections:
        if row.defect_type and row.defect_type != STARTUP_DEFECT:
            by_type[row.defect_type] += row.defective
    ranked = [code for code, _ in by_type.most_common()]
    mix = list(PROFILES[unit.class_code].defect_mix)
    assert ranked[:3] == mix[:3]
    assert by_type[mix[0]] > 0.4 * sum(by_type.values())


def test_measurements_come_in_subgroups_of_five_around_the_target():
    layout = plant_layout(1, 2)
    records = simulate_quality(simulate_unit(layout.units[0], _windows(30), seed=2), layout, seed=2)
    subgroups = Counter(row.subgroup for row in records.measurements)
    assert set(subgroups.values()) == {5}
    assert sorted(subgroups) == list(range(1, len(subgroups) + 1))
    for row in records.measurements:
        assert abs(row.value - row.target) < 2 * (row.upper_spec_limit - row.target)


def test_sensors_drift_towards_a_failure_that_announces_itself():
    unit = plant_layout(1, 0).units[0]
    start, end = 0, 4 * 86_400
    failure_at = 3 * 86_400
    healthy = Timeline(unit, running=[(start, end)])
    failing = Timeline(unit, running=[(start, end)], failures=[FailureEvent(failure_at, "OHE", "temperature", True)])

    def temperature(timeline):
        series = {s.tag: s for s in simulate_sensors(timeline, seed=9, start=start, end=end, interval=60)}
        return series["temperature"]

    ok, drifting = temperature(healthy), temperature(failing)
    last_hour = (ok.times >= failure_at - 3600) & (ok.times < failure_at)
    long_before = ok.times < failure_at - 40 * 3600
    assert drifting.values[last_hour].mean() - ok.values[last_hour].mean() > 15
    assert abs(drifting.values[long_before].mean() - ok.values[long_before].mean()) < 0.1


@pytest.mark.parametrize("units", [1, 4, 40])
def test_the_layout_fills_lines_of_five_units(units):
    layout = plant_layout(units, 0)
    assert len(layout.units) == units
    assert len(layout.lines) == math.ceil(units / 5)
    assert len({unit.code for unit in layout.units}) == units
    assert all(unit.pri_seconds for unit in layout.units if unit.produces)


def test_a_repair_outlasting_its_shift_keeps_the_unit_down_and_no_stop_overlaps_it():
    crossing = 0
    for unit in plant_layout(12, 1).units:
        timeline = simulate_unit(unit, _windows(30), seed=1)
        stops = sorted((row.start, row.end) for row in timeline.downtime)
        assert all(earlier[1] <= later[0] for earlier, later in zip(stops, stops[1:], strict=False))
        for row in timeline.downtime:
            if row.failure is None:
                continue
            crossing += row.end > row.window.end
            assert not any(start < row.end and row.start < end for start, end in timeline.running)
    assert crossing > 0
