"""The Western Electric / Nelson rules recomputed point by point in plain Python, window by window, as
the reference for quality.spc.rules (which works on whole arrays). Same patterns, same conventions: a
rule signals at the point completing its pattern; a point on the centre line is on neither side."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WESTERN_ELECTRIC = "western_electric"
NELSON = "nelson"
RULE_SETS = (NELSON, WESTERN_ELECTRIC)
DEFAULT_RULE_SET = NELSON

DESCRIPTIONS = {
    "beyond_limits": "1 point beyond a control limit",
    "two_of_three": "2 of 3 points beyond 2σ on the same side",
    "four_of_five": "4 of 5 points beyond 1σ on the same side",
    "run_one_side": "{length} points in a row on the same side of the centre line",
    "trend": "6 points in a row steadily increasing or decreasing",
    "alternating": "14 points in a row alternating up and down",
    "hugging_centre": "15 points in a row within 1σ of the centre line",
    "avoiding_centre": "8 points in a row beyond 1σ, either side",
}


@dataclass(frozen=True)
class Position:
    value: float
    centre: float
    sigma: float  # standard error of the point: one zone
    lcl: float | None
    ucl: float | None

    @property
    def z(self) -> float:
        offset = self.value - self.centre
        if self.sigma > 0:
            return offset / self.sigma
        return 0.0 if offset == 0 else math.copysign(math.inf, offset)

    @property
    def side(self) -> int:
        return (self.value > self.centre) - (self.value < self.centre)


@dataclass(frozen=True)
class Violation:
    rule: str
    description: str
    index: int  # the point that completes the pattern
    points: tuple[int, ...]  # every point involved


def evaluate(positions: Sequence[Position], rule_set: str = DEFAULT_RULE_SET) -> list[Violation]:
    """Every signal of the rule set, ordered by point, then by rule."""
    if rule_set not in RULE_SETS:
        raise ValueError(f"unknown rule set {rule_set!r}; one of {', '.join(RULE_SETS)}")
    nelson = rule_set == NELSON
    run_length = 9 if nelson else 8
    found: list[Violation] = []
    for i in range(len(positions)):
        found += _beyond_limits(positions, i)
        found += _k_of_m_beyond(positions, i, "two_of_three", 2, 3, 2.0)
        found += _k_of_m_beyond(positions, i, "four_of_five", 4, 5, 1.0)
        found += _run_one_side(positions, i, run_length)
        if nelson:
            found += _trend(positions, i, 6)
            found += _alternating(positions, i, 14)
            found += _window(positions, i, "hugging_centre", 15, lambda p: abs(p.z) < 1)
            found += _window(positions, i, "avoiding_centre", 8, lambda p: abs(p.z) > 1)
    return found


def _violation(rule: str, index: int, points, **fmt) -> list[Violation]:
    return [Violation(rule, DESCRIPTIONS[rule].format(**fmt), index, tuple(points))]


def _beyond_limits(positions, i) -> list[Violation]:
    p = positions[i]
    outside = (p.ucl is not None and p.value > p.ucl) or (p.lcl is not None and p.value < p.lcl)
    return _violation("beyond_limits", i, [i]) if outside else []


def _k_of_m_beyond(positions, i, rule: str, k: int, m: int, zone: float) -> list[Violation]:
    # Signals when point i is itself beyond the zone and completes k of the last m on its side.
    if i + 1 < m:
        return []
    z = positions[i].z
    if abs(z) <= zone:
        return []
    side = 1 if z > 0 else -1
    window = range(i - m + 1, i + 1)
    beyond = [j for j in window if positions[j].z * side > zone]
    return _violation(rule, i, beyond) if len(beyond) >= k else []


def _run_one_side(positions, i, length: int) -> list[Violation]:
    if i + 1 < length:
        return []
    window = range(i - length + 1, i + 1)
    sides = {positions[j].side for j in window}
    return _violation("run_one_side", i, window, length=length) if sides in ({1}, {-1}) else []


def _steps(positions, i, length: int) -> list[int] | None:
    """The signs of the length − 1 steps ending at point i, or None if the window is too short."""
    if i + 1 < length:
        return None
    return [(positions[j].value > positions[j - 1].value) - (positions[j].value < positions[j - 1].value)
            for j in range(i - length + 2, i + 1)]


def _trend(positions, i, length: int) -> list[Violation]:
    steps = _steps(positions, i, length)
    if steps is None or set(steps) not in ({1}, {-1}):
        return []
    return _violation("trend", i, range(i - length + 1, i + 1))


def _alternating(positions, i, length: int) -> list[Violation]:
    steps = _steps(positions, i, length)
    if steps is None or 0 in steps or any(a == b for a, b in zip(steps, steps[1:], strict=False)):
        return []
    return _violation("alternating", i, range(i - length + 1, i + 1))


def _window(positions, i, rule: str, length: int, holds) -> list[Violation]:
    if i + 1 < length:
        return []
    window = range(i - length + 1, i + 1)
    return _violation(rule, i, window) if all(holds(positions[j]) for j in window) else []
