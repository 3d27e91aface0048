"""A plain-Python reference of the time and quantity model, computed from the raw facts with the
rules docs/kpi.md states, to check the SQL views against."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from mfgplatform import calendar

Interval = tuple[dt.datetime, dt.datetime]
CATEGORIES = ("planned_downtime", "delay", "setup", "idle")


def merge(intervals) -> list[Interval]:
    merged: list[list[dt.datetime]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def subtract(intervals, removed) -> list[Interval]:
    result = merge(intervals)
    for r_start, r_end in merge(removed):
        pieces = []
        for start, end in result:
            if r_end <= start or r_start >= end:
                pieces.append((start, end))
                continue
            if start < r_start:
                pieces.append((start, r_start))
            if r_end < end:
                pieces.append((r_end, end))
        result = pieces
    return result


def clip(interval: Interval, window: Interval) -> Interval | None:
    start, end = max(interval[0], window[0]), min(interval[1], window[1])
    return (start, end) if end > start else None


def seconds(intervals) -> Decimal:
    return sum((Decimal(str((e - s).total_seconds())) for s, e in merge(intervals)), Decimal(0))


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
    for key, quantities in _quantities(plant, runs).items():
        row = rows.setdefault(key, dict.fromkeys(TIME_COLUMNS, ZERO))
        row.update(quantities)
    for row in rows.values():
        for column in QUANTITY_COLUMNS:
            row.setdefault(column, ZERO)
    return rows


def _occurrence_elements(plant: Plant, window: Interval, shift, runs, downtimes) -> dict[str, Decimal]:
    booked: dict[str, list[Interval]] = defaultdict(list)
    for stop in downtimes:
        end = max(stop.started_at, stop.ended_at or plant.now)
        piece = clip((stop.started_at, end), window)
        if piece and stop.reason.time_category in CATEGORIES:
            booked[stop.reason.time_category].append(piece)
            if stop.reason.is_minor_stop:
                booked["minor"].append(piece)
    booked["run"] = [p for p in (clip((r.started_at, r.ended_at), window) for r in runs) if p]
    planned = merge(booked["planned_downtime"])
    delay = subtract(booked["delay"], planned)
    minor = subtract(booked["minor"], planned)
    setup = subtract(booked["setup"], planned + booked["delay"])
    idle = subtract(booked["idle"], planned + booked["delay"] + booked["setup"])
    run = subtract(booked["run"], planned + booked["delay"] + booked["setup"] + booked["idle"])
    pot = Decimal(str((window[1] - window[0]).total_seconds()))
    p, d, s, i, r = (seconds(x) for x in (planned, delay, setup, idle, run))
    free = pot - p - d - s - i - r
    breaks = Decimal(shift.planned_break_minutes * 60)
    from_run = min(breaks, r)
    from_free = min(breaks - from_run, free)
    apt = r - from_run
    return {
        "pot_s": pot, "planned_downtime_s": p + from_run + from_free, "pbt_s": pot - p - from_run - from_free,
        "adot_s": i + free - from_free, "adet_s": d, "minor_stop_s": seconds(minor), "aust_s": s, "apt_s": apt,
        "aupt_s": apt + s, "aubt_s": apt + s + d,
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
    for run in runs:
        key = (run.equipment_id, *plant.occurrence_at(run.started_at))
        row = result.setdefault(key, dict.fromkeys(QUANTITY_COLUMNS, ZERO))
        row["runs"] += 1
        row["pq"] += run.produced_qty
        row["gq"] += run.good_qty
        row["sq"] += run.scrap_qty
        row["rq"] += run.rework_qty
        row["psq"] += run.planned_scrap_qty
        row["pri_pq_s"] += run.pri_seconds * run.produced_qty
        row["pri_gq_s"] += run.pri_seconds * run.good_qty
        if run.id in first_runs:
            row["orders"] += 1
            row["aoet_s"] += first_runs[run.id][0]
            row["order_pq"] += first_runs[run.id][1]
    return result
