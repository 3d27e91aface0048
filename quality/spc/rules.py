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

from collections.abc import Sequence
from typing import NamedTuple

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


RANK = {rule: rank for rank, rule in enumerate(DESCRIPTIONS)}


class Violation(NamedTuple):
    """A signal: its rule, the point completing the pattern (`index`) and the first point of the
    pattern's window; for the k-of-m rules `beyond` marks the points of the window beyond the zone
    (bit j: point first + j), for the others every point of the window is involved."""

    rule: str
    index: int
    first: int
    beyond: int | None = None
    run_length: int | None = None  # of run_one_side (8 or 9)

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.rule].format(length=self.run_length)

    @property
    def points(self) -> tuple[int, ...]:
        """Every point involved."""
        window = range(self.first, self.index + 1)
        if self.beyond is None:
            return tuple(window)
        return tuple(point for bit, point in enumerate(window) if self.beyond >> bit & 1)


def positions(values, centres, sigmas) -> np.ndarray:
    """z = (x − centre) / σ; with σ = 0 a point off the centre is infinitely far."""
    offset = np.asarray(values, dtype=float) - np.asarray(centres, dtype=float)
    sigmas = np.broadcast_to(np.asarray(sigmas, dtype=float), offset.shape)
    off_centre = np.where(offset == 0, 0.0, np.copysign(np.inf, offset))
    return np.divide(offset, sigmas, out=off_centre, where=sigmas > 0)


class Signals(Sequence):
    """The signals of a chart, ordered by point then rule, kept as arrays: a Violation is made only
    when one is read (a drifting year of demo data has tens of thousands, and a page lists a hundred)."""

    def __init__(self, index, first, rank, mask, run_length: int):
        self._columns = (index, first, rank, mask)
        self._run_length = run_length

    def __len__(self) -> int:
        return len(self._columns[0])

    @property
    def indices(self) -> np.ndarray:
        """The point completing each signal."""
        return self._columns[0]

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        index, first, rank, mask = (int(column[position]) for column in self._columns)
        rule = RULES[rank]
        return Violation(rule, index, first, None if mask < 0 else mask,
                         self._run_length if rule == "run_one_side" else None)

    def __iter__(self):
        run = RANK["run_one_side"]
        for index, first, rank, mask in zip(*(column.tolist() for column in self._columns), strict=True):
            yield Violation(RULES[rank], index, first, None if mask < 0 else mask,
                            self._run_length if rank == run else None)


RULES = list(DESCRIPTIONS)


def evaluate(values, centres, sigmas, lcls, ucls, rule_set: str = DEFAULT_RULE_SET) -> Signals:
    """Every signal of the rule set, ordered by point, then by rule (in the order of DESCRIPTIONS)."""
    if rule_set not in RULE_SETS:
        raise ValueError(f"unknown rule set {rule_set!r}; one of {', '.join(RULE_SETS)}")
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        empty = np.zeros(0, dtype=int)
        return Signals(empty, empty, empty, empty, 0)
    z = np.nan_to_num(positions(values, centres, sigmas), nan=0.0)
    lcls = np.nan_to_num(np.asarray(lcls, dtype=float), nan=-np.inf)  # None (no limit) becomes NaN, then ∓inf
    ucls = np.nan_to_num(np.asarray(ucls, dtype=float), nan=np.inf)
    nelson = rule_set == NELSON
    run_length = 9 if nelson else 8
    side = np.sign(z)
    steps = np.sign(np.diff(values))  # steps[j] is the step into point j + 1
    # Signals as (point, rule rank, first point of the window, points beyond), collected per rule as
    # arrays and ordered once: a drifting year of demo data gives tens of thousands of signals.
    indices: list[np.ndarray] = []
    firsts: list[np.ndarray] = []
    ranks: list[np.ndarray] = []
    masks: list[np.ndarray] = []

    def add(rule: str, at: np.ndarray, window: int, mask: np.ndarray | None = None) -> None:
        indices.append(at)
        firsts.append(at - window + 1)
        ranks.append(np.full(at.size, RANK[rule]))
        masks.append(np.full(at.size, -1) if mask is None else mask)

    add("beyond_limits", np.flatnonzero((values > ucls) | (values < lcls)), 1)
    for rule, k, m, zone in (("two_of_three", 2, 3, 2.0), ("four_of_five", 4, 5, 1.0)):
        for direction in (1, -1):
            beyond = z * direction > zone
            at = np.flatnonzero(beyond & (_window_sums(beyond, m) >= k))
            at = at[at >= m - 1]
            windows = np.lib.stride_tricks.sliding_window_view(beyond, m)[at - m + 1] if at.size else np.zeros((0, m))
            add(rule, at, m, windows.astype(int) @ (1 << np.arange(m)))
    for direction in (1, -1):
        add("run_one_side", _run_ends(side == direction, run_length), run_length)
    if nelson:
        for direction in (1, -1):
            # 6 points in a row rising: 5 rising steps; the run of steps ending at point i.
            add("trend", _run_ends(np.concatenate([[False], steps == direction]), 5), 6)
        alternate = np.zeros(values.size, dtype=bool)
        alternate[2:] = (steps[1:] != 0) & (steps[1:] == -steps[:-1])
        add("alternating", _run_ends(alternate, 12), 14)
        add("hugging_centre", _run_ends(np.abs(z) < 1, 15), 15)
        add("avoiding_centre", _run_ends(np.abs(z) > 1, 8), 8)
    index, first, rank, mask = (np.concatenate(parts) for parts in (indices, firsts, ranks, masks))
    order = np.lexsort((rank, index))  # by point, then rule; at most one signal per rule and point
    return Signals(index[order], first[order], rank[order], mask[order], run_length)


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


def _run_ends(flags: np.ndarray, needed: int) -> np.ndarray:
    """The positions where at least `needed` flags in a row end."""
    return np.flatnonzero(_run_lengths(flags) >= needed)
