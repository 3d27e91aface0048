"""Properties: control limits equal a plain recomputation from the raw values, and the rules (which work
on whole arrays) signal exactly where a point-by-point recomputation (rules_reference.py) does."""

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quality.moments import Moments
from quality.spc import charts
from quality.spc.constants import c4, d2, d3
from quality.spc.rules import evaluate

from . import rules_reference


@pytest.fixture(autouse=True)
def plant_calendar():
    """These properties need no database (overrides the package's calendar fixture)."""


def _reference_signals(values, centres, sigmas, lcls, ucls, rule_set):
    positions = [rules_reference.Position(float(v), float(c), float(s), float(lo), float(hi))
                 for v, c, s, lo, hi in zip(values, centres, sigmas, lcls, ucls, strict=True)]
    return [(v.rule, v.index, v.points) for v in rules_reference.evaluate(positions, rule_set)]


def _signals(panel):
    return [(v.rule, v.index, v.points) for v in panel.violations]


subgroup = st.lists(st.integers(-40, 40), min_size=1, max_size=7).map(lambda g: [10 + x / 20 for x in g])


@settings(max_examples=60, deadline=None)
@given(groups=st.lists(st.tuples(subgroup, st.booleans()), min_size=2, max_size=40),
       estimator=st.sampled_from(["rbar_d2", "sbar_c4", "pooled", "pooled_c4"]),
       kind=st.sampled_from([charts.XBAR_R, charts.XBAR_S]), rule_set=st.sampled_from(["nelson", "western_electric"]))
def test_subgroup_chart_limits_and_rules_match_a_plain_recomputation(groups, estimator, kind, rule_set):
    baseline = [values for values, in_baseline in groups if in_baseline]
    spread = [values for values in baseline if len(values) > 1]
    records = [{"n": len(v), "mean": statistics.fmean(v), "range": max(v) - min(v), "m2": Moments.of(v).m2,
                "baseline": b} for v, b in groups]
    samples = charts.samples_from(records)
    if not spread:
        with pytest.raises(charts.ChartError):
            charts.subgroup_chart(kind, samples, estimator=estimator, rule_set=rule_set)
        return
    chart = charts.subgroup_chart(kind, samples, estimator=estimator, rule_set=rule_set)

    # σ̂ from its definition, over the baseline subgroups of two or more.
    if estimator == "rbar_d2":
        sigma = statistics.fmean((max(v) - min(v)) / d2(len(v)) for v in spread)
    elif estimator == "sbar_c4":
        sigma = statistics.fmean(statistics.stdev(v) / c4(len(v)) for v in spread)
    else:
        degrees = sum(len(v) - 1 for v in spread)
        sigma = math.sqrt(sum(statistics.variance(v) * (len(v) - 1) for v in spread) / degrees)
        if estimator == "pooled_c4":
            sigma /= c4(degrees + 1)
    grand = statistics.fmean(x for v in baseline for x in v)
    assert chart.sigma_within == pytest.approx(sigma, rel=1e-9, abs=1e-12)
    assert chart.centre == pytest.approx(grand, rel=1e-12)

    xbar, dispersion = chart.panels
    for i, (values, _) in enumerate(groups):
        assert xbar.ucls[i] == pytest.approx(grand + 3 * sigma / math.sqrt(len(values)), rel=1e-9)
        assert xbar.lcls[i] == pytest.approx(grand - 3 * sigma / math.sqrt(len(values)), rel=1e-9)
    assert [int(n) for n in dispersion.samples.n] == [len(v) for v, _ in groups if len(v) > 1]
    for i, values in enumerate(v for v, _ in groups if len(v) > 1):
        n = len(values)
        if kind == charts.XBAR_R:
            centre, error, value = d2(n) * sigma, d3(n) * sigma, max(values) - min(values)
        else:
            centre, error, value = c4(n) * sigma, math.sqrt(1 - c4(n) ** 2) * sigma, statistics.stdev(values)
        assert dispersion.values[i] == pytest.approx(value, rel=1e-9, abs=1e-12)
        assert dispersion.centres[i] == pytest.approx(centre, rel=1e-9, abs=1e-12)
        assert dispersion.ucls[i] == pytest.approx(centre + 3 * error, rel=1e-9, abs=1e-12)
        assert dispersion.lcls[i] == pytest.approx(max(0.0, centre - 3 * error), rel=1e-9, abs=1e-12)

    for panel in chart.panels:
        assert _signals(panel) == _reference_signals(panel.values, panel.centres, panel.sigmas, panel.lcls,
                                                     panel.ucls, rule_set)


@settings(max_examples=80, deadline=None)
@given(steps=st.lists(st.sampled_from([-3.5, -2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 3.5]), min_size=0, max_size=60),
       rule_set=st.sampled_from(["nelson", "western_electric"]))
def test_rules_match_the_point_by_point_recomputation(steps, rule_set):
    # Positions on a coarse grid make ties, runs, trends and alternations common.
    values = [10 + s for s in steps]
    n = len(values)
    found = [(v.rule, v.index, v.points) for v in evaluate(values, [10] * n, [1] * n, [7] * n, [13] * n, rule_set)]
    assert found == _reference_signals(values, [10] * n, [1] * n, [7] * n, [13] * n, rule_set)


def test_each_rule_signals_on_its_pattern():
    def rules_at(values, rule_set="nelson"):
        n = len(values)
        return {(v.rule, v.index) for v in evaluate(values, [0] * n, [1] * n, [-3] * n, [3] * n, rule_set)}

    assert ("beyond_limits", 1) in rules_at([0, 3.5, 0])
    assert ("two_of_three", 2) in rules_at([2.5, 0, 2.5])
    assert ("four_of_five", 4) in rules_at([1.5, 1.5, 0, 1.5, 1.5])
    assert ("run_one_side", 8) in rules_at([0.5] * 9)
    assert ("run_one_side", 7) not in rules_at([0.5] * 8)
    assert ("run_one_side", 7) in rules_at([0.5] * 8, "western_electric")
    assert ("trend", 5) in rules_at([-0.5, -0.3, -0.1, 0.1, 0.3, 0.5])
    assert ("alternating", 13) in rules_at([0.2, -0.2] * 7)
    assert ("hugging_centre", 14) in rules_at([0.2, -0.2, 0.1] * 5)
    assert ("avoiding_centre", 7) in rules_at([1.5, -1.5] * 4)
    assert rules_at([0.0] * 20) == {("hugging_centre", i) for i in range(14, 20)}


@settings(max_examples=40, deadline=None)
@given(counts=st.lists(st.tuples(st.integers(1, 400), st.integers(0, 100), st.integers(0, 60), st.booleans()),
                       min_size=1, max_size=40),
       kind=st.sampled_from(charts.ATTRIBUTE_CHARTS))
def test_attribute_limits_match_a_plain_recomputation(counts, kind):
    counts = [(n, min(d, n), c, b) for n, d, c, b in counts]
    samples = charts.samples_from([{"n": n, "defective": d, "defects": c, "baseline": b} for n, d, c, b in counts])
    baseline = [(n, d, c) for n, d, c, b in counts if b]
    if not baseline:
        with pytest.raises(charts.ChartError):
            charts.attribute_chart(kind, samples, rule_set="nelson")
        return
    (panel,) = charts.attribute_chart(kind, samples, rule_set="nelson").panels
    p_bar = sum(d for _, d, _ in baseline) / sum(n for n, _, _ in baseline)
    c_bar = sum(c for _, _, c in baseline) / len(baseline)
    u_bar = sum(c for _, _, c in baseline) / sum(n for n, _, _ in baseline)
    for i, (n, d, c, _) in enumerate(counts):
        value, centre, error = {
            charts.P: (d / n, p_bar, math.sqrt(p_bar * (1 - p_bar) / n)),
            charts.NP: (d, n * p_bar, math.sqrt(n * p_bar * (1 - p_bar))),
            charts.C: (c, c_bar, math.sqrt(c_bar)),
            charts.U: (c / n, u_bar, math.sqrt(u_bar / n)),
        }[kind]
        assert panel.values[i] == pytest.approx(value, rel=1e-12)
        assert panel.centres[i] == pytest.approx(centre, rel=1e-12, abs=1e-15)
        assert panel.lcls[i] == pytest.approx(max(0.0, centre - 3 * error), rel=1e-9, abs=1e-12)
        upper = centre + 3 * error
        assert panel.ucls[i] == pytest.approx(min(1.0, upper) if kind == charts.P else upper, rel=1e-9, abs=1e-12)
    assert _signals(panel) == _reference_signals(panel.values, panel.centres, panel.sigmas, panel.lcls, panel.ucls,
                                                 "nelson")
