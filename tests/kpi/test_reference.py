"""The plain-Python reference (mfgplatform.kpi.reference) worked by hand, straight from facts without any
view, and the two commands that compare the views with it reporting a view that disagrees."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from equipment.models import EquipmentClass
from mfgplatform.aggregates.calendar_settings import CalendarSettingsChanged
from mfgplatform.compliance.verification import check_kpis_match_reference
from mfgplatform.kpi.reference import compare_with_views, compute
from mfgplatform.kpi.reference.intervals import intersect, length, subtract, union

from .factories import add_downtime, add_run, date_key, make_equipment, make_reason, make_shift, only_shifts

DAY = dt.date(2025, 3, 11)  # a Tuesday
SATURDAY = dt.date(2025, 3, 15)
MINUTE = 60
ELEMENTS = {"POT": "pot_s", "PDT": "planned_downtime_s", "PBT": "pbt_s", "ADOT": "adot_s", "ADET": "adet_s",
            "AUST": "aust_s", "APT": "apt_s"}


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def test_interval_sets():
    assert union([(5, 7), (1, 3), (2, 4), (7, 8)]) == [(1, 4), (5, 8)]
    assert intersect([(0, 10), (20, 30)], [(5, 25)]) == [(5, 10), (20, 25)]
    assert subtract([(0, 10), (20, 30)], [(2, 3), (5, 22), (29, 40)]) == [(0, 2), (3, 5), (22, 29)]
    assert length(subtract([(0, 10)], [])) == 10


@pytest.fixture
def shift():
    """06:00–14:00 (weekdays) with one 30-minute break at 10:00."""
    early = make_shift("REF", dt.time(6), dt.time(14), break_minutes=30, break_at=dt.time(10))
    only_shifts(early)
    return early


@pytest.fixture
def unit():
    return make_equipment("REF-M1", decommissioned_on=SATURDAY + dt.timedelta(days=1))


def minutes(row) -> dict[str, float]:
    return {name: float(row.values[column]) / MINUTE for name, column in ELEMENTS.items()}


def test_breaks_worked_by_hand(shift, unit):
    failure = make_reason("REF-FAIL", "delay", failure=True, mode="BRD")
    day = dt.date(2025, 3, 12)
    # Runs around the break on the 11th; a failure over the break on the 12th.
    add_run(unit, at(6), at(10), pq=240, gq=240)
    add_run(unit, at(10, 30), at(14), pq=210, gq=210)
    add_run(unit, at(6, day=day), at(10, day=day), pq=1, gq=1)
    add_run(unit, at(10, 40, day=day), at(14, day=day), pq=1, gq=1)
    add_downtime(unit, failure, at(9, 50, day=day), at(10, 40, day=day))
    reference = compute(DAY, day)
    around = reference.time_model[(unit.pk, date_key(DAY), shift.pk)]
    assert minutes(around) == {"POT": 480, "PDT": 30, "PBT": 450, "ADOT": 0, "ADET": 0, "AUST": 0, "APT": 450}
    # 10 min of the failure before the break and 10 after are ADET; the break itself stays planned.
    over = reference.time_model[(unit.pk, date_key(day), shift.pk)]
    assert minutes(over) == {"POT": 480, "PDT": 30, "PBT": 450, "ADOT": 0, "ADET": 20, "AUST": 0, "APT": 430}


def test_a_run_through_the_break_and_across_the_shift_end(shift, unit):
    # 06:00–16:00: through the break (production time), then two hours after the shift, off shift.
    add_run(unit, at(6), at(16), pq=600, gq=540, pri="60")
    reference = compute(DAY, DAY)
    in_shift = reference.time_model[(unit.pk, date_key(DAY), shift.pk)]
    assert minutes(in_shift) == {"POT": 480, "PDT": 0, "PBT": 480, "ADOT": 0, "ADET": 0, "AUST": 0, "APT": 480}
    # The quantities follow the time: 480 of 600 minutes in the shift, 120 in the unscheduled occurrence.
    assert (in_shift.values["pq"], in_shift.values["gq"], in_shift.values["pri_pq_s"]) == (480, 432, 28_800)
    unscheduled = reference.time_model[(unit.pk, date_key(DAY), 0)]
    assert minutes(unscheduled) == {"POT": 120, "PDT": 0, "PBT": 120, "ADOT": 0, "ADET": 0, "AUST": 0, "APT": 120}
    assert (unscheduled.values["pq"], unscheduled.values["runs"]) == (120, 0)


def test_saturday_overtime_is_an_unscheduled_occurrence(shift, unit):
    idle = make_reason("REF-IDLE", "idle")
    # No Saturday shift. Runs 08:00–10:00 and 11:00–12:00 with an idle stop 10:00–10:20: the unscheduled
    # window is 08:00–12:00 (POT 240): APT 180, ADOT 60 (20 booked idle + 40 unrecorded).
    add_run(unit, at(8, day=SATURDAY), at(10, day=SATURDAY), pq=120, gq=120, pri="60")
    add_run(unit, at(11, day=SATURDAY), at(12, day=SATURDAY), pq=60, gq=54, pri="60")
    add_downtime(unit, idle, at(10, day=SATURDAY), at(10, 20, day=SATURDAY))
    row = compute(SATURDAY, SATURDAY).time_model[(unit.pk, date_key(SATURDAY), 0)]
    assert minutes(row) == {"POT": 240, "PDT": 0, "PBT": 240, "ADOT": 60, "ADET": 0, "AUST": 0, "APT": 180}
    # OEE = PRI·GQ / PBT = 60 × 174 / (240 × 60) = 72.5 %, numerator and denominator over the same time.
    assert row.values["pri_gq_s"] / row.values["pbt_s"] == pytest.approx(0.725)


def test_a_pump_runs_continuously(unit):
    pumps = EquipmentClass.objects.create(code="REFP", name="Pumps", category="rotating", is_work_unit=False)
    pump = make_equipment("REF-P1", cls=pumps, decommissioned_on=DAY + dt.timedelta(days=1))
    failure = make_reason("REF-PFAIL", "delay", failure=True, mode="BRD")
    add_downtime(pump, failure, at(10), at(12))
    reference = compute(DAY, DAY)
    # In service the production day from 06:00 to 06:00 (24 h), down 2 h: OT 22 h, MTBF 22 h, MTTR 2 h.
    support = reference.support[(pump.pk, date_key(DAY))]
    assert (support["in_service_s"], support["operating_s"]) == (24 * 3600, 22 * 3600)
    [event] = [row for key, row in reference.events.items() if key[0] == pump.pk]
    assert (event["failures"], event["restored_failures"], event["ttr_s"]) == (1, 1, 2 * 3600)
    assert not [key for key in reference.time_model if key[0] == pump.pk]  # no OEE row for support equipment


@pytest.fixture
def tampered(shift, unit, refresh):
    """A unit's day through the views, with one element of the view changed by hand: 10 min of APT
    booked as ADOT, as a wrong break rule would."""
    add_run(unit, at(6), at(10), pq=240, gq=240, pri="60")
    add_run(unit, at(10, 30), at(14), pq=210, gq=210, pri="60")
    refresh()
    assert compare_with_views(compute(DAY - dt.timedelta(days=1), DAY)) == []
    with connection.cursor() as cursor:
        cursor.execute("UPDATE agg_time_model SET apt_s = apt_s - 600, aupt_s = aupt_s - 600, aubt_s = aubt_s - 600,"
                       " adot_s = adot_s + 600 WHERE equipment_id = %s AND date_key = %s", [unit.pk, date_key(DAY)])
    return unit


def test_verify_names_the_unit_occurrence_and_element_that_differ(tampered):
    result = check_kpis_match_reference(today=DAY + dt.timedelta(days=1))
    assert not result.passed
    assert "agg_time_model REF-M1 2025-03-11 REF apt_s: view 26400, reference 27000" in result.detail
    # ADOT, APT, AUPT, AUBT of the row; availability and effectiveness (OEE = PRI·GQ / PBT is unchanged).
    assert result.detail.startswith("6 differences")


def test_kpi_from_facts_lists_the_differences_and_fails(tampered):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="the views differ from the reference in 5 places"):
        call_command("kpi", "oee", "availability", "--equipment", "REF-M1", "--from", "2025-03-11", "--to",
                     "2025-03-11", "--from-facts", stdout=out, stderr=err)
    # The KPIs printed are the reference's: availability 450 / 450.
    assert "availability" in out.getvalue()
    assert "100" in out.getvalue()
    report = err.getvalue()
    assert "agg_time_model REF-M1 2025-03-11 REF adot_s: view 600, reference 0" in report
    assert "availability  2025-03-11..2025-03-11: view 0.977777" in report


def test_kpi_from_facts_confirms_equal_views(shift, unit, refresh):
    add_run(unit, at(6), at(14), pq=480, gq=470, pri="60")
    refresh()
    err = StringIO()
    call_command("kpi", "oee", "fpy", "--from", "2025-03-11", "--to", "2025-03-11", "--from-facts", stdout=StringIO(),
                 stderr=err)
    assert "The views equal the reference" in err.getvalue()


def test_the_reference_refuses_a_calendar_the_views_were_not_computed_with(settings, refresh):
    refresh("mv_shift_occurrence")  # the database computes with UTC, as the settings say
    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    with pytest.raises(CalendarSettingsChanged, match="the settings say Europe/Berlin, production day from 06:00, "
                                                      "but the history was computed with UTC"):
        compute(DAY, DAY)
    with pytest.raises(CommandError, match="rezone_calendar"):
        call_command("kpi", "oee", "--from", "2025-03-11", "--to", "2025-03-11", "--from-facts", stdout=StringIO(),
                     stderr=StringIO())
