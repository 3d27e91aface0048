"""The timeline of one equipment unit: production, failures and repairs, maintenance, setups, stops.

Every second of a shift occurrence is production (or, for a utility, running), downtime or one of
the shift's planned breaks, and no two downtimes of a unit overlap; only a repair may run through a
break. The breaks are the shift's break windows (dim_shift_break, placed by calendar.break_window as
the time model places them); they are not booked as downtime rows, because the time model takes
them from the shift definition.
Planned blocks are placed first (meeting, preventive maintenance, break, end-of-week cleaning,
lack of demand); the free time between them is walked by a discrete-event loop:

- time to failure is drawn from the class's Weibull law and consumed by operating time only;
  a failure starts a lognormal repair, after which the unit is as good as new (so is it after
  preventive maintenance);
- minor stops and short delays arrive as Poisson processes while the unit runs;
- orders follow one another; a product change costs a changeover (sometimes plus an adjustment),
  and sometimes the next order is late (idle, no order);
- the actual cycle is slower than the PRI (speed loss), more so as the unit wears.

One stop is one downtime row (docs/schema.md), never split:

- A failure is one row from the stop until the unit is restored — the ISO 14224 failure record
  with its work order. Maintenance works in calendar time, off-shift too, so the repair runs on
  over the break, past the end of the shift, over non-scheduled time and into the next shifts;
  the row stays booked to the shift occurrence where the failure happened. Until it ends the unit
  cannot produce, and a planned block it reaches is booked only for the part after the repair
  (one the repair covers entirely is not booked: a preventive maintenance is then not needed,
  the repair renewed the unit).
- Every other stop lies inside the free time where it starts. A changeover or an adjustment is
  shift crew work: one that would run into the break, a planned block or the end of the shift
  ends there (the crew finishes it before it stops work); one that has not started yet when the
  shift ends starts in the next shift's free time. Minor stops, delays and waits for an order not
  started by the end of the shift are dropped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .layout import UnitSpec
from .profiles import (
    CLEANING_MINUTES,
    DELAY_MIX,
    DELAYS_PER_HOUR,
    MEETING_MINUTES,
    MINOR_STOP_MIX,
    MODE_ACTIVITY,
    MODE_CAUSES,
    MODE_IMPACT,
    MODE_SIGNATURE,
    NO_DEMAND_SHARE,
    NO_ORDER_SHARE,
    PROFILES,
    SETUP_ADJUST_SHARE,
    ClassProfile,
)
from .shifts import Window


@dataclass(frozen=True, slots=True)
class FailureRecord:
    """ISO 14224 failure codes of one failure event."""

    mode: str
    mechanism: str
    cause: str
    impact: str
    detection: str
    activity: str


@dataclass(slots=True)
class DowntimeRow:
    unit: str
    reason: str
    window: Window
    start: int
    end: int
    failure: FailureRecord | None = None
    activity: str | None = None
    active_repair_minutes: float | None = None
    work_order: str = ""


@dataclass(slots=True)
class ProductionRow:
    unit: str
    product: str
    window: Window
    start: int
    end: int
    order_number: str
    order_qty: int
    pri_seconds: float
    produced: int
    after_setup: bool
    wear: float  # operating age / characteristic life at the start of the run
    # Filled by quality.py: PQ = good + scrap + rework; planned scrap is part of scrap.
    good: int = 0
    scrap: int = 0
    rework: int = 0
    planned_scrap: int = 0


@dataclass(frozen=True, slots=True)
class FailureEvent:
    """The instant a unit failed and how: the sensors drift towards it."""

    at: int
    mode: str
    tag: str
    visible: bool  # whether the failure announced itself in the signal


@dataclass
class Timeline:
    unit: UnitSpec
    production: list[ProductionRow] = field(default_factory=list)
    downtime: list[DowntimeRow] = field(default_factory=list)
    running: list[tuple[int, int]] = field(default_factory=list)  # intervals the unit was operating
    failures: list[FailureEvent] = field(default_factory=list)


@dataclass(slots=True)
class _Pending:
    """A stop that is due: it starts as soon as the unit is free."""

    reason: str
    duration: int
    survives_shift_end: bool  # still due in the next shift if it has not started by the end of this one
    activity: str | None = None
    work_order: str = ""


@dataclass(slots=True)
class _Order:
    number: str
    product: str
    quantity: int
    remaining: int
    pri: float
    speed: float


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    probabilities = np.array([weights[key] for key in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=probabilities / probabilities.sum()))]


def _lognormal_seconds(rng: np.random.Generator, median_seconds: float, sigma: float) -> int:
    return max(1, round(rng.lognormal(math.log(median_seconds), sigma)))


class UnitSimulator:
    """Simulates one unit over a list of shift occurrences with its own random stream."""

    def __init__(self, unit: UnitSpec, seed: int, first_day_ordinal: int):
        self.unit = unit
        self.profile: ClassProfile = PROFILES[unit.class_code]
        self.rng = np.random.default_rng([seed, unit.index, 1])
        self.timeline = Timeline(unit)
        self.life_seconds = self.profile.weibull_scale_hours * 3600
        self.age = 0.0  # operating seconds since the last renewal (repair or maintenance)
        # A unit enters the horizon part-way through its life, not brand new.
        self.age = float(self.rng.uniform(0, 0.5)) * self.life_seconds
        self.time_to_failure = self._draw_life(conditional_on=self.age)
        self.base_speed = float(self.rng.uniform(*self.profile.speed_factor))
        self.pending: list[_Pending] = []
        self.repaired_at = 0  # end of the last repair: until then the unit is down
        self.order: _Order | None = None
        self.order_count = 0
        self.failure_count = 0
        self.progress = 0.0  # fraction of the next unit already made
        self.after_setup = False
        # Maintenance intervals are staggered across units.
        self.next_pm_ordinal = first_day_ordinal + int(self.rng.integers(0, self.profile.pm_interval_days))

    # --- random draws ----------------------------------------------------------------------

    def _draw_life(self, conditional_on: float = 0.0) -> float:
        """Operating seconds at which the unit fails, given it has survived `conditional_on`."""
        shape, scale = self.profile.weibull_shape, self.life_seconds
        # Inverse transform of the conditional survival S(t | t > a) = S(t) / S(a).
        uniform = float(self.rng.uniform())
        return scale * ((conditional_on / scale) ** shape - math.log(1.0 - uniform)) ** (1.0 / shape)

    def _failure_record(self) -> tuple[FailureRecord, bool]:
        mode = _pick(self.rng, self.profile.failure_modes)
        causes = MODE_CAUSES[mode]
        mechanism, cause, _ = causes[int(self.rng.choice(len(causes), p=_normalise([w for *_, w in causes])))]
        visible = bool(self.rng.uniform() < 0.6)
        impact = MODE_IMPACT[mode]
        if visible:
            detection = "6"  # continuous condition monitoring saw it coming
        else:
            detection = "7" if impact == "critical" else "8"
        return FailureRecord(mode, mechanism, cause, impact, detection, MODE_ACTIVITY[mode]), visible

    # --- rows ----------------------------------------------------------------------------------

    def _downtime(self, item: _Pending, window: Window, start: int, end: int) -> None:
        self.timeline.downtime.append(
            DowntimeRow(self.unit.code, item.reason, window, start, end, activity=item.activity,
                        work_order=item.work_order)
        )

    # --- planned blocks ------------------------------------------------------------------------

    def _planned_blocks(self, window: Window, first_after_rest: bool) -> list[tuple[int, int, _Pending | None]]:
        blocks: list[tuple[int, int, _Pending | None]] = []
        cursor = window.start
        end_limit = window.end
        if window.is_last_before_rest:
            end_limit = window.end - CLEANING_MINUTES * 60
        break_start = window.breaks[0][0] if window.breaks else end_limit
        if first_after_rest:
            meeting_end = cursor + MEETING_MINUTES * 60
            blocks.append((cursor, meeting_end, _Pending("PLANNED-MEETING", 0, False)))
            cursor = meeting_end
        if window.is_first_of_day and window.date.toordinal() >= self.next_pm_ordinal:
            duration = min(_lognormal_seconds(self.rng, self.profile.pm_median_hours * 3600, 0.3), break_start - cursor)
            if duration > 0:
                work_order = f"PM-{self.unit.index:03d}-{window.date:%Y%m%d}"
                blocks.append(
                    (cursor, cursor + duration, _Pending("PLANNED-PM", 0, False, activity="7", work_order=work_order))
                )
                self.age, self.time_to_failure = 0.0, self._draw_life()
                self.next_pm_ordinal = window.date.toordinal() + self.profile.pm_interval_days
        break_end = window.start
        for start, end in window.breaks:
            # The shift's planned breaks (dim_shift_break) are not booked as downtime rows: the time
            # model takes them from the shift definition. Nothing runs.
            start = max(start, blocks[-1][1] if blocks else window.start)
            if start < end:
                blocks.append((start, end, None))
                break_end = end
        if self.rng.uniform() < NO_DEMAND_SHARE:
            floor = max(break_end, blocks[-1][1] if blocks else window.start)
            idle_start = max(end_limit - int(self.rng.uniform(1, 3) * 3600) // 60 * 60, floor)
            if idle_start < end_limit:
                blocks.append((idle_start, end_limit, _Pending("IDLE-NO-DEMAND", 0, False)))
        if window.is_last_before_rest:
            blocks.append((end_limit, window.end, _Pending("PLANNED-CLEANING", 0, False)))
        return blocks

    # --- orders ----------------------------------------------------------------------------------

    def _next_order(self) -> None:
        products = list(self.unit.pri_seconds)
        previous = self.order.product if self.order else None
        if previous is None or len(products) == 1 or self.rng.uniform() >= 0.6:
            product = previous if previous is not None else products[int(self.rng.integers(len(products)))]
        else:
            others = [code for code in products if code != previous]
            product = others[int(self.rng.integers(len(others)))]
        pri = self.unit.pri_seconds[product]
        hours = float(np.clip(self.rng.lognormal(math.log(6.0), 0.5), 1.0, 24.0))
        quantity = max(10, round(hours * 3600 / pri / 10) * 10)
        self.order_count += 1
        self.order = _Order(
            number=f"PO{self.unit.index:03d}{self.order_count:05d}",
            product=product,
            quantity=quantity,
            remaining=quantity,
            pri=pri,
            speed=self.base_speed * float(self.rng.uniform(0.99, 1.03)),
        )
        self.progress = 0.0
        if previous is not None and self.rng.uniform() < NO_ORDER_SHARE:
            self.pending.append(_Pending("IDLE-NO-ORDER", int(self.rng.uniform(15, 90)) * 60, False))
        if product != previous:
            setup = _lognormal_seconds(self.rng, self.profile.setup_median_minutes * 60, 0.35)
            self.pending.append(_Pending("SETUP-CHANGEOVER", setup, True))
            if self.rng.uniform() < SETUP_ADJUST_SHARE:
                self.pending.append(_Pending("SETUP-ADJUST", _lognormal_seconds(self.rng, 480, 0.4), True))
            self.after_setup = True

    # --- the event loop ------------------------------------------------------------------------

    def _run_free_time(self, window: Window, start: int, end: int) -> None:
        t = max(start, self.repaired_at)
        produces = self.profile.produces
        while t < end:
            if self.pending:
                item = self.pending.pop(0)
                stop = min(t + item.duration, end)  # a stop ends, at the latest, with the free time
                self._downtime(item, window, t, stop)
                t = stop
                continue
            if produces and (self.order is None or self.order.remaining <= 0):
                self._next_order()
                continue
            t = max(self._run(window, t, end, produces), min(self.repaired_at, end))

    def _run(self, window: Window, t: int, end: int, produces: bool) -> int:
        """Operate until the next event; returns the new time."""
        wear = self.age / self.life_seconds
        limits = {
            "end": end - t,
            "failure": max(1, math.ceil(self.time_to_failure - self.age)),
            "minor": math.ceil(self.rng.exponential(3600 / self.profile.minor_stops_per_hour)),
            "delay": math.ceil(self.rng.exponential(3600 / DELAYS_PER_HOUR)),
        }
        order = self.order
        if produces:
            cycle = order.pri * order.speed * (1 + 0.08 * min(wear, 2.0))
            limits["order"] = max(1, math.ceil((order.remaining - self.progress) * cycle))
        event = min(limits, key=limits.__getitem__)
        duration = max(1, limits[event])
        stop = t + duration
        self.age += duration
        self.timeline.running.append((t, stop))
        if produces:
            self.progress += duration / cycle
            made = order.remaining if event == "order" else min(int(self.progress + 1e-9), order.remaining)
            self.progress = 0.0 if event == "order" else self.progress - made
            order.remaining -= made
            self.timeline.production.append(
                ProductionRow(
                    self.unit.code, order.product, window, t, stop, order.number, order.quantity, order.pri, made,
                    self.after_setup, wear,
                )
            )
            if made:
                self.after_setup = False
        if event == "failure":
            self._fail(window, stop)
        elif event == "minor":
            self.pending.append(_Pending(_pick(self.rng, MINOR_STOP_MIX), _minor_duration(self.rng), False))
        elif event == "delay":
            self.pending.append(_Pending(_pick(self.rng, DELAY_MIX), _lognormal_seconds(self.rng, 1200, 0.5), False))
        return stop

    def _fail(self, window: Window, at: int) -> None:
        """Books the failure as one row up to the end of its repair, which runs in calendar time."""
        record, visible = self._failure_record()
        self.failure_count += 1
        repair = _lognormal_seconds(self.rng, self.profile.repair_median_minutes * 60, self.profile.repair_sigma)
        active_share = float(self.rng.uniform(0.6, 0.9))
        self.repaired_at = at + repair
        self.timeline.downtime.append(
            DowntimeRow(
                self.unit.code, f"FAIL-{record.mode}", window, at, self.repaired_at, failure=record,
                activity=record.activity, active_repair_minutes=round(repair * active_share / 60, 2),
                work_order=f"WO-{self.unit.index:03d}-{self.failure_count:04d}",
            )
        )
        self.timeline.failures.append(FailureEvent(at, record.mode, MODE_SIGNATURE[record.mode], visible))
        self.age, self.time_to_failure = 0.0, self._draw_life()

    def simulate(self, windows: Sequence[Window]) -> Timeline:
        previous: Window | None = None
        for window in windows:
            first_after_rest = previous is None or previous.is_last_before_rest
            blocks = self._planned_blocks(window, first_after_rest)
            cursor = window.start
            for block_start, block_end, item in blocks:
                if block_start > cursor:
                    self._run_free_time(window, cursor, block_start)
                # A repair still going on covers the start of the block, or all of it.
                block_start = max(block_start, self.repaired_at)
                if item is not None and block_start < block_end:
                    self._downtime(item, window, block_start, block_end)
                cursor = block_end
            if cursor < window.end:
                self._run_free_time(window, cursor, window.end)
            self.pending = [item for item in self.pending if item.survives_shift_end]
            previous = window
        return self.timeline


def _minor_duration(rng: np.random.Generator) -> int:
    return int(np.clip(rng.lognormal(math.log(120), 0.6), 20, 900))


def _normalise(weights: list[float]) -> np.ndarray:
    array = np.asarray(weights, dtype=float)
    return array / array.sum()


def simulate_unit(unit: UnitSpec, windows: Sequence[Window], seed: int) -> Timeline:
    first_ordinal = windows[0].date.toordinal() if windows else 0
    return UnitSimulator(unit, seed, first_ordinal).simulate(windows)
