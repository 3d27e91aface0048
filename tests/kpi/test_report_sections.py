"""The compliance report's OEE and reliability sections on a plant worked by hand: a machine that runs its
8-hour shift at PRI and a pump (support equipment) that fails 10:00–12:00. Only work units enter OEE,
the pump is listed apart, every element carries its ISO 22400-2 symbol and meaning, and numbers keep
their significant digits."""

import datetime as dt

import pytest

from equipment.models import EquipmentClass
from mfgplatform.compliance.periods import ReportPeriod
from mfgplatform.compliance.sections import oee_section, reliability_section
from mfgplatform.time_elements import ELEMENTS, label

from .factories import add_downtime, add_run, make_equipment, make_reason, make_shift, only_shifts, product

DAY = dt.date(2025, 3, 11)  # a Tuesday
PERIOD = ReportPeriod(DAY, DAY)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def table(section, title_start: str) -> list[dict]:
    (found,) = [t for t in section.tables if t.title.startswith(title_start)]
    return [dict(zip(found.columns, row, strict=True)) for row in found.rows]


@pytest.fixture
def plant(refresh):
    only_shifts(make_shift("REP", dt.time(6), dt.time(14)))
    line = make_equipment("REP-LINE", level=5)
    pumps = EquipmentClass.objects.create(code="TPP", name="Test pumps", category="rotating", is_work_unit=False)
    end = DAY + dt.timedelta(days=1)
    machine = make_equipment("REP-M1", parent=line, decommissioned_on=end)
    pump = make_equipment("REP-P1", parent=line, cls=pumps, decommissioned_on=end)
    add_run(machine, at(6), at(14), pq=480, gq=468, sq=12, pri="60")
    add_downtime(pump, make_reason("REP-FAIL", "delay", failure=True, mode="BRD"), at(10), at(12))
    refresh()
    return pump


def test_oee_section_covers_work_units_and_lists_support_equipment_apart(plant):
    section = oee_section(PERIOD)
    # OEE = PRI·GQ / PBT = 468 min / 480 min = 97.5 %; the pump's 8 h without output do not halve it.
    assert section.summary == "plant OEE 97.5 %"
    assert {row["group"] for row in table(section, "KPIs per work unit")} == {"REP-M1"}
    assert table(section, "Support equipment") == [
        {"equipment": "REP-P1", "in service (h)": 24.0, "operating time (h)": 22.0}]
    elements = {row["element"]: row for row in table(section, "ISO 22400-2 elements")}
    assert {symbol: (row["value"], row["unit"]) for symbol, row in elements.items()
            if symbol in ("POT", "PDT", "PBT", "ADOT", "ADET", "AUST", "APT", "PQ", "GQ", "SQ", "PRI_GQ")} == {
        "POT": (8.0, "h"), "PDT": (0.0, "h"), "PBT": (8.0, "h"), "ADOT": (0.0, "h"), "ADET": (0.0, "h"),
        "AUST": (0.0, "h"), "APT": (8.0, "h"), "PQ": (480.0, "units"), "GQ": (468.0, "units"),
        "SQ": (12.0, "units"), "PRI_GQ": (7.8, "h")}
    # ISO 22400-2 names: ADOT is the unit's down time in the standard's words, which means idle, and ADET
    # its delay time (failures, minor stops) — never the other way round.
    assert elements["ADOT"]["ISO 22400-2 name"] == "Actual unit down time"
    assert elements["ADOT"]["meaning"] == "Idle, available without an order"
    assert elements["ADET"]["ISO 22400-2 name"] == "Actual unit delay time"
    assert elements["ADET"]["meaning"] == "Delay incl. malfunctions and minor stops"
    losses = {row["loss"]: row["hours"] for row in table(section, "Top losses")}
    assert losses[label("ADET")] == 0
    assert losses[label("ADOT")] == 0
    assert losses["Quality loss (PRI·PQ − PRI·GQ)"] == pytest.approx(0.2)  # 12 units × 60 s


def test_reliability_section_keeps_significant_digits_and_lists_failure_modes_only(plant):
    section = reliability_section(PERIOD)
    assert section.status == "ok"
    by_class = {(row["group"], row["kpi"]): row for row in table(section, "Per equipment class")}
    # The pump: OT = 24 h in service − 2 h down = 22 h, one failure. λ = 1/22 = 0.04545… per hour, shown
    # to four significant digits; 90 % bounds χ²₀.₀₅(2)/(2·22) = −2 ln 0.95 / 44 = 0.0023315 and
    # χ²₀.₉₅(4)/44 = 9.4877/44 = 0.21563.
    assert by_class["TPP", "mtbf"]["value"] == 22.0
    rate = by_class["TPP", "failure_rate"]
    assert (rate["value"], rate["confidence"], rate["lower bound"], rate["upper bound"]) == (
        0.04545, "90 %", 0.002332, 0.2156)
    assert by_class["TPP", "availability_iso14224"]["value"] == pytest.approx(round(100 * 22 / 24, 2))
    # The machine ran 8 h without a failure: no MTBF, with the reason, never 0.
    assert by_class["TPU", "mtbf"]["value"] is None
    assert by_class["TPU", "mtbf"]["note"] == "FE (no failure) is zero"
    # Per failure mode: BRD alone; stops without a failure mode are no failure mode with a rate.
    assert {row["group"] for row in table(section, "Per failure mode")} == {"BRD"}


def test_a_class_without_operating_time_needs_attention(plant):
    """A pump down its whole production day has failures and no operating time: the report says so
    instead of "ok"."""
    add_downtime(plant, make_reason("REP-FAIL2", "delay", failure=True, mode="BRD"), at(6),
                 at(6, day=DAY + dt.timedelta(days=1)))
    from mfgplatform.aggregates.registry import refresh_views

    refresh_views(None, triggered_by="test")
    section = reliability_section(PERIOD)
    assert section.status == "attention"
    assert section.summary.endswith("no operating time for TPP")


def test_every_element_has_one_meaning():
    # One source: each symbol is defined once, and the two the literature swaps keep the ISO meanings.
    assert ELEMENTS["ADET"].label == "Delay incl. malfunctions and minor stops (ADET)"
    assert ELEMENTS["ADOT"].label == "Idle, available without an order (ADOT)"


def test_report_numbers_keep_four_significant_digits_and_whole_numbers_stay_whole():
    from mfgplatform.compliance.sections import display_value

    assert display_value(0.00060512, "failures per hour") == 0.0006051
    assert display_value(17004.5177, "ppm") == 17005
    assert isinstance(display_value(17004.5177, "ppm"), int)
    assert display_value(121.6667, "h") == 121.7
    assert display_value(0.8173, "%") == 81.73
    assert display_value(0.0, "h") == 0.0


def test_oee_over_products_with_different_pri_says_why_it_differs_from_the_product_of_the_factors(refresh):
    only_shifts(make_shift("REP", dt.time(6), dt.time(14)))
    machine = make_equipment("REP-M2", parent=make_equipment("REP-LINE2", level=5),
                             decommissioned_on=DAY + dt.timedelta(days=1))
    # 06–10 product A at PRI 30 s, 400 good; 10–14 product B at PRI 60 s, 200 made, 100 good.
    add_run(machine, at(6), at(10), pq=400, gq=400, pri="30", prod=product("REP-A"))
    add_run(machine, at(10), at(14), pq=200, gq=100, sq=100, pri="60", prod=product("REP-B"))
    refresh()
    section = oee_section(PERIOD)
    # OEE = ΣPRI·GQ / ΣPBT = (200 + 100 min) / 480 min = 62.5 %; A = 480/480, E = (200 + 200)/480,
    # QR = 500/600, so A × E × QR = 69.44 %.
    assert section.summary == "plant OEE 62.5 %"
    (note,) = [n for n in section.notes if n.startswith("OEE is ΣPRI·GQ / ΣPBT")]
    assert "(62.5 %)" in note
    assert "is 69.44 %" in note


def test_no_rollup_note_for_one_product(plant):
    assert not [n for n in oee_section(PERIOD).notes if n.startswith("OEE is ΣPRI·GQ / ΣPBT")]
