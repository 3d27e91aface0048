"""NEE as ISO 22400-2 defines it: (AUPT / PBT) × Effectiveness × Quality ratio, each factor a ratio of
the summed elements, on a shift with two products of different PRI (where the reduced form differs)."""

import datetime as dt
import json
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command

from mfgplatform.kpi import compute_kpis, kpi_formulas

from .factories import add_downtime, add_run, at, make_equipment, make_reason, make_shift, only_shifts, product

DAY = dt.date(2025, 3, 11)


@pytest.fixture
def two_products(refresh):
    """Shift 06:00–14:00 with a 30 min break at 09:45 (minutes):
    06:00–08:00 run of A (PRI 30 s): PQ 200, GQ 200            APT 120, PRI·PQ 100, PRI·GQ 100
    08:00–08:30 setup                                           AUST 30
    08:30–09:00 failure                                         ADET 30
    09:00–09:45 nothing                                         ADOT 45
    09:45–10:15 break, nothing runs                             PDT 30
    10:15–13:15 run of B (PRI 60 s): PQ 150, GQ 90, SQ 60      APT 180, PRI·PQ 150, PRI·GQ 90
    13:15–14:00 nothing                                         ADOT 45
    POT 480, PBT 450, APT 300, AUPT 330, AUBT 360, ADOT 90, PQ 350, GQ 290, PRI·PQ 250, PRI·GQ 190."""
    shift = make_shift("S8", dt.time(6), dt.time(14), break_minutes=30, break_at=dt.time(9, 45))
    only_shifts(shift)
    unit = make_equipment("M-NEE", decommissioned_on=DAY + dt.timedelta(days=1))
    add_run(unit, at(DAY, 6), at(DAY, 8), pq=200, gq=200, pri="30", prod=product("P-A"))
    add_run(unit, at(DAY, 10, 15), at(DAY, 13, 15), pq=150, gq=90, sq=60, pri="60", prod=product("P-B"))
    add_downtime(unit, make_reason("N-SETUP", "setup"), at(DAY, 8), at(DAY, 8, 30))
    add_downtime(unit, make_reason("N-FAIL", "delay", failure=True, mode="BRD"), at(DAY, 8, 30), at(DAY, 9))
    refresh()
    return unit


def test_nee_is_the_product_of_the_three_iso_factors(two_products):
    (nee,) = compute_kpis(["nee"], equipment=["M-NEE"], start=DAY, end=DAY)
    minutes = {symbol: value / 60 for symbol, value in nee.elements.items() if symbol not in ("PQ", "GQ")}
    assert minutes == {"AUPT": 330, "PBT": 450, "APT": 300, "PRI_PQ": 250}
    assert (nee.elements["PQ"], nee.elements["GQ"]) == (350, 290)
    # (330 / 450) × (250 / 300) × (290 / 350) = 11/15 × 5/6 × 29/35 = 319/630.
    expected = Fraction(330, 450) * Fraction(250, 300) * Fraction(290, 350)
    assert expected == Fraction(319, 630)
    assert nee.value == pytest.approx(float(expected), abs=1e-12)
    # The reduced form PRI·GQ·AUPT / (PBT·APT) = 190 × 330 / (450 × 300) = 209/450 would be 4.2 points lower.
    assert abs(nee.value - 209 / 450) > 0.04
    assert nee.details["aupt_share"] == pytest.approx(330 / 450, abs=1e-12)
    assert nee.details["effectiveness"] == pytest.approx(250 / 300, abs=1e-12)
    assert nee.details["quality_ratio"] == pytest.approx(290 / 350, abs=1e-12)
    assert nee.formula.startswith("(AUPT / PBT) × Effectiveness × Quality ratio")


def test_nee_is_zero_when_the_unit_ran_without_output_and_null_without_planned_busy_time():
    nee = kpi_formulas()["nee"]
    assert nee.evaluate({"AUPT": 60, "PBT": 100, "APT": 50, "PRI_PQ": 0, "GQ": 0, "PQ": 0})[:2] == (0.0, None)
    assert nee.evaluate({"AUPT": 0, "PBT": 0, "APT": 0, "PRI_PQ": 0, "GQ": 0, "PQ": 0})[:2] == (None, "PBT is zero")


def test_kpi_json_carries_the_elements_each_figure_was_computed_from(two_products):
    """Every time-model KPI in `manage.py kpi --format json` is its formula applied to the elements the
    answer lists: an auditor can recompute each figure from the output alone."""
    codes = ["oee", "nee", "availability", "effectiveness", "quality_ratio", "technical_efficiency",
             "utilization_efficiency", "allocation_efficiency", "setup_rate", "scrap_ratio"]
    out = StringIO()
    call_command("kpi", *codes, "--equipment", "M-NEE", "--from", DAY.isoformat(), "--to", DAY.isoformat(),
                 "--format", "json", stdout=out)
    formulas = kpi_formulas()
    for answer in json.loads(out.getvalue()):
        assert set(answer["elements"]) == set(formulas[answer["kpi"]].elements)
        recomputed, _, _, _ = formulas[answer["kpi"]].evaluate(answer["elements"])
        assert recomputed == pytest.approx(answer["value"], abs=1e-12), answer["kpi"]
    by_code = {answer["kpi"]: answer for answer in json.loads(out.getvalue())}
    assert by_code["nee"]["value"] == pytest.approx(319 / 630, abs=1e-12)
    assert by_code["oee"]["value"] == pytest.approx(190 / 450, abs=1e-12)
