"""Estimators of σ_within, the short-term process standard deviation, from phase I subgroups.

| name | estimate | used by default for |
| --- | --- | --- |
| `rbar_d2` | mean of Rᵢ / d₂(nᵢ) (R̄/d₂ when all nᵢ are equal) | X̄–R charts (the published A₂, D₃, D₄ assume it) |
| `sbar_c4` | mean of sᵢ / c₄(nᵢ) (S̄/c₄ when all nᵢ are equal) | X̄–S charts: the pairing of A₃, B₃, B₄ |
| `pooled` | √(Σ(nᵢ − 1)sᵢ² / Σ(nᵢ − 1)), no unbiasing constant | the capability KPIs (Cp, Cpk) |
| `pooled_c4` | the pooled SD / c₄(Σ(nᵢ − 1) + 1) | — |
| `mrbar_d2` | MR̄ / d₂(2), the mean moving range of consecutive values | I–MR charts |

R̄/d₂ and S̄/c₄ are unbiased for normal data; R̄/d₂ wastes information beyond n ≈ 10, S̄/c₄ less so,
and the pooled SD is the most efficient (its square is unbiased for σ²; the c₄ correction removes the
small bias of its root, negligible with many degrees of freedom). Each chart type defaults to the
estimator its textbook limits are built on, so that the published worked examples reproduce.
Subgroups of one measurement carry no within-subgroup information and are skipped.
"""

from __future__ import annotations

import math

import numpy as np

from .constants import c4, d2

RBAR_D2 = "rbar_d2"
SBAR_C4 = "sbar_c4"
POOLED = "pooled"
POOLED_C4 = "pooled_c4"
MRBAR_D2 = "mrbar_d2"

SUBGROUP_ESTIMATORS = (RBAR_D2, SBAR_C4, POOLED, POOLED_C4)
DESCRIPTIONS = {
    RBAR_D2: "R̄/d₂ (mean subgroup range over d₂)",
    SBAR_C4: "S̄/c₄ (mean subgroup standard deviation over c₄)",
    POOLED: "pooled standard deviation (without c₄)",
    POOLED_C4: "pooled standard deviation / c₄(Σ(nᵢ − 1) + 1)",
    MRBAR_D2: "MR̄/d₂(2) (mean moving range of consecutive values)",
}


def sigma_within(estimator: str, n, ranges, m2) -> float | None:
    """σ_within from the subgroups' sizes, ranges and sums of squared deviations (arrays), over the
    subgroups of two or more measurements; None when there is none."""
    n, ranges, m2 = (np.asarray(a, dtype=float) for a in (n, ranges, m2))
    usable = n > 1
    if not usable.any():
        return None
    n, ranges, m2 = n[usable], ranges[usable], m2[usable]
    if estimator == RBAR_D2:
        return math.fsum(ranges / per_size(d2, n)) / n.size
    if estimator == SBAR_C4:
        return math.fsum(np.sqrt(m2 / (n - 1)) / per_size(c4, n)) / n.size
    degrees = int((n - 1).sum())
    pooled = math.sqrt(math.fsum(m2) / degrees)
    if estimator == POOLED:
        return pooled
    if estimator == POOLED_C4:
        return pooled / c4(degrees + 1)
    raise ValueError(f"unknown σ_within estimator {estimator!r}; one of {', '.join(SUBGROUP_ESTIMATORS)}")


def per_size(constant, sizes: np.ndarray) -> np.ndarray:
    """A constant (d₂, d₃, c₄) of each subgroup size, computed once per distinct size."""
    table = {int(k): constant(int(k)) for k in np.unique(sizes)}
    return np.array([table[int(k)] for k in sizes], dtype=float)


def sigma_from_moving_ranges(moving_ranges) -> float | None:
    """MR̄/d₂(2) for an individuals chart."""
    moving_ranges = np.asarray(moving_ranges, dtype=float)
    if moving_ranges.size == 0:
        return None
    return math.fsum(moving_ranges) / moving_ranges.size / d2(2)
