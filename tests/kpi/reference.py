"""A plain-Python reference of the time and quantity model, computed from the raw facts with the
rules docs/kpi.md states, to check the SQL views against.

The time elements are found instant by instant, not by the SQL's arithmetic of unions: the occurrence
is cut at every start and end of a stop, run and break window, and each piece is classified by the
ISO 22400-2 meaning of what covers it (planned downtime, ADET, AUST, ADOT, APT)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from mfgplatform import calendar

Interval = tuple[dt.datetime, dt.datetime]
CATEGORIES = ("planned_downtime", "delay", "setup", "idle")


def clip(interval: Interval, window: Interval) -> Interval | None:
    start, end = max(interval[0], window[0]), min(interval[1], window[1])
    return (start, end) if end > start else None


def runs_on(shift, day_row) -> bool:
    if not shift.weekdays:
        return day_row.is_working_day
    return day_row.day_of_week in shift.weekdays and not day_row.is_holiday


def date_key(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


class Plant:
    def __init__(self, shifts, day_rows, tz: str, day_start: str, now: dt.datetime):
        self.shifts = sorted(shifts, key=lambda s: s.id)
        self.days = {row.date: row for row in day_rows}
        self.tz, self.day_start, self.now = ZoneInfo(tz), calendar.parse_clock(day_start), now

    def production_date(self, instant: dt.datetime) -> dt.date:
        return calendar.production_date(instant, self.tz, self.day_start)

    def occurrences(self, day: dt.date):
        row = self.days.get(day)
        if row is None:
            return []
        found = []
        for shift in self.shifts:
            if shift.is_active and runs_on(shift, row):
                window = calendar.shift_window(shift.start_time, shift.end_time, day, self.tz, self.day_start)
                found.append((shift, (window.start.astimezone(dt.UTC), window.end.astimezone(dt.UTC))))
        return found

    def occurrence_at(self, instant: dt.datetime) -> tuple[int, int]:
        day = self.production_date(instant)
        candidates = [
            (window[0], shift.id, candidate_day)
            for candidate_day in (day, day - dt.timedelta(days=1))
            for shift, window in self.occurrences(candidate_day)
            if window[0] <= instant < window[1]
        ]
        if not candidates:
            return date_key(day), 0
        _, shift_id, found_day = min(candidates)
        return date_key(found_day), shift_id


ZERO = Decimal(0)
TIME_COLUMNS = ("pot_s", "planned_downtime_s", "pbt_s", "adot_s", "adet_s", "minor_stop_s", "aust_s", "apt_s",
                "aupt_s", "aubt_s")
QUANTITY_COLUMNS = ("runs", "pq", "gq", "sq", "rq", "psq", "pri_pq_s", "pri_gq_s", "orders", "aoet_s", "order_pq")


def time_model(plant: Plant, equipment, runs, downtimes) -> dict[tuple[int, int, int], dict[str, Decimal]]:
    """{(equipment_id, date_key, shift_id): element sums} like mv_time_model."""
    rows: dict[tuple[int, int, int], dict[str, Decimal]] = {}
    first_day: dict[int, dt.date] = {}
    for fact in [*runs, *downtimes]:
        day = plant.production_date(fact.started_at)
        first_day[fact.equipment_id] = min(first_day.get(fact.equipment_id, day), day)
    units = {e.id: e for e in equipment}
    for equipment_id, first in first_day.items():
        unit = units[equipment_id]
        if unit.commissioned_on and unit.commissioned_on > first:
            first = unit.commissioned_on
        for day in sorted(plant.days):
            if day < first or (unit.decommissioned_on and day >= unit.decommissioned_on):
                continue
            for shift, window in plant.occurrences(day):
                if window[0] >= plant.now:
                    continue
                window = (window[0], min(window[1], plant.now))
                rows[(equipment_id, date_key(day), shift.id)] = _occurrence_elements(
                    plant, window, shift, [r for r in runs if r.equipment_id == equipment_id],
                    [d for d in downtimes if d.equipment_id == equipment_id],
                )
    for equipment_id in first_day:
        unit_runs = [r for r in runs if r.equipment_id == equipment_id]
        for day, windows in unscheduled_windows(plant, unit_runs).items():
            rows[(equipment_id, date_key(day), 0)] = _elements(
                plant, windows, [], unit_runs, [d for d in downtimes if d.equipment_id == equipment_id])
    for key, quantities in _quantities(plant, runs).items():
        row = rows.setdefault(key, dict.fromkeys(TIME_COLUMNS, ZERO))
        row.update(quantities)
    for row in rows.values():
        for column in QUANTITY_COLUMNS:
            row.setdefault(column, ZERO)
    return rows


def break_windows(shift, window: Interval, tz: ZoneInfo) -> list[Interval]:
    """The shift's breaks in one occurrence: at their wall-clock start on the occurrence's local start day
    (the next day when before the shift's start), lasting their minutes, cut to the occurrence."""
    local_day = window[0].astimezone(tz).date()
    found = []
    for shift_break in shift.breaks.all():
        day = local_day + dt.timedelta(days=1) if shift_break.start_time < shift.start_time else local_day
        start = calendar.local_instant(day, shift_break.start_time, tz).astimezone(dt.UTC)
        piece = clip((start, start + dt.timedelta(minutes=shift_break.minutes)), window)
        if piece:
            found.append(piece)
    return found


def classify(categories: set[str], running: bool, in_break: bool) -> str:
    """What one instant is, by the ISO 22400-2 meanings: a stop in a break window or a planned stop is
    planned downtime; otherwise the highest-ranking stop (delay = ADET, setup = AUST, idle = ADOT);
    with no stop a run is production (APT), also through a break; a bare break is planned downtime;
    nothing at all is time available without an order (ADOT)."""
    if categories:
        if in_break or "planned_downtime" in categories:
            return "planned"
        for category in ("delay", "setup", "idle"):
            if category in categories:
                return category
    if running:
        return "run"
    return "planned" if in_break else "free"


def _occurrence_elements(plant: Plant, window: Interval, shift, runs, downtimes) -> dict[str, Decimal]:
    return _elements(plant, [window], break_windows(shift, window, plant.tz), runs, downtimes)


def _elements(plant: Plant, windows: list[Interval], breaks: list[Interval], runs, downtimes) -> dict[str, Decimal]:
    """The time elements of an occurrence made of disjoint `windows` (one for a shift occurrence, the
    off-shift intervals of an unscheduled one)."""
    stops: list[tuple[Interval, str, bool]] = []
    run_pieces: list[Interval] = []
    for window in windows:
        for stop in downtimes:
            end = max(stop.started_at, stop.ended_at or plant.now)
            piece = clip((stop.started_at, end), window)
            if piece and stop.reason.time_category in CATEGORIES:
                stops.append((piece, stop.reason.time_category, stop.reason.is_minor_stop))
        run_pieces += [p for p in (clip((r.started_at, min(r.ended_at, plant.now)), window) for r in runs) if p]
    cuts = sorted({*(t for w in windows for t in w), *(t for p, _, _ in stops for t in p),
                   *(t for p in run_pieces for t in p), *(t for p in breaks for t in p)})
    totals = dict.fromkeys(("planned", "delay", "setup", "idle", "run", "free", "minor"), ZERO)
    for start, end in zip(cuts, cuts[1:], strict=False):
        if not any(w[0] <= start and end <= w[1] for w in windows):
            continue
        def covers(piece, s=start, e=end):
            return piece[0] <= s and e <= piece[1]
        covering = [(category, minor) for piece, category, minor in stops if covers(piece)]
        kind = classify({c for c, _ in covering}, any(covers(p) for p in run_pieces), any(covers(p) for p in breaks))
        length = Decimal(str((end - start).total_seconds()))
        totals[kind] += length
        if kind == "delay" and any(minor for _, minor in covering):
            totals["minor"] += length
    pot = sum((Decimal(str((w[1] - w[0]).total_seconds())) for w in windows), ZERO)
    apt = totals["run"]
    return {
        "pot_s": pot, "planned_downtime_s": totals["planned"], "pbt_s": pot - totals["planned"],
        "adot_s": totals["idle"] + totals["free"], "adet_s": totals["delay"], "minor_stop_s": totals["minor"],
        "aust_s": totals["setup"], "apt_s": apt, "aupt_s": apt + totals["setup"],
        "aubt_s": apt + totals["setup"] + totals["delay"],
    }


def _quantities(plant: Plant, runs) -> dict[tuple[int, int, int], dict[str, Decimal]]:
    orders: dict[tuple[int, str], list] = defaultdict(list)
    for run in runs:
        orders[(run.equipment_id, run.order_number or f"run {run.id}")].append(run)
    first_runs = {}
    for members in orders.values():
        first = min(members, key=lambda r: (r.started_at, r.id))
        span = max(r.ended_at for r in members) - min(r.started_at for r in members)
        first_runs[first.id] = (Decimal(str(span.total_seconds())), sum(r.produced_qty for r in members))
    result: dict[tuple[int, int, int], dict[str, Decimal]] = {}

    def row_of(key):
        return result.setdefault(key, dict.fromkeys(QUANTITY_COLUMNS, ZERO))

    for run in runs:
        start_key = (run.equipment_id, *plant.occurrence_at(run.started_at))
        row_of(start_key)["runs"] += 1
        for occurrence, share in run_shares(plant, run):
            row = row_of((run.equipment_id, *occurrence))
            row["pq"] += share * run.produced_qty
            row["gq"] += share * run.good_qty
            row["sq"] += share * run.scrap_qty
            row["rq"] += share * run.rework_qty
            row["psq"] += share * run.planned_scrap_qty
            row["pri_pq_s"] += share * run.pri_seconds * run.produced_qty
            row["pri_gq_s"] += share * run.pri_seconds * run.good_qty
        if run.id in first_runs:
            row = row_of(start_key)
            row["orders"] += 1
            row["aoet_s"] += first_runs[run.id][0]
            row["order_pq"] += first_runs[run.id][1]
    return result


def run_shares(plant: Plant, run) -> list[tuple[tuple[int, int], Decimal]]:
    """A run's quantities are spread evenly over its time: each occurrence gets the share of the run's
    instants that belong to it (occurrence_at); instants outside every shift go to the unscheduled
    occurrence (shift 0) of their own production day. A run of no length counts where it starts."""
    length = Decimal(str((run.ended_at - run.started_at).total_seconds()))
    if not length:
        return [(plant.occurrence_at(run.started_at), Decimal(1))]
    cuts = {run.started_at, run.ended_at}
    day = plant.production_date(run.started_at) - dt.timedelta(days=1)
    while day <= plant.production_date(run.ended_at):
        for _, window in plant.occurrences(day):
            cuts.update(t for t in window if run.started_at < t < run.ended_at)
        day += dt.timedelta(days=1)
    cuts.update(t for t in _day_starts(plant, run.started_at, run.ended_at) if run.started_at < t < run.ended_at)
    shares: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    points = sorted(cuts)
    for start, end in zip(points, points[1:], strict=False):
        # occurrence_at gives an instant outside every occurrence shift 0 of its own production day,
        # the unscheduled occurrence its off-shift piece belongs to.
        shares[plant.occurrence_at(start)] += Decimal(str((end - start).total_seconds())) / length
    return list(shares.items())


def _day_starts(plant: Plant, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The production-day starts from the day of `start` to the day after that of `end`."""
    found, day = [], plant.production_date(start)
    while day <= plant.production_date(end) + dt.timedelta(days=1):
        found.append(calendar.local_instant(day, plant.day_start, plant.tz).astimezone(dt.UTC))
        day += dt.timedelta(days=1)
    return found


def unscheduled_windows(plant: Plant, runs) -> dict[dt.date, list[Interval]]:
    """Per production day D with an off-shift run piece (a part of a run, cut at now, in no occurrence):
    the unscheduled window W, the off-shift instants of D from the start of the first such piece to the
    end of the last, as disjoint intervals (docs/kpi.md, "Unscheduled occurrence")."""
    pieces: dict[dt.date, list[Interval]] = defaultdict(list)
    for run in runs:
        for piece in _off_shift(plant, (run.started_at, min(run.ended_at, plant.now))):
            pieces[plant.production_date(piece[0])].append(piece)
    windows = {}
    for day, found in pieces.items():
        hull = (min(p[0] for p in found), max(p[1] for p in found))
        windows[day] = _off_shift(plant, hull)
    return windows


def _off_shift(plant: Plant, interval: Interval) -> list[Interval]:
    """The parts of an interval that lie in no occurrence, cut at the production-day starts."""
    start, end = interval
    if end <= start:
        return []
    cuts = {start, end, *(t for t in _day_starts(plant, start, end) if start < t < end)}
    day = plant.production_date(start) - dt.timedelta(days=1)
    while day <= plant.production_date(end):
        for _, window in plant.occurrences(day):
            cuts.update(t for t in window if start < t < end)
        day += dt.timedelta(days=1)
    points = sorted(cuts)
    found: list[Interval] = []
    for lo, hi in zip(points, points[1:], strict=False):
        if plant.occurrence_at(lo)[1] != 0:
            continue
        if found and found[-1][1] == lo and plant.production_date(found[-1][0]) == plant.production_date(lo):
            found[-1] = (found[-1][0], hi)
        else:
            found.append((lo, hi))
    return found
