"""Count, mean and spread of a set of measurements in a form that stays exact when sets are combined.

The aggregates (mv_quality_measurement, agg_sensor_hourly) keep per row the count n, the mean rounded
to a double, the residual Σ(x − mean) that rounding left over, and m2 = Σ(x − exact mean)². A spread
derived from Σx and Σx² cancels catastrophically when the values lie far from zero (a frequency near
1e8 Hz with a spread of 0.5 keeps no correct digit of Σx² − (Σx)²/n); these do not.

Combining k sets is the pairwise (Chan et al.) update applied to all at once: with every mean
expressed as a deviation D_i from a common reference (one of the means, so the subtraction is exact
for values of equal magnitude) and D̄ = Σ n_i D_i / N,

    m2 = Σ m2_i + Σ n_i (D_i − D̄)² − (Σ n_i (D_i − D̄))² / N,

where the last term removes the first-order error of the rounded D̄ (the corrected two-pass formula).
Python floats overflow to inf instead of raising, so extreme values give inf, never an error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Moments:
    n: int
    mean: float  # rounded to a double
    residual: float  # Σ(x − mean): the exact mean is mean + residual / n
    m2: float  # Σ(x − exact mean)²

    @classmethod
    def of(cls, values: Iterable[float]) -> Moments:
        """The moments of raw values (two passes, as the SQL computes them)."""
        values = list(values)
        if not values:
            return EMPTY
        approx = exact_sum(values) / len(values)
        deviations = [x - approx for x in values]
        residual = exact_sum(deviations)
        m2 = exact_sum(d * d for d in deviations) - residual * residual / len(values)
        return cls(len(values), approx, residual, max(m2, 0.0))

    @property
    def variance(self) -> float | None:
        """Sample variance (n − 1 in the denominator)."""
        return self.m2 / (self.n - 1) if self.n > 1 else None

    @property
    def stdev(self) -> float | None:
        return math.sqrt(self.variance) if self.variance is not None else None


EMPTY = Moments(0, math.nan, 0.0, 0.0)


def exact_sum(values: Iterable[float]) -> float:
    """math.fsum (correctly rounded), or the plain sum where fsum refuses (an overflow, inf − inf)."""
    values = list(values)
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):
        return sum(values)


def combine(parts: Iterable[Moments]) -> Moments:
    """The moments of the union of disjoint sets (see the module docstring)."""
    parts = [p for p in parts if p.n > 0]
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    return combine_arrays(*(np.array(column, dtype=float) for column in zip(*(
        (p.n, p.mean, p.residual, p.m2) for p in parts), strict=True)))


def combine_arrays(n, mean, residual, m2) -> Moments:
    """combine() over columns (numpy arrays of the rows' n, mean, residual and m2). The sums are
    numpy's pairwise sums: their rounding error grows with log N, not N."""
    keep = n > 0
    n, mean, residual, m2 = n[keep], mean[keep], residual[keep], m2[keep]
    if n.size == 0:
        return EMPTY
    with np.errstate(all="ignore"):  # extreme values give inf or NaN, never an error
        reference = mean[0]
        total = n.sum()
        deviations = (mean - reference) + residual / n
        centre = (n * deviations).sum() / total
        spread = deviations - centre
        drift = (n * spread).sum()
        combined = m2.sum() + (n * spread * spread).sum() - drift * drift / total
        rounded = reference + centre
        carried = ((reference - rounded) + centre) * total + drift
    return Moments(int(total), float(rounded), float(carried), float(max(combined, 0.0)))
