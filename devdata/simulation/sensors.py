"""Condition-monitoring signals of one unit: temperature, vibration, current and pressure.

Readings are taken around the clock on a fixed grid. Each tag follows the unit's operating state
(a running unit heats up with a 40-minute time constant, vibrates, draws current and holds
pressure; a stopped one cools down to the ambient, which follows the time of day). Before a
failure that announces itself, the tag linked to its mode (profiles.MODE_SIGNATURE) drifts along a
quadratic ramp over the preceding 8–36 hours: temperature rises, vibration and current noise grow,
pressure falls (rises for a plugged line). Vectorised with numpy: a unit's year of one-minute
readings takes well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .process import Timeline
from .profiles import PROFILES, SENSOR_TAGS

GOOD, UNCERTAIN = 192, 64
HEATING_TIME_CONSTANT = 40 * 60
SPIN_UP_TIME_CONSTANT = 2 * 60


@dataclass(frozen=True)
class SensorSeries:
    tag: str
    times: np.ndarray  # int64 epoch seconds
    values: np.ndarray  # float64
    quality: np.ndarray  # int16 OPC quality class

    def __len__(self) -> int:
        return len(self.times)


def reading_times(start: int, end: int, interval: int) -> np.ndarray:
    first = -(-start // interval) * interval  # aligned to the interval, so units share instants
    return np.arange(first, end, interval, dtype=np.int64)


def _running_mask(timeline: Timeline, times: np.ndarray) -> np.ndarray:
    if not timeline.running:
        return np.zeros(len(times))
    intervals = np.asarray(timeline.running, dtype=np.int64)
    index = np.searchsorted(intervals[:, 0], times, side="right") - 1
    inside = (index >= 0) & (times < intervals[np.maximum(index, 0), 1])
    return inside.astype(float)


def _lag(signal: np.ndarray, interval: int, time_constant: int) -> np.ndarray:
    """First-order lag (exponential smoothing) as a causal convolution."""
    length = int(np.ceil(5 * time_constant / interval))
    if length <= 1:
        return signal
    kernel = np.exp(-np.arange(length) * interval / time_constant)
    kernel /= kernel.sum()
    return np.convolve(signal, kernel)[: len(signal)]


def _drift(timeline: Timeline, times: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    drift = {tag: np.zeros(len(times)) for tag in SENSOR_TAGS}
    for failure in timeline.failures:
        lead = int(rng.uniform(8, 36) * 3600)
        if not failure.visible:
            continue
        begin, end = np.searchsorted(times, [failure.at - lead, failure.at])
        ramp = ((times[begin:end] - (failure.at - lead)) / lead) ** 2
        sign = 1.0 if failure.mode != "PLU" else -1.0  # a plugged line builds pressure instead of losing it
        drift[failure.tag][begin:end] = sign * ramp
    return drift


def simulate_sensors(timeline: Timeline, seed: int, start: int, end: int, interval: int) -> list[SensorSeries]:
    rng = np.random.default_rng([seed, timeline.unit.index, 3])
    baseline = PROFILES[timeline.unit.class_code].sensors
    times = reading_times(start, end, interval)
    count = len(times)
    running = _running_mask(timeline, times)
    warm = _lag(running, interval, HEATING_TIME_CONSTANT)
    spinning = _lag(running, interval, SPIN_UP_TIME_CONSTANT)
    drift = _drift(timeline, times, rng)
    hour = (times % 86_400) / 3600
    ambient = 21 + 3 * np.sin(2 * np.pi * (hour - 9) / 24)

    values = {
        "temperature": ambient + baseline.heat_rise_c * warm + 25 * drift["temperature"] + rng.normal(0, 0.3, count),
        "vibration": (0.15 + baseline.vibration_mm_s * spinning)
        * (1 + 2.5 * drift["vibration"])
        * rng.lognormal(0, 0.08, count),
        "current": np.maximum(
            0.0,
            baseline.idle_current_a
            + (baseline.running_current_a - baseline.idle_current_a) * spinning
            + rng.normal(0, 0.02 * baseline.running_current_a, count) * (1 + 4 * drift["current"]),
        ),
        "pressure": baseline.pressure_bar * spinning * (1 - 0.3 * drift["pressure"])
        + np.abs(rng.normal(0, 0.01 * baseline.pressure_bar, count)),
    }
    series = []
    for tag in SENSOR_TAGS:
        quality = np.full(count, GOOD, dtype=np.int16)
        quality[rng.random(count) < 0.0005] = UNCERTAIN
        series.append(SensorSeries(tag, times, np.round(values[tag], 3), quality))
    return series
