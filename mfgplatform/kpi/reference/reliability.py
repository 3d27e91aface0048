"""ISO 14224 reliability elements in plain Python (docs/kpi.md, "Other views", and reliability/kpis.py):

- per unit × occurrence of the stop's start × failure mode × maintenance category: failures FE (stops
  whose reason is a failure), the restored ones and their restoration time TTR = end − start, active
  repair time, the time since the unit's previous failure ended (TBF, elapsed), corrective maintenance
  time CMT (failures and corrective stops) and preventive maintenance time PMT;
- per support unit × production day in service: time in service and operating time = time in service
  minus the union of all its stops (support equipment runs continuously, outside the shift calendar).

MTBF = ΣOT / FE with OT the AUPT of the work units (from the time model) plus the support operating
time; MTTR = ΣTTR / restored failures; λ = FE / ΣOT; availability = OT / (OT + TTR).
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from .facts import Stop, Unit
from .intervals import clip, length, union
from .plant import ONE_DAY, UNSCHEDULED, Plant, date_key
from .time_model import seconds

EVENT_COLUMNS = ("failures", "restored_failures", "ttr_s", "active_repair_s", "tbf_elapsed_s", "tbf_count",
                 "cmt_s", "pmt_s")
SUPPORT_COLUMNS = ("in_service_s", "downtime_s", "operating_s")

EventKey = tuple[int, int, int, int, str]  # equipment, date_key, shift_id, failure mode, maintenance category


def reliability_events(plant: Plant, stops: list[Stop], previous_failures: dict[int, list[Stop]]) -> dict[
        EventKey, dict]:
    """{key: {production_date, failures, …}} for the stops that start in plant.first … plant.last."""
    rows: dict[EventKey, dict] = {}
    previous: dict[int, Stop] = {}
    for unit_id, earlier in previous_failures.items():
        previous[unit_id] = max(earlier, key=lambda s: (s.lo, s.id))
    for stop in sorted(stops, key=lambda s: (s.lo, s.id)):
        since = None
        if stop.is_failure:
            before = previous.get(stop.equipment_id)
            if before is not None and before.hi is not None and stop.lo >= before.hi:
                since = seconds(stop.lo - before.hi)
            previous[stop.equipment_id] = stop
        if not stop.is_failure and stop.maintenance_category == "none":
            continue
        owner = plant.owner(stop.lo)
        day, shift_id = (owner.production_date, owner.shift_id) if owner else (
            plant.production_date(stop.lo), UNSCHEDULED)
        if not plant.first <= day <= plant.last:
            continue
        key = (stop.equipment_id, date_key(day), shift_id, stop.failure_mode_id, stop.maintenance_category)
        row = rows.setdefault(key, {"production_date": day, **dict.fromkeys(EVENT_COLUMNS, Fraction(0))})
        duration = seconds(max(stop.lo, stop.hi if stop.hi is not None else plant.now) - stop.lo)
        if stop.is_failure:
            row["failures"] += 1
            row["active_repair_s"] += Fraction(stop.active_repair_s)
            if stop.hi is not None:
                row["restored_failures"] += 1
                row["ttr_s"] += duration
        if since is not None:
            row["tbf_elapsed_s"] += since
            row["tbf_count"] += 1
        if stop.is_failure or stop.maintenance_category == "corrective":
            row["cmt_s"] += duration
        elif stop.maintenance_category == "preventive":
            row["pmt_s"] += duration
    return rows


def support_operation(plant: Plant, units: dict[int, Unit], stops: list[Stop]) -> dict[tuple[int, int], dict]:
    """{(equipment_id, date_key): {production_date, in_service_s, downtime_s, operating_s}} per support
    unit and production day in service (from its first fact's day, not before commissioning, until
    decommissioning, up to now)."""
    down = defaultdict(list)
    for stop in stops:
        down[stop.equipment_id].append((stop.lo, max(stop.lo, stop.hi if stop.hi is not None else plant.now)))
    rows = {}
    for unit in units.values():
        if unit.is_work_unit:
            continue
        merged = union(down[unit.id])
        day = max(plant.first, unit.first_day)
        while day <= plant.last and (unit.decommissioned_on is None or day < unit.decommissioned_on):
            lo = plant.day_start_at(day)
            if lo >= plant.now:
                break
            hi = min(plant.day_start_at(day + ONE_DAY), plant.now)
            if day not in plant.days:  # the calendar has no such day
                day += ONE_DAY
                continue
            in_service, downtime = seconds(hi - lo), seconds(length(clip(merged, lo, hi)))
            rows[(unit.id, date_key(day))] = {"production_date": day, "in_service_s": in_service,
                                              "downtime_s": downtime, "operating_s": in_service - downtime}
            day += ONE_DAY
    return rows

