"""Which characteristics went out of control in a period, and by which rule.

Each characteristic is charted per work unit (units of one characteristic differ in their means, so a
chart mixing them would signal their differences, not a change): an X̄–R chart with R̄/d₂ whose phase I
baseline is the `baseline_weeks` before the period, the period itself being phase II. A unit without
subgroups in that baseline (new, or measured only now) is judged against the period itself. A
characteristic × unit is out of control when a rule signals at a point inside the period. A unit
whose subgroups have one measurement each (no range) is charted with I–MR instead.

The weekly data-quality job and the compliance report list these findings.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field

from django.db import connection

from mfgplatform.calendar import date_key

from .charts import ChartError
from .rules import DEFAULT_RULE_SET
from .service import control_chart, select

BASELINE_WEEKS = 8


@dataclass(frozen=True)
class Finding:
    characteristic: str
    equipment: str
    rules: dict[str, int]  # rule → signals inside the period
    signals: int
    first_signal: str  # the subgroup completing the first signal in the period
    baseline: str  # "2025-01-06..2025-03-02", or "the period itself"
    descriptions: dict[str, str] = field(default_factory=dict)

    def as_payload(self) -> dict:
        return asdict(self)

    @property
    def rule_summary(self) -> str:
        return ", ".join(f"{rule} ×{count}" for rule, count in sorted(self.rules.items(), key=lambda i: -i[1]))


def _charted_pairs(start: dt.date, end: dt.date) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("""
SELECT DISTINCT v.characteristic, e.code
  FROM mv_quality_measurement AS v JOIN dim_equipment AS e ON e.id = v.equipment_id
 WHERE v.production_date BETWEEN %s AND %s AND v.subgroup <> 0
 ORDER BY 1, 2""", [start, end])
        return cursor.fetchall()


def out_of_control(start: dt.date, end: dt.date, *, baseline_weeks: int = BASELINE_WEEKS,
                   rule_set: str = DEFAULT_RULE_SET) -> list[Finding]:
    """Every characteristic × work unit with a rule signal between `start` and `end` (production dates)."""
    findings = []
    baseline = (start - dt.timedelta(weeks=baseline_weeks), start - dt.timedelta(days=1))
    for characteristic, unit in _charted_pairs(start, end):
        result, used = _chart(characteristic, unit, start, end, baseline if baseline_weeks > 0 else None, rule_set)
        if result is None:
            continue
        first_key, counts, first, descriptions = date_key(start), Counter(), None, {}
        for panel in result.chart.panels:
            in_period = panel.samples.fields["date_key"] >= first_key
            for violation in panel.violations:
                if in_period[violation.index]:
                    counts[violation.rule] += 1
                    descriptions[violation.rule] = violation.description
                    if first is None or panel.samples.at[violation.index] < first[0]:
                        first = (panel.samples.at[violation.index], panel.samples.describe(violation.index))
        if counts:
            findings.append(Finding(characteristic, unit, dict(counts), sum(counts.values()), first[1], used,
                                    descriptions))
    return findings


def _chart(characteristic: str, unit: str, start: dt.date, end: dt.date, baseline, rule_set: str):
    """(the chart, its baseline's description): X̄–R against the baseline, else against the period
    itself; I–MR where the subgroups have a single measurement. (None, "") when nothing charts."""
    for chart_type in ("xbar_r", "i_mr"):
        attempts = [(baseline[0], baseline, f"{baseline[0]}..{baseline[1]}")] if baseline else []
        attempts.append((start, None, "the period itself"))
        for first, phase_one, label in attempts:
            try:
                selection = select(chart_type, characteristic=characteristic, equipment=[unit], start=first, end=end,
                                   baseline=phase_one)
                return control_chart(selection, rule_set=rule_set), label
            except ChartError:
                continue  # no (usable) subgroup in that baseline
    return None, ""
