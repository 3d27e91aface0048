"""What each chart reads: attribute charts sum the inspections of the selected units per shift
occurrence from mv_quality_by_defect; an individuals chart reads the measurements one by one."""

import datetime as dt
import math

import pytest

from quality.models import DefectType
from quality.spc import control_chart, select
from tests.kpi.factories import add_inspection, add_measurement, make_equipment, make_shift, only_shifts

DAY = dt.date(2025, 3, 10)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


@pytest.fixture
def plant():
    only_shifts(make_shift("QA", dt.time(6), dt.time(14), order=1), make_shift("QB", dt.time(14), dt.time(22), order=2))
    line = make_equipment("Q-LINE", level=5)
    return [make_equipment(f"Q-M{i}", parent=line) for i in (1, 2)]


def test_attribute_subgroups_are_shift_occurrences_over_the_selected_units(plant, refresh):
    scratch = DefectType.objects.create(code="SCR", name="scratch", category="cosmetic")
    dent = DefectType.objects.create(code="DNT", name="dent", category="cosmetic")
    first, second = plant
    # Early shift: 100 + 50 units inspected on two units; late shift: 80 units.
    add_inspection(first, at(7), inspected=90, first_pass_good=90)
    add_inspection(first, at(8), inspected=10, defective=10, defects=12, defect_type=scratch)
    add_inspection(second, at(9), inspected=45, first_pass_good=45)
    add_inspection(second, at(9, 30), inspected=5, defective=5, defects=5, defect_type=dent)
    add_inspection(first, at(15), inspected=76, first_pass_good=76)
    add_inspection(first, at(16), inspected=4, defective=4, defects=9, defect_type=scratch)
    refresh("mv_quality_by_defect")

    p = control_chart(select("p", equipment=["Q-LINE"], start=DAY, end=DAY))
    (panel,) = p.chart.panels
    assert [int(n) for n in panel.samples.n] == [150, 80]
    assert list(panel.values) == pytest.approx([15 / 150, 4 / 80])
    assert p.chart.centre == pytest.approx(19 / 230)
    assert panel.ucls[1] == pytest.approx(19 / 230 + 3 * math.sqrt(19 / 230 * (1 - 19 / 230) / 80))
    u = control_chart(select("u", equipment=["Q-LINE"], start=DAY, end=DAY, defect_type="SCR"))
    assert list(u.chart.panels[0].values) == pytest.approx([12 / 150, 9 / 80])
    c = control_chart(select("c", equipment=["Q-M2"], start=DAY, end=DAY))
    assert list(c.chart.panels[0].values) == [5.0]
    assert c.chart.panels[0].samples.describe(0) == "2025-03-10 QA"


def test_an_individuals_chart_reads_each_measurement_in_time_order(plant, refresh):
    values = [10.0, 10.2, 9.9, 10.4, 10.1, 9.8]
    for minute, value in enumerate(values):
        add_measurement(plant[0], at(7, minute), value)
    add_measurement(plant[1], at(8), 99.0)  # another unit, not selected
    refresh("mv_quality_measurement")
    result = control_chart(select("i_mr", characteristic="bore", equipment=["Q-M1"], start=DAY, end=DAY))
    individuals, moving = result.chart.panels
    assert list(individuals.values) == values
    ranges = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    assert list(moving.values) == pytest.approx(ranges)
    sigma = sum(ranges) / len(ranges) / (2 / math.sqrt(math.pi))
    assert result.chart.sigma_within == pytest.approx(sigma, rel=1e-12)
    assert individuals.ucls[0] == pytest.approx(sum(values) / len(values) + 3 * sigma, rel=1e-12)
    assert result.capability.n == 6
    with pytest.raises(ValueError, match="no choice of σ_within"):
        control_chart(select("i_mr", characteristic="bore", start=DAY, end=DAY), estimator="pooled")


def test_an_inspection_outside_every_shift_is_in_the_unscheduled_occurrence(plant, refresh):
    # 23:00: after the late shift, no night shift. Its subgroup is the day's unscheduled occurrence.
    add_inspection(plant[0], at(8), inspected=50, defective=1, defects=1)
    add_inspection(plant[0], at(23), inspected=20, defective=2, defects=2)
    refresh("mv_quality_by_defect")
    c = control_chart(select("c", equipment=["Q-M1"], start=DAY, end=DAY))
    (panel,) = c.chart.panels
    # (A chart places the unscheduled occurrence at the start of its production day.)
    assert [panel.samples.describe(i) for i in range(2)] == ["2025-03-10 Unscheduled", "2025-03-10 QA"]
    assert list(panel.values) == [2.0, 1.0]
