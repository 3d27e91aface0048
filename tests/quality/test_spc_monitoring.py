"""The weekly data-quality job and the compliance report list the characteristics that went out of
statistical control in the period, per work unit, with the rules that signalled."""

import datetime as dt
import json
import random
from io import StringIO

import pytest
from django.core.management import call_command

from mfgplatform.compliance.periods import ReportPeriod
from mfgplatform.compliance.sections import quality_section
from mfgplatform.models import AuditLog
from quality.spc.monitoring import out_of_control
from tests.kpi.factories import add_inspection, add_measurement, make_equipment, make_shift, only_shifts

WEEK = (dt.date(2025, 3, 10), dt.date(2025, 3, 16))  # Monday to Sunday
BASELINE_START = WEEK[0] - dt.timedelta(weeks=8)


@pytest.fixture
def plant(refresh):
    only_shifts(make_shift("MA", dt.time(6), dt.time(14), order=1))
    steady, shifted = make_equipment("MON-STEADY"), make_equipment("MON-SHIFTED")
    # A fixed seed: with eight rules over ~100 points a steady process sometimes signals by chance
    # (that is the rules' false-alarm rate); with this one the steady unit's week has no signal.
    rng = random.Random(1)
    day = BASELINE_START
    while day <= WEEK[1]:
        for unit in (steady, shifted):
            # The shifted unit's mean moves by 4 σ in the reported week: its subgroups fall beyond the limits.
            mean = 10.0 + (0.04 if unit is shifted and day >= WEEK[0] else 0.0)
            for number in (1, 2):
                first = dt.datetime.combine(day, dt.time(6 + 3 * number), tzinfo=dt.UTC)
                for part in range(5):
                    add_measurement(unit, first + dt.timedelta(minutes=part), rng.gauss(mean, 0.01),
                                    characteristic="gap", subgroup=number)
        add_inspection(steady, dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), inspected=10, first_pass_good=10)
        day += dt.timedelta(days=1)
    refresh("mv_quality_measurement", "mv_quality_by_defect")


def test_the_shifted_unit_is_out_of_control_with_its_rules(plant):
    [finding] = out_of_control(*WEEK)
    assert (finding.characteristic, finding.equipment) == ("gap", "MON-SHIFTED")
    assert finding.baseline == f"{BASELINE_START}..{WEEK[0] - dt.timedelta(days=1)}"
    assert finding.rules["beyond_limits"] >= 10  # most of the week's 14 subgroups
    assert finding.first_signal.startswith(f"{WEEK[0]} MA #")
    assert finding.signals == sum(finding.rules.values())
    # Without earlier data the week is its own baseline: a shift that lasts the whole week is no change.
    assert all(f.baseline == "the period itself" for f in out_of_control(*WEEK, baseline_weeks=0))


def test_the_weekly_job_records_the_findings(plant):
    out = StringIO()
    call_command("run_job", "weekly_data_quality", "--kwargs", json.dumps({"period": "2025-W11"}), stdout=out)
    assert json.loads(out.getvalue())["outcome"] == "succeeded"
    [event] = AuditLog.objects.filter(action="job.weekly_data_quality.succeeded")
    [finding] = event.payload["out_of_control"]
    assert (finding["characteristic"], finding["equipment"]) == ("gap", "MON-SHIFTED")
    assert "beyond_limits" in finding["rules"]


def test_the_compliance_report_lists_them(plant):
    section = quality_section(ReportPeriod(*WEEK, "weekly"))
    [table] = [t for t in section.tables if t.title.startswith("Characteristics out of statistical control")]
    [row] = table.rows
    assert row[:2] == ["gap", "MON-SHIFTED"]
    assert "beyond_limits" in row[3]
    assert section.status == "attention"
    assert "out of statistical control: gap" in section.summary
