"""Control charts computed from subgroup statistics: X̄–R, X̄–S, I–MR, p, np, c and u.

Phase I estimates the centre and σ from the baseline points; phase II applies those limits, unchanged,
to the points after (or before) the baseline. Limits are per point where the subgroup size varies:

| chart | point | centre | standard error σᵢ | limits |
| --- | --- | --- | --- | --- |
| X̄ | subgroup mean | x̿ (mean of the baseline measurements) | σ̂/√nᵢ | centre ± 3σᵢ |
| R | subgroup range | d₂(nᵢ)σ̂ | d₃(nᵢ)σ̂ | centre ± 3σᵢ, the lower one at least 0 |
| S | subgroup SD | c₄(nᵢ)σ̂ | √(1 − c₄(nᵢ)²)σ̂ | centre ± 3σᵢ, the lower one at least 0 |
| I | value | mean of the baseline values | σ̂ = MR̄/d₂(2) | centre ± 3σ̂ |
| MR | moving range | d₂(2)σ̂ (= MR̄) | d₃(2)σ̂ | centre + 3σᵢ, lower limit 0 |
| p | defective share dᵢ/nᵢ | p̄ = Σd/Σn | √(p̄(1 − p̄)/nᵢ) | centre ± 3σᵢ within [0, 1] |
| np | defective units dᵢ | nᵢp̄ | √(nᵢp̄(1 − p̄)) | centre ± 3σᵢ, at least 0 |
| c | defects cᵢ | c̄ (mean count per subgroup) | √c̄ | centre ± 3σᵢ, at least 0 |
| u | defects per unit cᵢ/nᵢ | ū = Σc/Σn | √(ū/nᵢ) | centre ± 3σᵢ, at least 0 |

With R̄/d₂ and equal subgroup sizes the X̄ and R limits are the textbook x̿ ± A₂R̄, D₃R̄ and D₄R̄ (A₂ =
3/(d₂√n), D₃,₄ = 1 ∓ 3d₃/d₂); with S̄/c₄, x̿ ± A₃S̄, B₃S̄ and B₄S̄. The np and c charts assume
equal subgroup sizes (inspected units, inspection area); with unequal sizes use p and u.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import estimators
from .constants import c4, d2, d3
from .estimators import per_size
from .rules import Signals, Violation, evaluate

XBAR_R = "xbar_r"
XBAR_S = "xbar_s"
I_MR = "i_mr"
P = "p"
NP = "np"
C = "c"
U = "u"
VARIABLE_CHARTS = (XBAR_R, XBAR_S, I_MR)
ATTRIBUTE_CHARTS = (P, NP, C, U)
CHART_TYPES = VARIABLE_CHARTS + ATTRIBUTE_CHARTS
DEFAULT_ESTIMATOR = {XBAR_R: estimators.RBAR_D2, XBAR_S: estimators.SBAR_C4, I_MR: estimators.MRBAR_D2}
TITLES = {
    XBAR_R: "X̄–R chart", XBAR_S: "X̄–S chart", I_MR: "I–MR chart", P: "p chart (share defective)",
    NP: "np chart (defective units)", C: "c chart (defects)", U: "u chart (defects per unit)",
}


class ChartError(ValueError):
    """The data cannot give this chart (no baseline, no subgroup of two, …); the message says why."""


@dataclass
class Samples:
    """Subgroup statistics in time order, one array per statistic (a year is tens of thousands of
    subgroups, so nothing here is a Python object per subgroup). `at` orders them, `baseline` marks
    phase I, `describe(i)` names subgroup i for people."""

    at: np.ndarray  # epoch seconds
    n: np.ndarray
    baseline: np.ndarray
    describe: Callable[[int], str]
    mean: np.ndarray | None = None
    range: np.ndarray | None = None
    m2: np.ndarray | None = None
    defective: np.ndarray | None = None
    defects: np.ndarray | None = None
    fields: dict[str, list] = field(default_factory=dict)  # per-subgroup columns for output

    def __len__(self) -> int:
        return len(self.at)

    def take(self, keep: np.ndarray) -> Samples:
        """The subgroups where `keep` is set, in the same order."""
        chosen = np.flatnonzero(keep)

        def pick(column):
            return None if column is None else column[chosen]

        return Samples(
            at=self.at[chosen], n=self.n[chosen], baseline=self.baseline[chosen],
            describe=lambda i, describe=self.describe: describe(int(chosen[i])), mean=pick(self.mean),
            range=pick(self.range), m2=pick(self.m2), defective=pick(self.defective), defects=pick(self.defects),
            fields={name: np.asarray(column)[chosen] for name, column in self.fields.items()},
        )


@dataclass
class Panel:
    name: str  # "xbar", "r", "s", "i", "mr", "p", "np", "c", "u"
    title: str
    samples: Samples
    values: np.ndarray
    centres: np.ndarray
    sigmas: np.ndarray  # standard error of each point: one zone
    lcls: np.ndarray
    ucls: np.ndarray
    violations: Signals

    def points(self) -> list[dict[str, Any]]:
        """One record per point, for output."""
        return [
            {"index": i, "label": self.samples.describe(i),
             "at": dt.datetime.fromtimestamp(float(self.samples.at[i]), tz=dt.UTC).isoformat(),
             "n": _number(self.samples.n[i]),
             "value": float(self.values[i]), "centre": float(self.centres[i]), "lcl": float(self.lcls[i]),
             "ucl": float(self.ucls[i]), "phase": "I" if self.samples.baseline[i] else "II"}
            for i in range(len(self.values))
        ]


def _number(value) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


@dataclass
class ControlChart:
    chart_type: str
    title: str
    estimator: str | None
    sigma_within: float | None
    centre: float
    baseline_points: int
    rule_set: str
    panels: list[Panel]

    @property
    def violations(self) -> Iterator[tuple[Panel, Violation]]:
        """Every signal with its panel, panel by panel (made as read)."""
        return ((panel, v) for panel in self.panels for v in panel.violations)

    @property
    def signal_count(self) -> int:
        return sum(len(panel.violations) for panel in self.panels)


def _panel(name: str, title: str, samples: Samples, values, centres, sigmas, *, floor: float | None = None,
           ceiling: float | None = None, rule_set: str) -> Panel:
    values, centres, sigmas = (np.asarray(a, dtype=float) for a in (values, centres, sigmas))
    centres = np.broadcast_to(centres, values.shape)
    sigmas = np.broadcast_to(sigmas, values.shape)
    lcls, ucls = centres - 3 * sigmas, centres + 3 * sigmas
    if floor is not None:
        lcls = np.maximum(lcls, floor)
    if ceiling is not None:
        ucls = np.minimum(ucls, ceiling)
    return Panel(name, title, samples, values, centres, sigmas, lcls, ucls,
                 evaluate(values, centres, sigmas, lcls, ucls, rule_set))


def _require_baseline(samples: Samples) -> None:
    if len(samples) == 0:
        raise ChartError("no subgroups in the selection")
    if not samples.baseline.any():
        raise ChartError("no subgroups in the baseline (phase I) period")


def subgroup_chart(chart_type: str, samples: Samples, *, estimator: str | None = None,
                   rule_set: str) -> ControlChart:
    """X̄–R or X̄–S over subgroups in time order."""
    estimator = estimator or DEFAULT_ESTIMATOR[chart_type]
    if estimator not in estimators.SUBGROUP_ESTIMATORS:
        raise ChartError(f"σ_within estimator for {chart_type} must be one of "
                         f"{', '.join(estimators.SUBGROUP_ESTIMATORS)}")
    _require_baseline(samples)
    base = samples.baseline
    sigma = estimators.sigma_within(estimator, samples.n[base], samples.range[base], samples.m2[base])
    if sigma is None:
        raise ChartError("no baseline subgroup has two or more measurements")
    centre = math.fsum(samples.n[base] * samples.mean[base]) / float(samples.n[base].sum())
    xbar = _panel("xbar", "Subgroup mean (X̄)", samples, samples.mean, centre, sigma / np.sqrt(samples.n),
                  rule_set=rule_set)
    spread = samples.take(samples.n > 1)
    if chart_type == XBAR_R:
        spread_panel = _panel("r", "Subgroup range (R)", spread, spread.range, per_size(d2, spread.n) * sigma,
                              per_size(d3, spread.n) * sigma, floor=0.0, rule_set=rule_set)
    else:
        bias = per_size(c4, spread.n)
        spread_panel = _panel("s", "Subgroup standard deviation (S)", spread, np.sqrt(spread.m2 / (spread.n - 1)),
                              bias * sigma, np.sqrt(1 - bias**2) * sigma, floor=0.0, rule_set=rule_set)
    return ControlChart(chart_type, TITLES[chart_type], estimator, sigma, centre, int(base.sum()), rule_set,
                        [xbar, spread_panel])


def individuals_chart(samples: Samples, *, rule_set: str) -> ControlChart:
    """I–MR over individual values in time order (their value in `mean`)."""
    _require_baseline(samples)
    if samples.baseline.sum() < 2:
        raise ChartError("an individuals chart needs two or more baseline values")
    moving = np.abs(np.diff(samples.mean))
    sigma = estimators.sigma_from_moving_ranges(moving[samples.baseline[1:]])
    if sigma is None:
        raise ChartError("no moving range inside the baseline")
    centre = math.fsum(samples.mean[samples.baseline]) / int(samples.baseline.sum())
    individual = _panel("i", "Individual value (I)", samples, samples.mean, centre, sigma, rule_set=rule_set)
    after_first = samples.take(np.arange(len(samples)) > 0)
    moving_range = _panel("mr", "Moving range (MR)", after_first, moving, d2(2) * sigma, d3(2) * sigma, floor=0.0,
                          rule_set=rule_set)
    return ControlChart(I_MR, TITLES[I_MR], estimators.MRBAR_D2, sigma, centre, int(samples.baseline.sum()),
                        rule_set, [individual, moving_range])


def attribute_chart(chart_type: str, samples: Samples, *, rule_set: str) -> ControlChart:
    """p, np, c or u over inspection subgroups (n = units inspected, all positive) in time order."""
    _require_baseline(samples)
    base = samples.baseline
    inspected = float(samples.n[base].sum())
    if chart_type in (P, NP, U) and inspected <= 0:
        raise ChartError("no units inspected in the baseline")
    n = samples.n
    if chart_type in (P, NP):
        centre = float(samples.defective[base].sum()) / inspected
        if chart_type == P:
            panel = _panel("p", "Share defective (p)", samples, samples.defective / n, centre,
                           np.sqrt(centre * (1 - centre) / n), floor=0.0, ceiling=1.0, rule_set=rule_set)
        else:
            panel = _panel("np", "Defective units (np)", samples, samples.defective, n * centre,
                           np.sqrt(n * centre * (1 - centre)), floor=0.0, rule_set=rule_set)
    elif chart_type == C:
        centre = float(samples.defects[base].sum()) / int(base.sum())
        panel = _panel("c", "Defects (c)", samples, samples.defects, centre, math.sqrt(centre), floor=0.0,
                       rule_set=rule_set)
    elif chart_type == U:
        centre = float(samples.defects[base].sum()) / inspected
        panel = _panel("u", "Defects per unit (u)", samples, samples.defects / n, centre, np.sqrt(centre / n),
                       floor=0.0, rule_set=rule_set)
    else:
        raise ChartError(f"unknown attribute chart {chart_type!r}")
    return ControlChart(chart_type, TITLES[chart_type], None, None, centre, int(base.sum()), rule_set, [panel])


def samples_from(records: Sequence[dict[str, Any]], *, describe: Callable[[dict], str] = str) -> Samples:
    """Samples from one dict per subgroup (tests and small data): keys at, n, baseline (default true),
    and mean, range, m2 or defective, defects."""
    def column(name):
        return np.array([r[name] for r in records], dtype=float) if records and name in records[0] else None

    return Samples(
        at=np.array([r.get("at", i) for i, r in enumerate(records)], dtype=float),
        n=np.array([r["n"] for r in records], dtype=float),
        baseline=np.array([r.get("baseline", True) for r in records], dtype=bool),
        describe=lambda i: describe(records[i]), mean=column("mean"), range=column("range"), m2=column("m2"),
        defective=column("defective"), defects=column("defects"),
    )
