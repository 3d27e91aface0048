"""Property: the views equal the plain-Python reference (mfgplatform.kpi.reference) on random facts in
Europe/Berlin around both daylight-saving nights: positioned breaks with runs around and through them,
failures over breaks, runs spanning shift occurrences, overlapping and open stops, support pumps with and
without a commissioning date.

The first calendar has a shift at every hour of every day, so nothing runs off shift; the second has
gaps (no night shift, no weekend), so runs go off shift into unscheduled occurrences."""

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from equipment.models import EquipmentClass
from mfgplatform.kpi import compute_kpis
from mfgplatform.kpi.reference import ReferenceFetch, compare_with_views, compute, describe
from mfgplatform.kpi.reference.plant import EPOCH, wall_clock
from mfgplatform.models import DimUnitOfMeasure
from quality.models import DefectType, FactScrap

from .factories import (
    add_downtime,
    add_inspection,
    add_run,
    date_key,
    make_equipment,
    make_reason,
    make_shift,
    only_shifts,
    product,
)

BERLIN = "Europe/Berlin"
PROFILE = settings.get_profile(os.environ.get("KPI_REFERENCE_PROFILE", "kpi-reference"))
EVERY_DAY = range(1, 8)
# Three days around each change: the night into 30 March 2025 lasts 7 h, the night into 26 October 9 h.
WINDOWS = {"spring": dt.date(2025, 3, 28), "autumn": dt.date(2025, 10, 24)}
WINDOW_DAYS = 3
SERVICE_END = dt.date(2025, 10, 29)
COMMISSIONED = dt.date(2025, 3, 29)
REASONS = [("R-PLAN", "planned_downtime", {}), ("R-FAIL", "delay", {"failure": True, "mode": "BRD"}),
           ("R-MINOR", "delay", {"minor": True}), ("R-SETUP", "setup", {}), ("R-IDLE", "idle", {}),
           ("R-PM", "planned_downtime", {"maintenance": "preventive"}), ("R-NONE", "", {"maintenance": "corrective"})]
# Wall-clock instants facts like to start or end at: shift changes and break edges.
LANDMARK_CLOCKS = [dt.time(6), dt.time(9, 45), dt.time(10, 15), dt.time(12), dt.time(12, 10), dt.time(14),
                   dt.time(18), dt.time(18, 15), dt.time(22), dt.time(1, 45), dt.time(3, 15)]
KPIS = ["oee", "availability", "effectiveness", "quality_ratio", "mtbf", "mttr", "failure_rate",
        "availability_iso14224", "corrective_maintenance_ratio", "fpy", "dpmo"]


def _instant(micro: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=micro)


def landmarks(first: dt.date, days: int, tz: str) -> list[dt.datetime]:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    return [_instant(wall_clock(first + dt.timedelta(days=n), clock, zone))
            for n in range(days) for clock in LANDMARK_CLOCKS]


def instants(first: dt.date, days: int, tz: str):
    """Mostly at or near a shift change or break edge (within 20 minutes), otherwise anywhere."""
    marks = landmarks(first, days, tz)
    origin = _instant(wall_clock(first, dt.time(0), __import__("zoneinfo").ZoneInfo(tz)))
    near = st.tuples(st.sampled_from(marks), st.sampled_from([0, 0, 0, 60, 300, 1200]), st.sampled_from([-1, 1])
                     ).map(lambda t: t[0] + dt.timedelta(seconds=t[1] * t[2]))
    anywhere = st.integers(0, days * 86_400 - 1).map(lambda s: origin + dt.timedelta(seconds=s))
    return st.one_of(near, near, anywhere)


def facts(first: dt.date, days: int, tz: str, units: int):
    moment = instants(first, days, tz)
    stop = st.tuples(st.integers(0, units - 1), st.integers(0, len(REASONS) - 1), moment,
                     st.one_of(moment, st.integers(60, 10 * 3600)), st.integers(0, 25))
    run = st.tuples(st.integers(0, 1), moment, st.one_of(moment, st.integers(0, 14 * 3600)), st.integers(0, 500),
                    st.integers(0, 100), st.decimals(min_value=Decimal("0.5"), max_value=Decimal("60"), places=2),
                    st.sampled_from(["", "", "PO-1", "PO-2"]))
    inspection = st.tuples(st.integers(0, 1), moment, st.integers(1, 50), st.integers(0, 5), st.integers(0, 8),
                           st.one_of(st.none(), st.integers(0, 40)), st.booleans())
    scrap = st.tuples(st.integers(0, 1), moment, st.integers(1, 20), st.booleans())
    return st.tuples(st.lists(stop, max_size=10), st.lists(run, max_size=8), st.lists(inspection, max_size=4),
                     st.lists(scrap, max_size=3))


def _end(start: dt.datetime, end) -> dt.datetime:
    """An end given as an instant (ordered after the start) or as seconds after it."""
    if isinstance(end, int):
        return start + dt.timedelta(seconds=end)
    return max(start, end) if end >= start else start + (start - end)


def insert(units, reasons, stops, runs, inspections=(), scraps=()):
    for unit_index, reason_index, start, end, open_roll in stops:
        # About one stop in 25 is still open: it runs to now.
        end = max(_end(start, end), start + dt.timedelta(minutes=1))  # a stop lasts
        add_downtime(units[unit_index], reasons[reason_index], start, None if open_roll == 0 else end)
    for unit_index, start, end, produced, bad_share, pri, order in runs:
        bad = produced * bad_share // 100
        end = max(_end(start, end), start + dt.timedelta(seconds=1))  # a run lasts
        add_run(units[unit_index], start, end, pq=produced, gq=produced - bad, sq=bad // 2,
                rq=bad - bad // 2, psq=bad // 3, pri=pri, order=order)
    defect = DefectType.objects.get_or_create(code="RF-SCRATCH", defaults={"name": "Scratch", "category": "visual"})[0]
    for unit_index, at, inspected, defective, defects, first_pass, typed in inspections:
        add_inspection(units[unit_index], at, inspected=inspected, defective=min(defective, inspected), defects=defects,
                       first_pass_good=None if first_pass is None else min(first_pass, inspected),
                       defect_type=defect if typed else None, prod=product("RF-P", opportunities=3))
    for unit_index, at, quantity, planned in scraps:
        FactScrap.objects.create(equipment=units[unit_index], occurred_at=at, product=product("RF-P", opportunities=3),
                                 reason=defect, quantity=quantity, unit=DimUnitOfMeasure.objects.first(),
                                 is_planned=planned, cost=quantity * 2, date_id=date_key(at.date()))


def assert_views_equal_reference(first: dt.date, last: dt.date, equipment_code: str):
    reference = compute(first, last)
    differences = compare_with_views(reference)
    assert not differences, describe(differences)
    for row in reference.time_model.values():
        v = row.values
        assert v["pot_s"] == v["pbt_s"] + v["planned_downtime_s"]
        assert v["pbt_s"] == v["aubt_s"] + v["adot_s"]
    options = {"equipment": [equipment_code], "start": first, "end": last, "granularity": "day",
               "group_by": "equipment"}
    from_views = compute_kpis(KPIS, **options)
    from_reference = compute_kpis(KPIS, fetch=ReferenceFetch(), **options)
    assert [(r.kpi, r.period, r.group) for r in from_views] == [(r.kpi, r.period, r.group) for r in from_reference]
    for view, ref in zip(from_views, from_reference, strict=True):
        assert (view.value is None) == (ref.value is None), (view.kpi, view.period, view.group, view.reason, ref.reason)
        if view.value is not None:
            assert view.value == pytest.approx(ref.value, rel=1e-9, abs=1e-9), (view.kpi, view.period, view.group)
    return reference


def around(first: dt.date) -> tuple[dt.date, dt.date]:
    """The production days the facts of a window can reach, with a margin of a day."""
    return first - dt.timedelta(days=2), first + dt.timedelta(days=WINDOW_DAYS + 1)


def make_units(prefix: str):
    line = make_equipment(f"{prefix}-LINE", level=5)
    pumps = EquipmentClass.objects.get_or_create(code="TPP", defaults={
        "name": "Test pumps", "category": "rotating", "is_work_unit": False})[0]
    units = [make_equipment(f"{prefix}-M{i}", parent=line, decommissioned_on=SERVICE_END) for i in (1, 2)]
    # The second machine is commissioned in the middle of the spring window: no occurrence before.
    units[1].commissioned_on = COMMISSIONED
    units[1].save()
    units.append(make_equipment(f"{prefix}-P1", parent=line, cls=pumps, decommissioned_on=SERVICE_END))
    # A second pump with a commissioning date: in service from then (from the first fact of all in the autumn
    # window), stops or not; the first pump has none and is in service from its own first stop.
    units.append(make_equipment(f"{prefix}-P2", parent=line, cls=pumps, decommissioned_on=SERVICE_END))
    units[3].commissioned_on = COMMISSIONED
    units[3].save()
    reasons = [make_reason(f"{prefix}{code}", category, **options) for code, category, options in REASONS]
    return units, reasons


@pytest.fixture(params=["three shifts", "with an overlapping pattern"])
def berlin_plant(request, settings, refresh):
    settings.PLANT_TIME_ZONE = BERLIN
    shifts = [
        # Two breaks on the morning shift (the default position 09:45 and 12:00), one in the evening, one after
        # midnight on the night shift (01:45 + 30 elapsed minutes, across the spring change).
        make_shift("RA", dt.time(6), dt.time(14), break_minutes=30, breaks=[(dt.time(12), 10)], weekdays=EVERY_DAY,
                   order=1),
        make_shift("RB", dt.time(14), dt.time(22), breaks=[(dt.time(18), 15)], weekdays=EVERY_DAY, order=2),
        make_shift("RC", dt.time(22), dt.time(6), breaks=[(dt.time(1, 45), 30)], weekdays=EVERY_DAY, order=3),
    ]
    if request.param == "with an overlapping pattern":
        # A maintenance crew's day across two production shifts on some days: each occurrence keeps its own
        # time model; an instant's quantities go to the occurrence that starts first.
        shifts.append(make_shift("RD", dt.time(10), dt.time(18), breaks=[(dt.time(12), 20)], weekdays=[5, 6, 7],
                                 order=4))
    only_shifts(*shifts)
    units, reasons = make_units("RF")
    refresh("mv_shift_occurrence")
    return units, reasons


@settings(PROFILE)
@given(data=st.data(), window=st.sampled_from(sorted(WINDOWS)))
def test_views_equal_the_reference_around_daylight_saving(berlin_plant, refresh, data, window):
    units, reasons = berlin_plant
    first = WINDOWS[window]
    drawn = data.draw(facts(first, WINDOW_DAYS, BERLIN, len(units)))
    with transaction.atomic():
        insert(units, reasons, *drawn)
        refresh("agg_time_model", "mv_reliability_event", "agg_downtime_by_reason", "mv_quality_by_defect")
        assert_views_equal_reference(*around(first), "RF-LINE")
        transaction.set_rollback(True)


@pytest.fixture
def gapped_plant(settings, refresh):
    """Shifts on working days only, no night shift: evenings, nights and weekends are off shift."""
    settings.PLANT_TIME_ZONE = BERLIN
    only_shifts(
        make_shift("GA", dt.time(6), dt.time(14), break_minutes=30, order=1),
        make_shift("GB", dt.time(14), dt.time(22), breaks=[(dt.time(18), 15)], weekdays=[1, 2, 3, 4, 5], order=2),
    )
    units, reasons = make_units("RG")
    refresh("mv_shift_occurrence")
    return units, reasons


@settings(PROFILE)
@given(data=st.data(), window=st.sampled_from(sorted(WINDOWS)))
def test_views_equal_the_reference_with_off_shift_runs(gapped_plant, refresh, data, window):
    units, reasons = gapped_plant
    first = WINDOWS[window]
    drawn = data.draw(facts(first, WINDOW_DAYS, BERLIN, len(units)))
    with transaction.atomic():
        insert(units, reasons, *drawn)
        refresh("agg_time_model", "mv_reliability_event", "agg_downtime_by_reason", "mv_quality_by_defect")
        assert_views_equal_reference(*around(first), "RG-LINE")
        transaction.set_rollback(True)
