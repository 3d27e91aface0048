"""Roll-ups are ratios of sums; the service resolves equipment sets, named ranges and granularity."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from mfgplatform.kpi import compute_kpis

from .factories import (
    add_downtime,
    add_measurement,
    add_run,
    at,
    equipment_class,
    make_equipment,
    make_reason,
    make_shift,
    only_shifts,
)

MONDAY = dt.date(2025, 3, 10)


@pytest.fixture
def line(refresh):
    """Line L1 in area A1: M1 runs a full shift on Monday; M2 has 4 h of planned maintenance on Monday
    and runs two hours on Monday and on Tuesday."""
    shift = make_shift("R8", dt.time(6), dt.time(14))
    only_shifts(shift)
    area = make_equipment("A1", level=4)
    line = make_equipment("L1", parent=area, level=5)
    end = MONDAY + dt.timedelta(days=2)
    m1 = make_equipment("M1", parent=line, decommissioned_on=end)
    m2 = make_equipment("M2", parent=line, cls=equipment_class("TCV"), decommissioned_on=end)
    add_run(m1, at(MONDAY, 6), at(MONDAY, 14), pq=400, gq=380, pri="60")
    add_run(m2, at(MONDAY, 6), at(MONDAY, 8), pq=100, gq=50, pri="30")
    add_downtime(m2, make_reason("R-PM4", "planned_downtime"), at(MONDAY, 10), at(MONDAY, 14))
    add_run(m2, at(MONDAY + dt.timedelta(days=1), 6), at(MONDAY + dt.timedelta(days=1), 8), pq=100, gq=100, pri="30")
    refresh()
    return line


def test_line_oee_is_the_ratio_of_sums_not_a_mean(line):
    (m1,) = compute_kpis(["oee"], equipment=["M1"], start=MONDAY, end=MONDAY)
    (m2,) = compute_kpis(["oee"], equipment=["M2"], start=MONDAY, end=MONDAY)
    (whole,) = compute_kpis(["oee"], equipment=["L1"], start=MONDAY, end=MONDAY)
    # PRI·GQ / PBT summed: (60·380 + 30·50) / (480·60 + 240·60)
    assert whole.value == pytest.approx((60 * 380 + 30 * 50) / (720 * 60), abs=1e-12)
    assert m1.value == pytest.approx(60 * 380 / (480 * 60), abs=1e-12)
    assert m2.value == pytest.approx(30 * 50 / (240 * 60), abs=1e-12)
    assert whole.value != pytest.approx((m1.value + m2.value) / 2)
    assert whole.elements["PBT"] == m1.elements["PBT"] + m2.elements["PBT"]
    # Each unit's OEE is still A × E × QR of its own elements.
    assert m2.value == pytest.approx(
        m2.details["availability"] * m2.details["effectiveness"] * m2.details["quality_ratio"], abs=1e-12)


def test_area_and_class_selections_use_the_hierarchy(line):
    (area,) = compute_kpis(["availability"], equipment=["A1"], start=MONDAY, end=MONDAY)
    (line_result,) = compute_kpis(["availability"], equipment=["L1"], start=MONDAY, end=MONDAY)
    (conveyors,) = compute_kpis(["availability"], equipment_classes=["TCV"], start=MONDAY, end=MONDAY)
    assert area.value == line_result.value == pytest.approx((480 + 120) / 720, abs=1e-12)
    assert conveyors.value == pytest.approx(120 / 240, abs=1e-12)


def test_granularity_and_breakdown(line):
    days = compute_kpis(["availability"], equipment=["L1"], start=MONDAY, end=MONDAY + dt.timedelta(days=1),
                        granularity="day")
    assert [(r.period, round(r.value, 9)) for r in days] == [("2025-03-10", round(600 / 720, 9)), ("2025-03-11", 0.125)]
    week = compute_kpis(["availability"], equipment=["L1"], start=MONDAY, end=MONDAY + dt.timedelta(days=1),
                        granularity="week")
    assert [(r.period, round(r.value, 9)) for r in week] == [("2025-W11", round(720 / 1680, 9))]
    shifts = compute_kpis(["availability"], equipment=["M1"], start=MONDAY, end=MONDAY, granularity="shift")
    assert [r.period for r in shifts] == ["2025-03-10 R8"]
    by_unit = compute_kpis(["availability"], equipment=["L1"], start=MONDAY, end=MONDAY, group_by="equipment")
    assert {(r.group, r.value) for r in by_unit} == {("M1", 1.0), ("M2", 0.5)}


def test_named_date_range(line):
    (result,) = compute_kpis(["availability"], equipment=["L1"], date_range="last_week", today=dt.date(2025, 3, 17))
    assert result.period == "2025-03-10..2025-03-16"
    assert result.value == pytest.approx(720 / 1680, abs=1e-12)


def test_zero_denominator_is_null_with_a_reason(line):
    (result,) = compute_kpis(["actual_to_planned_scrap_ratio"], equipment=["L1"], start=MONDAY, end=MONDAY)
    assert result.value is None
    assert result.reason == "PSQ is zero"
    (empty,) = compute_kpis(["oee"], equipment=["L1"], start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 2))
    assert (empty.value, empty.reason) == (None, "no recorded data in the selection")


def test_unknown_names_are_rejected(line):
    with pytest.raises(ValueError, match="unknown KPI code"):
        compute_kpis(["nonsense"], start=MONDAY, end=MONDAY)
    with pytest.raises(ValueError, match="unknown equipment code"):
        compute_kpis(["oee"], equipment=["NOPE"], start=MONDAY, end=MONDAY)


def test_effectiveness_above_100_percent_is_flagged_not_clamped(refresh):
    shift = make_shift("R1", dt.time(6), dt.time(14))
    only_shifts(shift)
    unit = make_equipment("FAST", decommissioned_on=MONDAY + dt.timedelta(days=1))
    add_run(unit, at(MONDAY, 6), at(MONDAY, 14), pq=600, gq=600, pri="60")  # 600 min of work in 480 min
    refresh()
    (result,) = compute_kpis(["effectiveness"], equipment=["FAST"], start=MONDAY, end=MONDAY)
    assert result.value == pytest.approx(1.25, abs=1e-12)
    assert result.flags == ["above_100_percent"]


def test_kpi_command_outputs(line):
    common = ["oee", "availability", "--equipment", "L1", "--from", "2025-03-10", "--to", "2025-03-11",
              "--granularity", "day"]
    table, as_json, as_csv = StringIO(), StringIO(), StringIO()
    call_command("kpi", *common, stdout=table)
    call_command("kpi", *common, "--format", "json", stdout=as_json)
    call_command("kpi", *common, "--format", "csv", stdout=as_csv)
    assert "availability  2025-03-10" in table.getvalue()
    assert "83.33 %" in table.getvalue()
    rows = json.loads(as_json.getvalue())
    assert [(r["kpi"], r["period"]) for r in rows][:2] == [("oee", "2025-03-10"), ("oee", "2025-03-11")]
    assert rows[0]["formula"].startswith("Availability × Effectiveness × Quality ratio")
    assert rows[0]["elements"]["PBT"] == 720 * 60
    lines = as_csv.getvalue().splitlines()
    assert lines[0] == "kpi,standard,period,group,value,unit,reason,flags,formula,elements,data_as_of,stale"
    assert len(lines) == 5
    # Read from views the test just refreshed: every answer says when, and none is stale.
    assert table.getvalue().splitlines()[-1].startswith("data as of ")
    assert {(bool(r["data_as_of"]), r["stale"]) for r in rows} == {(True, False)}


def test_reliability_per_class_and_failure_mode_with_censoring(refresh):
    """Two pumps, one never fails (censored): its operating time still counts in τ and MTBF."""
    shift = make_shift("RR", dt.time(6), dt.time(14))
    only_shifts(shift)
    end = MONDAY + dt.timedelta(days=1)
    pumps = [make_equipment(code, cls=equipment_class("TPX"), decommissioned_on=end) for code in ("PX1", "PX2")]
    for pump in pumps:
        add_run(pump, at(MONDAY, 6), at(MONDAY, 14), pq=100, gq=100)
    vib = make_reason("R-VIB", "delay", failure=True, mode="VIB", maintenance="corrective")
    brd = make_reason("R-BRD", "delay", failure=True, mode="BRD")
    add_downtime(pumps[0], vib, at(MONDAY, 8), at(MONDAY, 9))
    add_downtime(pumps[0], brd, at(MONDAY, 10), at(MONDAY, 10, 30))
    add_downtime(pumps[0], make_reason("R-PM", "planned_downtime", maintenance="preventive"),
                 at(MONDAY, 12), at(MONDAY, 14))
    refresh()
    # Operating time: PX1 8 h − 1.5 h failures − 2 h planned = 4.5 h; PX2 8 h.
    results = {r.kpi: r for r in compute_kpis(
        ["mtbf", "mttr", "failure_rate", "corrective_maintenance_ratio", "availability_iso14224"],
        equipment_classes=["TPX"], start=MONDAY, end=MONDAY)}
    assert results["mtbf"].value == pytest.approx(12.5 / 2, abs=1e-12)
    assert results["mttr"].value == pytest.approx(0.75, abs=1e-12)
    assert results["failure_rate"].value == pytest.approx(2 / 12.5, abs=1e-12)
    assert results["failure_rate"].details["bounds"] == "two-sided"
    assert results["corrective_maintenance_ratio"].value == pytest.approx(1.5 / 3.5, abs=1e-12)
    assert results["availability_iso14224"].value == pytest.approx(12.5 / 14, abs=1e-12)
    by_mode = compute_kpis(["mtbf"], equipment_classes=["TPX"], start=MONDAY, end=MONDAY, group_by="failure_mode")
    # The preventive stop has no failure mode: its group has no failure, so no MTBF.
    assert {(r.group, r.value) for r in by_mode} == {("VIB", 12.5), ("BRD", 12.5), ("none", None)}
    (brd_only,) = compute_kpis(["mttr"], equipment_classes=["TPX"], start=MONDAY, end=MONDAY, failure_mode="BRD")
    assert brd_only.value == pytest.approx(0.5, abs=1e-12)
    (healthy,) = compute_kpis(["failure_rate"], equipment=["PX2"], start=MONDAY, end=MONDAY)
    assert healthy.value == 0
    assert healthy.details["bounds"].startswith("one-sided upper")
    assert healthy.details["upper"] == pytest.approx(2.302585093 / 8, rel=1e-9)


def test_capability_pools_subgroups(refresh):
    shift = make_shift("RC", dt.time(6), dt.time(14))
    only_shifts(shift)
    unit = make_equipment("CAP")
    subgroups = {1: [10.0, 10.1, 10.2], 2: [9.9, 10.0, 10.1]}
    for number, measured in subgroups.items():
        for value in measured:
            add_measurement(unit, at(MONDAY, 7 + number), value, subgroup=number)
    refresh()
    results = {r.kpi: r for r in compute_kpis(["cp", "pp", "cpk"], equipment=["CAP"], start=MONDAY, end=MONDAY,
                                               characteristic="bore")}
    pooled = (0.01 + 0.01) ** 0.5 / 2**0.5 * 1  # both subgroups have s = 0.1
    all_values = [v for measured in subgroups.values() for v in measured]
    mean = sum(all_values) / 6
    overall = (sum((v - mean) ** 2 for v in all_values) / 5) ** 0.5
    assert results["cp"].value == pytest.approx(0.4 / (6 * pooled), rel=1e-9)
    assert results["pp"].value == pytest.approx(0.4 / (6 * overall), rel=1e-9)
    assert results["cpk"].value == pytest.approx(min(10.2 - mean, mean - 9.8) / (3 * pooled), rel=1e-9)
    with pytest.raises(ValueError, match="characteristic"):
        compute_kpis(["cp"], equipment=["CAP"], start=MONDAY, end=MONDAY)


def test_downtime_across_midnight_is_split_between_shift_occurrences(refresh):
    night = make_shift("RN", dt.time(22), dt.time(6))
    early = make_shift("RE", dt.time(6), dt.time(14))
    only_shifts(night, early)
    unit = make_equipment("MID", decommissioned_on=MONDAY + dt.timedelta(days=2))
    add_run(unit, at(MONDAY, 6), at(MONDAY, 7), pq=1, gq=1)
    fail = make_reason("R-MID", "delay", failure=True, mode="BRD")
    add_downtime(unit, fail, at(MONDAY + dt.timedelta(days=1), 4), at(MONDAY + dt.timedelta(days=1), 8))
    refresh()
    rows = compute_kpis(["technical_efficiency"], equipment=["MID"], start=MONDAY, end=MONDAY + dt.timedelta(days=1),
                        granularity="shift")
    delay_by_shift = {r.period: r.elements["ADET"] / 3600 for r in rows}
    assert delay_by_shift == {"2025-03-10 RE": 0, "2025-03-10 RN": 2, "2025-03-11 RE": 2, "2025-03-11 RN": 0}


def test_counting_kpis_read_one_row_per_unit_and_occurrence(refresh):
    """FPY, DPU, DPMO and PPM read mv_quality_by_occurrence: the per-defect-type rows summed once per
    unit × occurrence give the same values as the facts, by shift and by week (numbers by hand)."""
    from django.db import connection

    from quality.models import DefectType

    from .factories import add_inspection, product

    shift = make_shift("QW8", dt.time(6), dt.time(14))
    only_shifts(shift)
    unit = make_equipment("QW-M1")
    scratch, dent = (DefectType.objects.create(code=code, name=code, category="visual") for code in ("QW-S", "QW-D"))
    four = product("QW-P4", opportunities=4)
    # Monday: three records of two defect types and one without (one occurrence).
    add_inspection(unit, at(MONDAY, 7), inspected=100, defective=3, defects=4, first_pass_good=95, prod=four,
                   defect_type=scratch)
    add_inspection(unit, at(MONDAY, 9), inspected=50, defective=2, defects=2, first_pass_good=47, prod=four,
                   defect_type=dent)
    add_inspection(unit, at(MONDAY, 11), inspected=50, prod=four)
    # The next Monday (another ISO week): one record.
    next_monday = MONDAY + dt.timedelta(days=7)
    add_inspection(unit, at(next_monday, 8), inspected=200, defective=1, defects=1, first_pass_good=199, prod=four,
                   defect_type=scratch)
    refresh()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM mv_quality_by_defect")
        per_defect_type = cursor.fetchone()[0]
        cursor.execute("SELECT production_date, inspected_qty, defect_count, first_pass_good_qty, "
                       "first_pass_inspected_qty, defect_opportunities FROM mv_quality_by_occurrence "
                       "ORDER BY production_date")
        assert cursor.fetchall() == [(MONDAY, 200, 6, 142, 150, 800), (next_monday, 200, 1, 199, 200, 800)]
    assert per_defect_type == 4  # Monday: scratch, dent, none; the next Monday: scratch
    options = {"equipment": ["QW-M1"], "start": MONDAY, "end": next_monday}
    for granularity in ("week", "shift"):
        from_views = compute_kpis(["fpy", "dpu", "dpmo", "ppm_defective"], granularity=granularity, **options)
        from_facts = compute_kpis(["fpy", "dpu", "dpmo", "ppm_defective"], granularity=granularity,
                                  from_facts=True, **options)
        assert [(r.kpi, r.period, r.value) for r in from_views] == [(r.kpi, r.period, r.value) for r in from_facts]
    by_week = {(r.kpi, r.period): r.value for r in compute_kpis(["fpy", "dpu", "dpmo", "ppm_defective"],
                                                                  granularity="week", **options)}
    assert by_week[("fpy", "2025-W11")] == pytest.approx(142 / 150)
    assert by_week[("dpu", "2025-W11")] == pytest.approx(6 / 200)
    assert by_week[("dpmo", "2025-W11")] == pytest.approx(6 / 800 * 1e6)
    assert by_week[("ppm_defective", "2025-W11")] == pytest.approx(5 / 200 * 1e6)
    assert by_week[("fpy", "2025-W12")] == pytest.approx(199 / 200)
