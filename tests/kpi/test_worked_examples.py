"""Every worked example of docs/kpi.md, reproduced from facts through the views where the
platform records the elements, and through the formulas where it does not (§1.6 AOET, APWT)."""

import datetime as dt
import math
from fractions import Fraction

import pytest

from mfgplatform.kpi import compute_kpis, kpi_formulas
from production.kpis import UNRECORDED
from quality.kpis import rolled_throughput_yield
from reliability.kpis import failure_rate_estimate

from .factories import (
    add_downtime,
    add_inspection,
    add_run,
    at,
    make_equipment,
    make_reason,
    make_shift,
    only_shifts,
    product,
)

DAY = dt.date(2025, 3, 11)  # a Tuesday, a working day


def values(results):
    return {r.kpi: r for r in results}


@pytest.fixture
def section_1_6(refresh):
    """One unit, one 8-hour shift with a 30 min break at 09:45, one order run around it (06:00–09:45,
    10:15–13:40): ADOT 20 (no order after 13:40), ADET 25 (a failure), AUST 45 (setup), PRI 45 s."""
    shift = make_shift("S8", dt.time(6), dt.time(14), break_minutes=30, break_at=dt.time(9, 45))
    only_shifts(shift)
    unit = make_equipment("M-16", decommissioned_on=DAY + dt.timedelta(days=1))
    add_run(unit, at(DAY, 6), at(DAY, 9, 45), pq=200, gq=190, sq=7, rq=3, psq=5, pri="45", order="PO-1")
    add_run(unit, at(DAY, 10, 15), at(DAY, 13, 40), pq=232, gq=220, sq=8, rq=4, psq=5, pri="45", order="PO-1")
    add_downtime(unit, make_reason("T-FAIL", "delay", failure=True, mode="BRD"), at(DAY, 7), at(DAY, 7, 25))
    add_downtime(unit, make_reason("T-SETUP", "setup"), at(DAY, 8), at(DAY, 8, 45))
    refresh()
    return unit


ISO_EXPECTED = {
    "availability": Fraction(4, 5),
    "effectiveness": Fraction(9, 10),
    "quality_ratio": Fraction(205, 216),
    "oee": Fraction(41, 60),
    "nee": Fraction(123, 160),
    "technical_efficiency": Fraction(72, 77),
    "utilization_efficiency": Fraction(36, 43),
    "allocation_efficiency": Fraction(43, 45),
    "setup_rate": Fraction(1, 9),
    "scrap_ratio": Fraction(5, 144),
    "rework_ratio": Fraction(7, 432),
    "actual_to_planned_scrap_ratio": Fraction(3, 2),
}


def test_section_1_6_time_elements_from_the_facts(section_1_6):
    result = values(compute_kpis(["oee"], equipment=["M-16"], start=DAY, end=DAY))["oee"]
    minutes = {k: v / 60 for k, v in result.elements.items() if k in ("APT", "PBT")}
    assert minutes == {"APT": 360, "PBT": 450}
    allocation = values(compute_kpis(["allocation_efficiency", "setup_rate", "technical_efficiency"],
                                     equipment=["M-16"], start=DAY, end=DAY))
    assert allocation["allocation_efficiency"].elements == {"AUBT": 430 * 60, "PBT": 450 * 60}
    assert allocation["setup_rate"].elements == {"AUST": 45 * 60, "AUPT": 405 * 60}
    assert allocation["technical_efficiency"].elements == {"APT": 360 * 60, "ADET": 25 * 60}


@pytest.mark.parametrize(("code", "expected"), ISO_EXPECTED.items())
def test_section_1_6_kpis(section_1_6, code, expected):
    (result,) = compute_kpis([code], equipment=["M-16"], start=DAY, end=DAY)
    assert result.value == pytest.approx(float(expected), abs=1e-12)
    assert result.reason is None


def test_section_1_6_oee_identity_and_flags(section_1_6):
    results = values(compute_kpis(["oee", "actual_to_planned_scrap_ratio", "effectiveness"],
                                  equipment=["M-16"], start=DAY, end=DAY))
    oee = results["oee"]
    assert oee.value == pytest.approx(0.75 * 410 / 450, abs=1e-12)  # PRI·GQ / PBT
    assert oee.elements["PRI_GQ"] / oee.elements["PBT"] == pytest.approx(41 / 60, abs=1e-12)
    assert results["actual_to_planned_scrap_ratio"].flags == ["above_100_percent"]
    assert results["effectiveness"].flags == []


def test_section_1_6_order_level_kpis_from_the_formulas():
    """AOET = AUBT + ATT + AQT = 430 + 20 + 50; transport, queuing and personnel times are not recorded."""
    throughput = kpi_formulas()["throughput_rate"]
    assert throughput.evaluate({"ORDER_PQ": 432, "AOET": 500 * 60})[0] == pytest.approx(108 / 125, abs=1e-12)
    aoet = {"AUBT": 430, "APT": 360, "AOET": 500}
    assert UNRECORDED["allocation_ratio"].evaluate(aoet)[0] == pytest.approx(43 / 50, abs=1e-12)
    assert UNRECORDED["production_process_ratio"].evaluate(aoet)[0] == pytest.approx(18 / 25, abs=1e-12)
    assert UNRECORDED["worker_efficiency"].evaluate({"APWT": 380, "APAT": 450})[0] == pytest.approx(38 / 45)


def test_section_1_6_unrecorded_kpis_are_null_with_a_reason(section_1_6):
    (result,) = compute_kpis(["worker_efficiency"], equipment=["M-16"], start=DAY, end=DAY)
    assert result.value is None
    assert result.reason == "not computable from the recorded data (needs APWT, APAT)"


def test_section_1_6_maintenance_example():
    formulas = kpi_formulas()
    hours = 3600
    elements = {"AUPT": (120 + 95 + 150) * hours, "FE": 3, "TTR": (2.0 + 3.5 + 1.5) * hours, "FE_RESTORED": 3,
                "CMT": 7 * hours, "PMT": 14 * hours}
    assert formulas["mtbf"].evaluate(elements)[0] == pytest.approx(121.667, abs=5e-4)
    assert formulas["mtbf"].evaluate(elements)[0] == pytest.approx(365 / 3, abs=1e-12)
    assert formulas["mttr"].evaluate(elements)[0] == pytest.approx(7 / 3, abs=1e-12)
    assert formulas["corrective_maintenance_ratio"].evaluate(elements)[0] == pytest.approx(1 / 3, abs=1e-12)
    assert formulas["availability_iso14224"].evaluate(elements)[0] == pytest.approx(0.981183, abs=5e-7)


def test_nakajima_worksheet_from_the_facts(refresh):
    """Shift 480 min, breaks 2 × 15 + 30 (the runs stop for them), downtime 47, ideal rate 60/min,
    total 19,271, rejects 423."""
    shift = make_shift("S8B", dt.time(6), dt.time(14),
                       breaks=[(dt.time(8), 15), (dt.time(10), 30), (dt.time(12), 15)])
    only_shifts(shift)
    unit = make_equipment("M-TPM", decommissioned_on=DAY + dt.timedelta(days=1))
    for (start, end), pq, gq in zip([((6, 0), (8, 0)), ((8, 15), (10, 0)), ((10, 30), (12, 0)), ((12, 15), (14, 0))],
                                    (5000, 5000, 4000, 5271), (4900, 4890, 3900, 5158), strict=True):
        add_run(unit, at(DAY, *start), at(DAY, *end), pq=pq, gq=gq, sq=pq - gq, pri="1")
    add_downtime(unit, make_reason("T-BRK", "delay", failure=True, mode="BRD"), at(DAY, 9), at(DAY, 9, 47))
    refresh()
    results = values(compute_kpis(["tpm_availability", "tpm_performance", "tpm_quality", "tpm_oee", "oee"],
                                  equipment=["M-TPM"], start=DAY, end=DAY))
    assert results["tpm_availability"].value == pytest.approx(373 / 420, abs=1e-12)
    assert results["tpm_performance"].value == pytest.approx(19271 / (373 * 60), abs=1e-12)
    assert results["tpm_quality"].value == pytest.approx(18848 / 19271, abs=1e-12)
    assert round(results["tpm_oee"].value, 6) == 0.747937
    assert "not the ISO 22400 OEE" in results["tpm_oee"].note
    assert results["tpm_oee"].standard.startswith("TPM")


@pytest.fixture
def quality_examples(refresh):
    shift = make_shift("SQ8", dt.time(6), dt.time(14))
    only_shifts(shift)
    dpmo_unit, ppm_unit, fpy_unit = (make_equipment(code) for code in ("Q-DPMO", "Q-PPM", "Q-FPY"))
    ten_opportunities = product("TP-10", opportunities=10)
    add_inspection(dpmo_unit, at(DAY, 8), inspected=600, defects=30, prod=ten_opportunities)
    add_inspection(dpmo_unit, at(DAY, 9), inspected=400, defects=20, prod=ten_opportunities)
    add_inspection(ppm_unit, at(DAY, 8), inspected=4000, defective=12, defects=12)
    add_inspection(fpy_unit, at(DAY, 8), inspected=100, first_pass_good=90)
    refresh()


@pytest.mark.parametrize(
    ("code", "unit", "expected"),
    [("dpmo", "Q-DPMO", 5000), ("dpo", "Q-DPMO", 0.005), ("ppm_defective", "Q-PPM", 3000), ("fpy", "Q-FPY", 0.90),
     ("first_pass_yield", "Q-FPY", 0.90)],
)
def test_section_3_2_counts_from_the_facts(quality_examples, code, unit, expected):
    (result,) = compute_kpis([code], equipment=[unit], start=DAY, end=DAY)
    assert result.value == pytest.approx(expected, abs=1e-9)


def test_section_3_2_rolled_throughput_yield():
    assert round(rolled_throughput_yield([0.95, 0.98, 0.99]), 6) == 0.921690


@pytest.mark.parametrize(
    ("code", "expected", "sides"),
    [("cp", 1.3333, None), ("cpk", 1.0000, {"upper": 1.0000, "lower": 1.6667}), ("pp", 0.8333, None),
     ("ppk", 0.6250, None)],
)
def test_section_3_2_capability(code, expected, sides):
    elements = {"N": 50, "MEAN": 10.05, "SIGMA_WITHIN": 0.05, "SIGMA_OVERALL": 0.08, "LSL": 9.8, "USL": 10.2}
    value, reason, _, details = kpi_formulas()[code].evaluate(elements)
    assert reason is None
    assert round(value, 4) == expected
    for side, index in (sides or {}).items():
        assert round(details[side], 4) == index


def test_section_2_10_failure_rate_with_confidence_bounds():
    estimate = failure_rate_estimate(4, 70_000)
    assert estimate.rate == pytest.approx(5.714e-5, rel=1e-3)
    assert estimate.mttf == 17_500
    assert estimate.lower == pytest.approx(1.952e-5, rel=1e-3)
    assert estimate.upper == pytest.approx(1.308e-4, rel=1e-3)
    mttf_lower, mttf_upper = estimate.mttf_bounds
    assert mttf_lower == pytest.approx(7_647, rel=1e-3)
    assert mttf_upper == pytest.approx(51_233, rel=1e-3)


def test_section_2_10_zero_failures_gives_an_upper_bound_only():
    estimate = failure_rate_estimate(0, 70_000)
    assert estimate.lower is None
    assert estimate.upper == pytest.approx(-math.log(0.10) / 70_000, rel=1e-9)
    assert estimate.upper == pytest.approx(3.289e-5, rel=1e-3)
    assert estimate.mttf_bounds[0] == pytest.approx(30_401, rel=1e-3)
    assert estimate.mttf is None
