"""The piston-ring worked example (tests/quality/piston_rings.py) stored as measurements in shift
occurrences, numbered 1–2 in every shift, and charted through the subgroup aggregate: the published
limits, σ̂ and Cp come out, and phase II signals exactly at the samples the published chart shows."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from quality.spc import control_chart, select


def _chart(kind, piston_rings, **options):
    selection = select(kind, characteristic="ring_diameter", equipment=["RING-1"], start=piston_rings["start"],
                       end=piston_rings["end"], baseline=piston_rings["baseline"])
    return control_chart(selection, **options)


def test_xbar_r_reproduces_the_published_limits_and_capability(piston_rings):
    result = _chart("xbar_r", piston_rings)
    xbar, ranges = result.chart.panels
    assert result.chart.baseline_points == 25
    assert round(result.chart.centre, 3) == 74.001
    assert round(float(ranges.centres[0]), 3) == 0.023  # R̄
    # The book computes the limits from the rounded x̿ = 74.001 and R̄ = 0.023: 74.001 ± 0.577 · 0.023.
    assert float(xbar.lcls[0]) == pytest.approx(73.988, abs=1e-3)
    assert float(xbar.ucls[0]) == pytest.approx(74.014, abs=1e-3)
    assert (float(ranges.lcls[0]), round(float(ranges.ucls[0]), 3)) == (0.0, 0.049)
    assert result.chart.sigma_within == pytest.approx(0.0099, abs=1e-4)
    assert result.capability.cp == pytest.approx(1.68, abs=0.015)
    # Phase I is in control; in phase II samples 37, 38 and 39 plot above the upper limit.
    beyond = [v.index + 1 for v in xbar.violations if v.rule == "beyond_limits"]
    assert beyond == [37, 38, 39]
    assert not [v for v in xbar.violations if v.index < 25]
    assert not ranges.violations


def test_xbar_s_reproduces_the_published_limits(piston_rings):
    result = _chart("xbar_s", piston_rings)
    xbar, deviations = result.chart.panels
    assert result.chart.estimator == "sbar_c4"
    assert round(float(deviations.centres[0]), 4) == 0.0094  # S̄
    assert float(xbar.lcls[0]) == pytest.approx(73.988, abs=1e-3)
    assert float(xbar.ucls[0]) == pytest.approx(74.014, abs=1e-3)
    assert (float(deviations.lcls[0]), round(float(deviations.ucls[0]), 4)) == (0.0, 0.0196)
    assert [v.index + 1 for v in xbar.violations if v.rule == "beyond_limits"] == [37, 38, 39]


def test_the_estimators_are_selectable_and_named(piston_rings):
    sigmas = {name: _chart("xbar_r", piston_rings, estimator=name).chart.sigma_within
              for name in ("rbar_d2", "sbar_c4", "pooled", "pooled_c4")}
    assert sigmas["pooled_c4"] > sigmas["pooled"]  # c₄ < 1 divides
    assert len({round(s, 9) for s in sigmas.values()}) == 4
    assert all(s == pytest.approx(0.0099, abs=6e-4) for s in sigmas.values())


def test_the_command_gives_table_json_and_csv(piston_rings):
    arguments = ["spc", "xbar_r", "--characteristic", "ring_diameter", "--equipment", "RING-1",
                 "--from", str(piston_rings["start"]), "--to", str(piston_rings["end"]),
                 "--baseline", f"{piston_rings['baseline'][0]}..{piston_rings['baseline'][1]}"]
    table, document, rows = StringIO(), StringIO(), StringIO()
    call_command(*arguments, stdout=table)
    call_command(*arguments, "--format", "json", stdout=document)
    call_command(*arguments, "--format", "csv", stdout=rows)
    assert "phase I: 25 points" in table.getvalue()
    assert "beyond_limits    at 2025-03-11 SC #2 RING-1" in table.getvalue()
    parsed = json.loads(document.getvalue())
    assert parsed["estimator"] == "rbar_d2"
    assert [p["phase"] for p in parsed["panels"][0]["points"]].count("I") == 25
    assert [v["point"] for v in parsed["panels"][0]["violations"] if v["rule"] == "beyond_limits"] == [36, 37, 38]
    lines = rows.getvalue().splitlines()
    assert lines[0] == "panel,index,label,at,n,value,centre,lcl,ucl,phase,rules"
    assert len(lines) == 1 + 40 + 40
    assert lines[37].startswith("xbar,36,2025-03-11 SC #2 RING-1,")
    assert lines[37].endswith(",II,beyond_limits;two_of_three")
