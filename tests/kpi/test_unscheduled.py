"""The unscheduled occurrence (shift 0), worked by hand: off-shift activity of a work unit is booked into one
occurrence per unit and production day whose POT is the off-shift time from the start of its first off-shift
run piece to the end of its last, so numerator and denominator always cover the same time (docs/kpi.md,
"Unscheduled occurrence").

The plant works two shifts, UA 06:00–14:00 and UB 14:00–22:00, Monday to Friday, in UTC unless a test sets
the zone; a production day starts at 06:00. Times below are seconds."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from equipment.models import EquipmentClass
from mfgplatform.calendar import UNSCHEDULED
from mfgplatform.kpi import compute_kpis

from .factories import add_downtime, add_run, date_key, make_equipment, make_reason, make_shift, only_shifts

TUE = dt.date(2025, 3, 11)
FRI = dt.date(2025, 3, 14)
SAT = dt.date(2025, 3, 15)
SUN = dt.date(2025, 3, 16)
MON = dt.date(2025, 3, 17)
HOUR = 3600
TIME = ("pot_s", "planned_downtime_s", "pbt_s", "adot_s", "adet_s", "aust_s", "apt_s", "aupt_s", "aubt_s")
QUANTITY = ("runs", "pq", "gq", "pri_pq_s", "pri_gq_s")


def at(day: dt.date, hour: int, minute: int = 0, tz: dt.tzinfo = dt.UTC) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def rows(unit) -> dict[tuple[dt.date, int], dict[str, float]]:
    """The unit's rows of agg_time_model: (production day, shift id) → elements."""
    columns = ("production_date", "shift_id", *TIME, *QUANTITY)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM agg_time_model WHERE equipment_id = %s", [unit.pk])
        found = cursor.fetchall()
    return {(r[0], r[1]): dict(zip(columns[2:], map(float, r[2:]), strict=True)) for r in found}


def elements(pot, *, pdt=0, adot=0, adet=0, aust=0, apt=0, runs=0, pq=0, gq=0, pri=60) -> dict[str, float]:
    """A row's expected elements from the disjoint parts of its POT (PBT = POT − PDT, AUPT = APT + AUST,
    AUBT = AUPT + ADET) and its quantities at one PRI."""
    assert pot == pdt + adot + adet + aust + apt
    return {"pot_s": pot, "planned_downtime_s": pdt, "pbt_s": pot - pdt, "adot_s": adot, "adet_s": adet,
            "aust_s": aust, "apt_s": apt, "aupt_s": apt + aust, "aubt_s": apt + aust + adet,
            "runs": runs, "pq": pq, "gq": gq, "pri_pq_s": pri * pq, "pri_gq_s": pri * gq}


def kpis(codes, day_from, day_to=None, **selection) -> dict[str, float | None]:
    results = compute_kpis(codes, start=day_from, end=day_to or day_from, **selection)
    return {r.kpi: r.value for r in results}


@pytest.fixture
def plant():
    weekdays = [1, 2, 3, 4, 5]
    early = make_shift("UA", dt.time(6), dt.time(14), weekdays=weekdays, order=1)
    late = make_shift("UB", dt.time(14), dt.time(22), weekdays=weekdays, order=2)
    only_shifts(early, late)
    failure = make_reason("UN-FAIL", "delay", failure=True, mode="BRD")
    setup = make_reason("UN-SETUP", "setup")
    return early, late, failure, setup


def test_saturday_overtime_without_a_saturday_shift(plant, refresh):
    _, _, failure, _ = plant
    unit = make_equipment("UN-M1", decommissioned_on=MON)
    # Saturday 08:00–12:00 with a failure 09:00–09:30 inside the run; 210 pieces at PRI 60 s fill the
    # 3.5 h the unit ran, 200 of them good.
    add_run(unit, at(SAT, 8), at(SAT, 12), pq=210, gq=200, pri="60")
    add_downtime(unit, failure, at(SAT, 9), at(SAT, 9, 30))
    refresh()
    # W = 08:00–12:00 (4 h, all off shift): POT 14,400 = ADET 1,800 + APT 12,600.
    assert rows(unit) == {(SAT, 0): elements(4 * HOUR, adet=1800, apt=12600, runs=1, pq=210, gq=200)}
    # OEE = PRI·GQ / PBT = 12,000 / 14,400; availability = APT / PBT = 12,600 / 14,400; effectiveness
    # = PRI·PQ / APT = 1. Until now: POT 0 with the quantities, so no day OEE at all (PBT zero), and the
    # week's OEE counted the Saturday's pieces against the weekdays' time.
    assert kpis(["oee", "availability", "effectiveness"], SAT) == pytest.approx(
        {"oee": 12000 / 14400, "availability": 0.875, "effectiveness": 1.0})
    (result,) = compute_kpis(["oee"], start=SAT, end=SAT, granularity="shift")
    assert result.period == f"2025-03-15 {UNSCHEDULED}" == "2025-03-15 Unscheduled"


def test_a_run_continuing_an_hour_past_the_shift_end(plant, refresh):
    early, late, _, _ = plant
    unit = make_equipment("UN-M2", decommissioned_on=TUE + dt.timedelta(days=1))
    # Tuesday: 06:00–14:00 (480 pieces) and 14:00–23:00 (540 pieces), both at PRI 60 s, all good. The
    # second run is 8 h in UB and 1 h after it, when no shift runs.
    add_run(unit, at(TUE, 6), at(TUE, 14), pq=480, gq=480, pri="60")
    add_run(unit, at(TUE, 14), at(TUE, 23), pq=540, gq=540, pri="60")
    refresh()
    assert rows(unit) == {
        (TUE, early.pk): elements(8 * HOUR, apt=8 * HOUR, runs=1, pq=480, gq=480),
        # 8/9 of 540 pieces in UB, 1/9 after it.
        (TUE, late.pk): elements(8 * HOUR, apt=8 * HOUR, runs=1, pq=480, gq=480),
        (TUE, 0): elements(HOUR, apt=HOUR, pq=60, gq=60),
    }
    # Day OEE = 61,200 / (57,600 + 3,600) = 100 %; with the hour's pieces but not its time it read
    # 61,200 / 57,600 = 106.25 %.
    assert kpis(["oee"], TUE) == {"oee": 1.0}
    by_shift = compute_kpis(["oee"], start=TUE, end=TUE, granularity="shift")
    assert {r.period: r.value for r in by_shift} == {
        "2025-03-11 UA": 1.0, "2025-03-11 UB": 1.0, "2025-03-11 Unscheduled": 1.0}
    # The week, the month and the total include the unscheduled occurrence.
    for granularity in ("week", "month", "total"):
        (result,) = compute_kpis(["oee"], start=dt.date(2025, 3, 10), end=SUN, granularity=granularity)
        assert (result.value, float(result.elements["PBT"])) == (1.0, 61200), granularity


def test_two_off_shift_runs_with_a_gap_and_stops(plant, refresh):
    _, _, failure, setup = plant
    unit = make_equipment("UN-M3", decommissioned_on=MON)
    # Saturday: a failure 07:00–08:30 (before and into the first run), runs 08:00–10:00 and 11:00–12:00,
    # a setup 10:00–10:30, nothing 10:30–11:00, a failure 13:00–14:00 after the last run.
    add_downtime(unit, failure, at(SAT, 7), at(SAT, 8, 30))
    add_run(unit, at(SAT, 8), at(SAT, 10), pq=90, gq=90, pri="60")
    add_downtime(unit, setup, at(SAT, 10), at(SAT, 10, 30))
    add_run(unit, at(SAT, 11), at(SAT, 12), pq=60, gq=57, pri="60")
    add_downtime(unit, failure, at(SAT, 13), at(SAT, 14))
    refresh()
    # W = 08:00–12:00: ADET 08:00–08:30 (the failure outranks the run), APT 08:30–10:00 and 11:00–12:00,
    # AUST 10:00–10:30, ADOT the gap 10:30–11:00. The failure time outside W is not OEE time.
    assert rows(unit) == {(SAT, 0): elements(4 * HOUR, adet=1800, apt=5400 + 3600, aust=1800, adot=1800,
                                             runs=2, pq=150, gq=147)}
    assert kpis(["oee", "availability", "effectiveness", "quality_ratio"], SAT) == pytest.approx(
        {"oee": 8820 / 14400, "availability": 9000 / 14400, "effectiveness": 1.0, "quality_ratio": 0.98})
    # Both failures still count for reliability, whole.
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(failures), sum(ttr_s) FROM mv_reliability_event WHERE equipment_id = %s",
                       [unit.pk])
        assert tuple(map(float, cursor.fetchone())) == (2, 5400 + 3600)


def test_a_weekend_breakdown_without_runs_makes_no_unscheduled_occurrence(plant, refresh):
    early, late, failure, _ = plant
    unit = make_equipment("UN-M4", decommissioned_on=MON)
    add_run(unit, at(FRI, 6), at(FRI, 14), pq=480, gq=480, pri="60")
    # Down from Saturday 08:00 to Monday 05:00, when no shift runs.
    add_downtime(unit, failure, at(SAT, 8), at(MON, 5))
    refresh()
    assert rows(unit) == {
        (FRI, early.pk): elements(8 * HOUR, apt=8 * HOUR, runs=1, pq=480, gq=480),
        (FRI, late.pk): elements(8 * HOUR, adot=8 * HOUR),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(failures), sum(ttr_s) FROM mv_reliability_event WHERE equipment_id = %s",
                       [unit.pk])
        assert tuple(map(float, cursor.fetchone())) == (1, 45 * HOUR)


def test_support_equipment_stays_out(plant, refresh):
    _, _, failure, _ = plant
    line = make_equipment("UN-LINE", level=5)
    pumps = EquipmentClass.objects.create(code="UNP", name="Test pumps", category="rotating", is_work_unit=False)
    machine = make_equipment("UN-M5", parent=line, decommissioned_on=MON)
    pump = make_equipment("UN-P1", parent=line, cls=pumps, decommissioned_on=MON)
    add_run(machine, at(SAT, 8), at(SAT, 12), pq=240, gq=240, pri="60")
    # The pump fails on Saturday and records no run: no unscheduled occurrence.
    add_downtime(pump, failure, at(SAT, 9), at(SAT, 11))
    refresh()
    assert rows(pump) == {}
    assert rows(machine) == {(SAT, 0): elements(4 * HOUR, apt=4 * HOUR, runs=1, pq=240, gq=240)}
    assert kpis(["oee", "availability"], SAT, equipment=["UN-LINE"]) == {"oee": 1.0, "availability": 1.0}
    assert kpis(["oee", "availability"], SAT) == {"oee": 1.0, "availability": 1.0}


def test_an_off_shift_run_across_the_production_day_start_is_split_between_the_days(plant, refresh):
    unit = make_equipment("UN-M6", decommissioned_on=MON)
    # Saturday 20:00 to Sunday 08:00: 10 h in Saturday's production day (to 06:00), 2 h in Sunday's.
    add_run(unit, at(SAT, 20), at(SUN, 8), pq=720, gq=720, pri="60")
    refresh()
    assert rows(unit) == {
        (SAT, 0): elements(10 * HOUR, apt=10 * HOUR, runs=1, pq=600, gq=600),
        (SUN, 0): elements(2 * HOUR, apt=2 * HOUR, pq=120, gq=120),
    }


@pytest.mark.parametrize(("saturday", "hours"), [(dt.date(2025, 3, 29), 5), (dt.date(2025, 10, 25), 7)],
                         ids=["spring", "autumn"])
def test_a_daylight_saving_night_in_berlin(plant, refresh, settings, saturday, hours):
    from zoneinfo import ZoneInfo

    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    berlin = ZoneInfo("Europe/Berlin")
    unit = make_equipment("UN-M8", decommissioned_on=saturday + dt.timedelta(days=2))
    # Saturday 22:00 to Sunday 04:00 local: 6 h on the clock, 5 h elapsed into the spring change (02:00 →
    # 03:00) and 7 h into the autumn change (03:00 → 02:00). PQ fills the elapsed time at PRI 60 s.
    sunday = saturday + dt.timedelta(days=1)
    add_run(unit, at(saturday, 22, tz=berlin), at(sunday, 4, tz=berlin), pq=60 * hours, gq=60 * hours, pri="60")
    refresh()
    assert rows(unit) == {
        (saturday, 0): elements(hours * HOUR, apt=hours * HOUR, runs=1, pq=60 * hours, gq=60 * hours)}
    assert kpis(["oee"], saturday) == {"oee": 1.0}


def test_the_cli_names_the_unscheduled_occurrence(plant, refresh):
    unit = make_equipment("UN-M9", decommissioned_on=MON)
    add_run(unit, at(SAT, 8), at(SAT, 12), pq=240, gq=240, pri="60")
    refresh()
    common = ["oee", "--equipment", "UN-M9", "--from", "2025-03-15", "--to", "2025-03-15", "--granularity", "shift"]
    out = StringIO()
    call_command("kpi", *common, "--format", "csv", stdout=out)
    assert "2025-03-15 Unscheduled" in out.getvalue()
    # The unscheduled occurrence alone, by its name.
    out = StringIO()
    call_command("kpi", *common, "--shift", "Unscheduled", "--format", "csv", stdout=out)
    assert "2025-03-15 Unscheduled" in out.getvalue()


def test_date_key_of_the_unscheduled_row(plant, refresh):
    unit = make_equipment("UN-M10", decommissioned_on=MON)
    add_run(unit, at(SAT, 8), at(SAT, 9), pq=60, gq=60, pri="60")
    refresh()
    with connection.cursor() as cursor:
        cursor.execute("SELECT date_key, shift_id FROM agg_time_model WHERE equipment_id = %s", [unit.pk])
        assert cursor.fetchall() == [(date_key(SAT), 0)]


def test_a_new_production_day_start_moves_off_shift_time_to_its_new_day(plant, refresh, settings,
                                                                       django_user_model):
    unit = make_equipment("UN-M11", decommissioned_on=MON)
    # Saturday 05:00–07:00, no shift before Monday: with the day from 06:00 the first hour is Friday's
    # off-shift time, the second Saturday's.
    add_run(unit, at(SAT, 5), at(SAT, 7), pq=120, gq=120, pri="60")
    refresh()
    unscheduled = {key: row for key, row in rows(unit).items() if key[1] == 0}
    assert unscheduled == {(FRI, 0): elements(HOUR, apt=HOUR, runs=1, pq=60, gq=60),
                           (SAT, 0): elements(HOUR, apt=HOUR, pq=60, gq=60)}
    # From 05:00 the shifts' windows are the same, but the whole run lies in Saturday's production day;
    # the audited change rebuilds the table.
    settings.PRODUCTION_DAY_START = "05:00"
    django_user_model.objects.create_user("planner")
    call_command("rezone_calendar", "--user", "planner", "--reason", "day from 05:00", stdout=StringIO())
    assert rows(unit) == {(SAT, 0): elements(2 * HOUR, apt=2 * HOUR, runs=1, pq=120, gq=120)}
