"""Western Electric and Nelson rules for detecting special causes on a control chart.

Each point has a centre, a standard error σᵢ (the distance of one zone) and control limits; its
position is z = (x − centre) / σᵢ. A rule signals at the point that completes its pattern and names the
points involved. Runs are tested over the whole sequence (phase I and phase II alike).

| code | pattern | Western Electric | Nelson |
| --- | --- | --- | --- |
| `beyond_limits` | 1 point beyond a control limit (3σ) | 1 | 1 |
| `two_of_three` | 2 of 3 consecutive points beyond 2σ on the same side | 2 | 5 |
| `four_of_five` | 4 of 5 consecutive points beyond 1σ on the same side | 3 | 6 |
| `run_one_side` | a run of points on one side of the centre line | 4 (8 points) | 2 (9 points) |
| `trend` | 6 points in a row steadily increasing or decreasing | — | 3 |
| `alternating` | 14 points in a row alternating up and down | — | 4 |
| `hugging_centre` | 15 points in a row within 1σ, either side | — | 7 |
| `avoiding_centre` | 8 points in a row beyond 1σ, either side | — | 8 |

A point exactly on the centre line is on neither side (it breaks a run); equal neighbours break a
trend and an alternation. The rules work on whole arrays (a year of subgroups is tens of thousands of
points): a pattern "k in a row" holds at point i when the run of its condition ending at i is at least
k long, and "k of m" counts the condition over a sliding window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
class Violation:
    rule: str
    description: str
    index: int  # the point that completes the pattern
    points: tuple[int, ...]  # every point involved


def positions(values, centres, sigmas) -> np.ndarray:
    """z = (x − centre) / σ; with σ = 0 a point off the centre is infinitely far."""
    offset = np.asarray(values, dtype=float) - np.asarray(centres, dtype=float)
    sigmas = np.broadcast_to(np.asarray(sigmas, dtype=float), offset.shape)
    off_centre = np.where(offset == 0, 0.0, np.copysign(np.inf, offset))
    return np.divide(offset, sigmas, out=off_centre, where=sigmas > 0)


def evaluate(values, centres, sigmas, lcls, ucls, rule_set: str = DEFAULT_RULE_SET) -> list[Violation]:
    """Every signal of the rule set, ordered by point, then by rule (in the order of DESCRIPTIONS)."""
    if rule_set not in RULE_SETS:
        raise ValueError(f"unknown rule set {rule_set!r}; one of {', '.join(RULE_SETS)}")
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return []
    z = np.nan_to_num(positions(values, centres, sigmas), nan=0.0)
    lcls = np.nan_to_num(np.asarray(lcls, dtype=float), nan=-np.inf)  # None (no limit) becomes NaN, then ∓inf
    ucls = np.nan_to_num(np.asarray(ucls, dtype=float), nan=np.inf)
    nelson = rule_set == NELSON
    run_length = 9 if nelson else 8
    side = np.sign(z)
    steps = np.sign(np.diff(values))  # steps[j] is the step into point j + 1
    found: list[Violation] = []

    for i in np.flatnonzero((values > ucls) | (values < lcls)):
        found.append(_violation("beyond_limits", i, [i]))
    for rule, k, m, zone in (("two_of_three", 2, 3, 2.0), ("four_of_five", 4, 5, 1.0)):
        for direction in (1, -1):
            beyond = z * direction > zone
            counts = _window_sums(beyond, m)
            for i in np.flatnonzero(beyond & (counts >= k)):
                if i + 1 >= m:
                    window = range(i - m + 1, i + 1)
                    found.append(_violation(rule, i, [j for j in window if beyond[j]]))
    for direction in (1, -1):
        found += _runs("run_one_side", side == direction, run_length, length=run_length)
    if nelson:
        for direction in (1, -1):
            # 6 points in a row rising: 5 rising steps; the run of steps ending at point i.
            found += _runs("trend", np.concatenate([[False], steps == direction]), 5, points=6)
        alternate = np.zeros(values.size, dtype=bool)
        alternate[2:] = (steps[1:] != 0) & (steps[1:] == -steps[:-1])
        found += _runs("alternating", alternate, 12, points=14)
        found += _runs("hugging_centre", np.abs(z) < 1, 15)
        found += _runs("avoiding_centre", np.abs(z) > 1, 8)
    order = list(DESCRIPTIONS)
    found.sort(key=lambda v: (v.index, order.index(v.rule), v.points))
    return found


def _violation(rule: str, index, points, **fmt) -> Violation:
    return Violation(rule, DESCRIPTIONS[rule].format(**fmt), int(index), tuple(int(j) for j in points))


def _window_sums(flags: np.ndarray, m: int) -> np.ndarray:
    """How many of the last m flags (up to and including each position) are set."""
    total = np.cumsum(flags, dtype=int)
    shifted = np.concatenate([np.zeros(m, dtype=int), total[:-m]]) if total.size > m else np.zeros_like(total)
    return total - shifted[: total.size]


def _run_lengths(flags: np.ndarray) -> np.ndarray:
    """For each position, how many flags in a row are set ending there."""
    index = np.arange(flags.size)
    last_unset = np.maximum.accumulate(np.where(flags, -1, index))
    return index - last_unset


def _runs(rule: str, flags: np.ndarray, needed: int, *, points: int | None = None, **fmt) -> list[Violation]:
    """A signal at every position where `needed` flags in a row end; it involves the last `points` points."""
    points = points or needed
    return [_violation(rule, i, range(i - points + 1, i + 1), **fmt)
            for i in np.flatnonzero(_run_lengths(flags) >= needed)]
