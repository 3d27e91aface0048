"""Capability indices recomputed from raw measurements in plain Python (exact fractions), the
reference the views' roll-ups are compared with."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from fractions import Fraction


def sum_of_squares(values) -> Fraction:
    exact = [Fraction(v) for v in values]
    mean = sum(exact) / len(exact)
    return sum((v - mean) ** 2 for v in exact)


def capability(measurements: list[tuple[object, int, float]], lsl: float, usl: float) -> dict[str, float]:
    """measurements: (identity of the subgroup's shift occurrence, subgroup number, value); number 0 is
    no subgroup. σ_within pools subgroups of two or more, σ_overall is statistics.stdev of all."""
    subgroups: dict[tuple, list[float]] = defaultdict(list)
    for occurrence, number, value in measurements:
        if number:
            subgroups[(occurrence, number)].append(value)
    pooled = [values for values in subgroups.values() if len(values) > 1]
    sigma_within = math.sqrt(sum(sum_of_squares(v) for v in pooled) / sum(len(v) - 1 for v in pooled))
    values = [value for *_, value in measurements]
    sigma_overall = statistics.stdev(values)
    mean = float(sum(Fraction(v) for v in values) / len(values))
    return {
        "cp": (usl - lsl) / (6 * sigma_within),
        "cpk": min(usl - mean, mean - lsl) / (3 * sigma_within),
        "pp": (usl - lsl) / (6 * sigma_overall),
        "ppk": min(usl - mean, mean - lsl) / (3 * sigma_overall),
    }
