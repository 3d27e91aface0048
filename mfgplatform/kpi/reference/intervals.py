"""Sets of half-open time intervals [lo, hi) in integer microseconds: union, intersection, difference.

The reference computes every time element as the length of such a set, built from the ISO 22400-2
definitions (what is planned downtime, what is production time, …) by plain set algebra per shift
occurrence; integers keep every length exact."""

from __future__ import annotations

from collections.abc import Iterable

Span = tuple[int, int]
Spans = list[Span]  # normalized: sorted, disjoint, non-touching, non-empty


def union(*groups: Iterable[Span]) -> Spans:
    merged: Spans = []
    for lo, hi in sorted(span for group in groups for span in group if span[1] > span[0]):
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def intersect(a: Spans, b: Spans) -> Spans:
    found: Spans = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            found.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return found


def subtract(a: Spans, b: Spans) -> Spans:
    found: Spans = []
    j = 0
    for lo, hi in a:
        while j < len(b) and b[j][1] <= lo:
            j += 1
        k, start = j, lo
        while k < len(b) and b[k][0] < hi:
            if b[k][0] > start:
                found.append((start, b[k][0]))
            start = max(start, b[k][1])
            k += 1
        if start < hi:
            found.append((start, hi))
    return found


def clip(spans: Iterable[Span], lo: int, hi: int) -> Spans:
    return union((max(s, lo), min(e, hi)) for s, e in spans)


def length(spans: Spans) -> int:
    return sum(hi - lo for lo, hi in spans)
