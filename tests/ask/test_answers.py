"""Answers come from the KPI service as ratios of summed elements at the asked scope."""

import datetime as dt

import pytest

from mfgplatform.aggregates.registry import refresh_views
from mfgplatform.kpi import compute_kpis
from mfgplatform.models import DimShift
from ontology.ask import answer_question
from tests.kpi.factories import add_run, at, ensure_dates, make_equipment, only_shifts

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2025, 3, 10)
NOW = dt.datetime(2025, 3, 12, 10, 0)  # production day Wednesday: "Monday" is 2025-03-10


@pytest.fixture
def two_lines(settings):
    settings.PLANT_TIME_ZONE = "UTC"
    settings.PRODUCTION_DAY_START = "06:00"
    ensure_dates(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    only_shifts(*DimShift.objects.filter(code__in=["A", "C"]))
    area = make_equipment("AR1", level=4)
    alpha = make_equipment("LA", parent=area, level=5)
    beta = make_equipment("LB", parent=area, level=5)
    Equipment = type(alpha)  # noqa: N806
    Equipment.objects.filter(code="LA").update(name="Alpha line 3")
    Equipment.objects.filter(code="LB").update(name="Beta line 3")
    m1 = make_equipment("M1", parent=alpha)
    m2 = make_equipment("M2", parent=beta)
    m3 = make_equipment("M3", parent=beta)
    add_run(m1, at(MONDAY, 6), at(MONDAY, 13), pq=400, gq=380, pri="60")
    add_run(m1, at(MONDAY, 22), at(MONDAY, 23), pq=50, gq=40, pri="60")
    add_run(m2, at(MONDAY, 6), at(MONDAY, 8), pq=100, gq=50, pri="30")
    add_run(m3, at(MONDAY, 7), at(MONDAY, 12), pq=300, gq=290, pri="45")
    log = refresh_views(None, triggered_by="test")
    assert all(entry.outcome == "success" for entry in log)


def _ratio(results, numerator="PRI_GQ", denominator="PBT"):
    return sum(r.elements[numerator] for r in results) / sum(r.elements[denominator] for r in results)


def test_by_line_each_row_is_the_lines_ratio_of_sums(two_lines):
    answer = answer_question("OEE by line on Monday", now=NOW)
    assert answer["status"] == "answered"
    rows = {row["group"]: row["value"] for row in answer["rows"]}
    units = {code: compute_kpis(["oee"], equipment=[code], start=MONDAY, end=MONDAY)[0] for code in ("M2", "M3")}
    assert rows["LB"] == pytest.approx(_ratio(units.values()), abs=1e-12)
    assert rows["LB"] != pytest.approx((units["M2"].value + units["M3"].value) / 2)
    assert set(rows) == {"LA", "LB"}


def test_a_shift_filter_keeps_only_that_shifts_elements(two_lines):
    answer = answer_question("OEE of the night shift on Monday", now=NOW)
    (row,) = answer["rows"]
    by_shift = compute_kpis(["oee"], start=MONDAY, end=MONDAY, granularity="shift")
    night = [r for r in by_shift if r.period.endswith(" C")]
    assert row["value"] == pytest.approx(_ratio(night), abs=1e-12)
    assert row["elements"]["PRI_GQ"] == pytest.approx(60 * 40)


def test_worst_line_follows_the_trend_and_ambiguity_is_asked(two_lines):
    answer = answer_question("worst line by OEE on Monday", now=NOW)
    lines = {code: compute_kpis(["oee"], equipment=[code], start=MONDAY, end=MONDAY)[0].value for code in ("LA", "LB")}
    assert [row["group"] for row in answer["rows"]] == [min(lines, key=lines.get)]
    asked = answer_question("OEE of line 3 on Monday", now=NOW)
    assert asked["status"] == "clarify"
    assert [option["concept"] for option in asked["options"]] == ["equipment:LA", "equipment:LB"]
