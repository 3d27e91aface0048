"""Work units and support equipment, worked by hand: only work units enter OEE and its roll-ups; a pump
that runs continuously gets its ISO 14224 operating time from its time in service minus its downtime."""

import datetime as dt

import pytest

from equipment.models import EquipmentClass
from mfgplatform.kpi import compute_kpis

from .factories import add_downtime, add_run, make_equipment, make_reason, make_shift, only_shifts

DAY = dt.date(2025, 3, 11)  # a Tuesday


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def value(code: str, end: dt.date = DAY, **selection):
    (result,) = compute_kpis([code], start=DAY, end=end, **selection)
    return result


@pytest.fixture
def plant(refresh):
    only_shifts(make_shift("SUP", dt.time(6), dt.time(14)))
    line = make_equipment("SUP-LINE", level=5)
    pumps = EquipmentClass.objects.create(code="TPP", name="Test pumps", category="rotating", is_work_unit=False)
    end = DAY + dt.timedelta(days=1)
    machine = make_equipment("SUP-M1", parent=line, decommissioned_on=end)
    pump = make_equipment("SUP-P1", parent=line, cls=pumps, decommissioned_on=end)
    failure = make_reason("SUP-FAIL", "delay", failure=True, mode="BRD")
    # The machine runs its whole shift at PRI: OEE 100 %. The pump fails 10:00–12:00.
    add_run(machine, at(6), at(14), pq=480, gq=480, pri="60")
    add_downtime(pump, failure, at(10), at(12))
    refresh()
    return machine, pump, pumps


def test_support_equipment_stays_out_of_oee(plant):
    # Only the machine is a work unit: plant and line OEE = PRI·GQ / PBT = 480 min / 480 min. With the pump
    # counted as a work unit its 8 h shift with no production halved it.
    assert value("oee").value == 1.0
    assert value("oee", equipment=["SUP-LINE"]).value == 1.0
    assert value("oee", equipment=["SUP-P1"]).reason == "no recorded data in the selection"


def test_a_pump_gets_mtbf_from_its_time_in_service_minus_its_downtime(plant):
    # In service the whole production day (06:00 to 06:00, 24 h), down 2 h: OT = 22 h, one failure.
    assert value("mtbf", equipment=["SUP-P1"]).value == pytest.approx(22.0)
    assert value("mttr", equipment=["SUP-P1"]).value == pytest.approx(2.0)
    assert value("availability_iso14224", equipment=["SUP-P1"]).value == pytest.approx(22 / 24)
    assert value("failure_rate", equipment=["SUP-P1"]).value == pytest.approx(1 / 22)
    # Over the line: OT = the machine's AUPT (8 h) + the pump's 22 h; one failure.
    assert value("mtbf", equipment=["SUP-LINE"]).value == pytest.approx(30.0)


def test_a_unit_overrides_its_class(plant, refresh):
    machine, pump, _ = plant
    pump.is_work_unit = True
    pump.save()
    machine.is_work_unit = False
    machine.save()
    # Now the pump is the line's only work unit: 8 h of POT, 2 h ADET, no production.
    assert value("oee", equipment=["SUP-LINE"]).value == 0.0
    assert value("availability", equipment=["SUP-LINE"]).value == 0.0
    # The machine, support equipment now, runs 24 h without a stop and has no failure.
    assert value("mtbf", equipment=["SUP-M1"]).reason == "FE (no failure) is zero"


def test_a_commissioned_pump_is_in_service_before_its_first_stop_and_without_any(refresh):
    only_shifts(make_shift("SUP", dt.time(6), dt.time(14)))
    line = make_equipment("SUP-LINE", level=5)
    pumps = EquipmentClass.objects.create(code="TPP", name="Test pumps", category="rotating", is_work_unit=False)
    second, end = DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)
    machine = make_equipment("SUP-M1", parent=line, decommissioned_on=end)
    pump = make_equipment("SUP-P1", parent=line, cls=pumps, decommissioned_on=end)
    spare = make_equipment("SUP-P2", parent=line, cls=pumps, decommissioned_on=end)
    pump.commissioned_on, spare.commissioned_on = DAY - dt.timedelta(days=3 * 365), second
    pump.save()
    spare.save()
    failure = make_reason("SUP-FAIL", "delay", failure=True, mode="BRD")
    # The plant's first record is the machine's run on DAY; the pump's first (and only) stop is a day later.
    add_run(machine, at(6), at(14), pq=480, gq=480, pri="60")
    add_downtime(pump, failure, at(10, day=second), at(12, day=second))
    refresh()
    # The pump was commissioned long before anything was recorded: in service from the plant's first
    # production day, 48 h, down 2 h: OT 46 h for its one failure (starting at its stop it had 22 h).
    assert value("mtbf", end=second, equipment=["SUP-P1"]).value == pytest.approx(46.0)
    assert value("availability_iso14224", end=second, equipment=["SUP-P1"]).value == pytest.approx(46 / 48)
    # The spare pump never stopped: in service from its commissioning day, 24 h up, no failure.
    assert value("availability_iso14224", end=second, equipment=["SUP-P2"]).value == pytest.approx(1.0)
    assert value("mtbf", end=second, equipment=["SUP-P2"]).reason == "FE (no failure) is zero"
    # The line: the machine's AUPT (8 h on DAY, none in its idle shift on the second day) + 46 h + 24 h.
    assert value("mtbf", end=second, equipment=["SUP-LINE"]).value == pytest.approx(78.0)
