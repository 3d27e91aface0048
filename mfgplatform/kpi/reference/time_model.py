"""ISO 22400-2 time and quantity elements per work unit × shift occurrence, in plain Python.

Per occurrence (window cut at now) the time elements are lengths of interval sets built from their
definitions (docs/kpi.md, "Time model", "Breaks", "The unscheduled occurrence"):

    Pl, D, S, I   planned, delay, setup and idle stops (by the reason's time category), R the runs,
                  B the occurrence's break windows, stops = Pl ∪ D ∪ S ∪ I
    APT           R − stops                        a run no stop covers (through a break too)
    PDT           (Pl ∪ B) − (R − stops)           planned stops, stops in a break, break time not run
    ADET          D − (Pl ∪ B)                     failures and minor stops (minor: M − (Pl ∪ B))
    AUST          S − (Pl ∪ D ∪ B)
    ADOT          window − (Pl ∪ D ∪ S ∪ B ∪ R)    idle stops and time covered by nothing
    PBT = POT − PDT, AUPT = APT + AUST, AUBT = AUPT + ADET

Quantities of a run are spread evenly over its time: each occurrence gets the share of the run's
instants it owns (the occurrence that starts first where patterns overlap); the instants outside every
occurrence go to the unscheduled occurrence of their production day, whose window is the span of the
unit's off-shift run time that day minus every occurrence.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from .facts import Run, Stop, Unit
from .intervals import Span, Spans, clip, intersect, length, subtract, union
from .plant import ONE_DAY, UNSCHEDULED, Occurrence, Plant, date_key

MICRO = 1_000_000
TIME_COLUMNS = ("pot_s", "planned_downtime_s", "pbt_s", "adot_s", "adet_s", "minor_stop_s", "aust_s", "apt_s",
                "aupt_s", "aubt_s")
QUANTITY_COLUMNS = ("runs", "pq", "gq", "sq", "rq", "psq", "pri_pq_s", "pri_gq_s", "orders", "aoet_s", "order_pq")
COLUMNS = TIME_COLUMNS + QUANTITY_COLUMNS
CATEGORIES = ("planned_downtime", "delay", "setup", "idle")

Key = tuple[int, int, int]  # equipment_id, date_key, shift_id


@dataclass
class Row:
    equipment_id: int
    production_date: dt.date
    shift_id: int
    values: dict[str, Fraction]

    @property
    def key(self) -> Key:
        return self.equipment_id, date_key(self.production_date), self.shift_id


def seconds(micro: int) -> Fraction:
    return Fraction(micro, MICRO)


def elements(window: Spans, stops: list[Stop], runs: list[Run], breaks: Spans, now: int) -> dict[str, Fraction]:
    """The time elements of one occurrence window (one or more spans, already cut at now)."""
    def category(name: str, minor_only: bool = False) -> Spans:
        return intersect(window, union((s.lo, min(s.hi if s.hi is not None else now, now)) for s in stops
                                       if s.category == name and (s.minor or not minor_only)))
    planned, delay, setup, idle = (category(name) for name in CATEGORIES)
    minor = category("delay", minor_only=True)
    ran = intersect(window, union((r.lo, min(r.hi, now)) for r in runs))
    breaks = intersect(window, union(breaks))
    stopped = union(planned, delay, setup, idle)
    production = subtract(ran, stopped)
    planned_total = subtract(union(planned, breaks), production)
    delay_total = subtract(delay, union(planned, breaks))
    minor_total = subtract(minor, union(planned, breaks))
    setup_total = subtract(setup, union(planned, delay, breaks))
    unused = subtract(window, union(stopped, breaks, ran))
    idle_total = subtract(idle, union(planned, delay, setup, breaks))
    pot, pdt = seconds(length(window)), seconds(length(planned_total))
    apt, aust, adet = seconds(length(production)), seconds(length(setup_total)), seconds(length(delay_total))
    return {
        "pot_s": pot, "planned_downtime_s": pdt, "pbt_s": pot - pdt,
        "adot_s": seconds(length(idle_total) + length(unused)), "adet_s": adet,
        "minor_stop_s": seconds(length(minor_total)), "aust_s": aust, "apt_s": apt, "aupt_s": apt + aust,
        "aubt_s": apt + aust + adet,
    }


def time_model(plant: Plant, units: dict[int, Unit], runs: list[Run], stops: list[Stop],
               order_runs: list[Run] = ()) -> dict[Key, Row]:
    """{(equipment_id, date_key, shift_id): Row} for the work units' occurrences of the production days
    plant.first … plant.last, like agg_time_model."""
    rows: dict[Key, Row] = {}
    runs_by_unit, stops_by_unit = defaultdict(list), defaultdict(list)
    for run in runs:
        runs_by_unit[run.equipment_id].append(run)
    for stop in stops:
        if stop.category in CATEGORIES:
            stops_by_unit[stop.equipment_id].append(stop)
    work_units = {i: u for i, u in units.items() if u.is_work_unit}

    def row(equipment_id: int, day: dt.date, shift_id: int) -> Row:
        found = Row(equipment_id, day, shift_id, dict.fromkeys(COLUMNS, Fraction(0)))
        return rows.setdefault(found.key, found)

    # Shift occurrences of every unit in service (a unit's occurrences start on the production day of its
    # first fact, end at decommissioning, and only those already begun count, up to now).
    indexes = {unit_id: (_Index(stops_by_unit[unit_id]), _Index(runs_by_unit[unit_id])) for unit_id in work_units}
    for unit in work_units.values():
        stop_index, run_index = indexes[unit.id]
        for occurrence in plant.occurrences:
            day = occurrence.production_date
            if not (plant.first <= day <= plant.last) or occurrence.lo >= plant.now or day < unit.first_day or (
                    unit.decommissioned_on and day >= unit.decommissioned_on):
                continue
            window = [(occurrence.lo, min(occurrence.hi, plant.now))]
            found = row(unit.id, day, occurrence.shift_id)
            found.values.update(elements(window, _meeting(stop_index, occurrence), _meeting(run_index, occurrence),
                                         occurrence.breaks, plant.now))

    # The unscheduled occurrences: per production day, the span of the unit's off-shift run time minus
    # every shift occurrence, with the usual precedence and no breaks.
    for equipment_id, unit_runs in runs_by_unit.items():
        if equipment_id not in work_units:
            continue
        for day, window in unscheduled_windows(plant, unit_runs).items():
            if plant.first <= day <= plant.last:
                found = row(equipment_id, day, UNSCHEDULED)
                lo, hi = (window[0][0], window[-1][1]) if window else (0, 0)
                stop_index, run_index = indexes[equipment_id]
                found.values.update(elements(window, stop_index.meeting(lo, hi), run_index.meeting(lo, hi), [],
                                             plant.now))

    for run in runs:
        if run.equipment_id not in work_units:
            continue
        start_day, start_shift = _place(plant, run.lo)
        if plant.first <= start_day <= plant.last:
            row(run.equipment_id, start_day, start_shift).values["runs"] += 1
        for (day, shift_id), share in run_shares(plant, run).items():
            if plant.first <= day <= plant.last:
                _add_quantities(row(run.equipment_id, day, shift_id).values, run, share)

    for equipment_id, day, shift_id, elapsed, quantity in _orders(plant, runs, order_runs):
        if equipment_id in work_units and plant.first <= day <= plant.last:
            values = row(equipment_id, day, shift_id).values
            values["orders"] += 1
            values["aoet_s"] += elapsed
            values["order_pq"] += quantity
    return rows


class _Index:
    """A unit's runs or stops by start, to find those meeting a window without scanning them all."""

    def __init__(self, facts: list):
        closed = sorted((f for f in facts if f.hi is not None), key=lambda f: f.lo)
        self.open = [f for f in facts if f.hi is None]  # open stops (few) meet every later window
        self.facts, self.starts = closed, [f.lo for f in closed]
        self.longest = max((f.hi - f.lo for f in closed), default=0)

    def meeting(self, lo: int, hi: int) -> list:
        first, last = bisect.bisect_left(self.starts, lo - self.longest), bisect.bisect_left(self.starts, hi)
        return [f for f in self.facts[first:last] if f.hi > lo] + [f for f in self.open if f.lo < hi]


def _meeting(index: _Index, occurrence: Occurrence) -> list:
    return index.meeting(occurrence.lo, occurrence.hi)


def _place(plant: Plant, instant: int) -> tuple[dt.date, int]:
    """The occurrence an instant belongs to, or the unscheduled occurrence of its production day."""
    owner = plant.owner(instant)
    return (owner.production_date, owner.shift_id) if owner else (plant.production_date(instant), UNSCHEDULED)


def _day_pieces(plant: Plant, lo: int, hi: int) -> list[tuple[dt.date, Span]]:
    """[lo, hi) cut at the production-day boundaries."""
    pieces, day = [], plant.production_date(lo)
    while lo < hi:
        boundary = plant.day_start_at(day + ONE_DAY)
        pieces.append((day, (lo, min(hi, boundary))))
        lo, day = boundary, day + ONE_DAY
    return pieces


def off_shift_pieces(plant: Plant, run: Run) -> list[tuple[dt.date, Span]]:
    """The parts of a run (cut at now) outside every shift occurrence, by production day."""
    hi = min(run.hi, plant.now)
    found = []
    for lo_piece, hi_piece, owner in plant.covered(run.lo, hi):
        if owner is None:
            found.extend(_day_pieces(plant, lo_piece, hi_piece))
    return found


def unscheduled_windows(plant: Plant, runs: list[Run]) -> dict[dt.date, Spans]:
    """Per production day with off-shift run time: [first start, last end] of those pieces minus every
    occurrence. A day whose only off-shift run is of no length gets an empty window (POT 0)."""
    spans: dict[dt.date, list[Span]] = defaultdict(list)
    for run in runs:
        if run.lo >= plant.now:
            continue
        if run.hi == run.lo:
            if plant.owner(run.lo) is None:
                spans[plant.production_date(run.lo)]
            continue
        for day, piece in off_shift_pieces(plant, run):
            spans[day].append(piece)
    windows = {}
    for day, pieces in spans.items():
        if not pieces:
            windows[day] = []
            continue
        lo, hi = min(p[0] for p in pieces), max(p[1] for p in pieces)
        occupied = union((o.lo, o.hi) for o in plant.overlapping(lo, hi))
        windows[day] = subtract(clip([(lo, hi)], lo, hi), occupied)
    return windows


def run_shares(plant: Plant, run: Run) -> dict[tuple[dt.date, int], Fraction]:
    """{(production day, shift id): share of the run's quantities}: its overlap with each occurrence
    over its length (the owning occurrence where patterns overlap; off-shift parts to the unscheduled
    occurrence of their production day). A run of no length counts where it starts."""
    total = run.hi - run.lo
    if total <= 0:
        return {_place(plant, run.lo): Fraction(1)}
    shares: dict[tuple[dt.date, int], Fraction] = defaultdict(Fraction)
    for lo, hi, owner in plant.covered(run.lo, run.hi):
        if owner is not None:
            shares[(owner.production_date, owner.shift_id)] += Fraction(hi - lo, total)
        else:
            for day, (piece_lo, piece_hi) in _day_pieces(plant, lo, hi):
                shares[(day, UNSCHEDULED)] += Fraction(piece_hi - piece_lo, total)
    return shares


def _add_quantities(values: dict[str, Fraction], run: Run, share: Fraction) -> None:
    for column, quantity in (("pq", run.pq), ("gq", run.gq), ("sq", run.sq), ("rq", run.rq), ("psq", run.psq),
                             ("pri_pq_s", run.pri * run.pq), ("pri_gq_s", run.pri * run.gq)):
        values[column] += share * Fraction(quantity)


def _orders(plant: Plant, runs: list[Run], order_runs: list[Run]):
    """(unit, day, shift, AOET s, PQ) per production order, booked where the order's first run starts. An
    order is a unit's runs with one order number; a run without a number is its own order."""
    members: dict[tuple[int, str | int], dict[int, Run]] = defaultdict(dict)
    for run in [*runs, *order_runs]:
        members[(run.equipment_id, run.order_number or run.id)][run.id] = run
    for (equipment_id, _), found in members.items():
        first = min(r.lo for r in found.values())
        day, shift_id = _place(plant, first)
        elapsed = seconds(max(r.hi for r in found.values()) - first)
        yield equipment_id, day, shift_id, elapsed, sum((Fraction(r.pq) for r in found.values()), Fraction(0))
