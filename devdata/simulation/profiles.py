"""Behaviour of each equipment class in the simulation.

Failure laws: time to failure (in operating hours) follows a Weibull law with shape > 1, i.e. a
wear-out failure rate, and repairs restore the unit to as-good-as-new (a renewal process), as does
preventive maintenance. Repair times are lognormal, the usual model for maintenance durations.
The figures are plausible orders of magnitude for discrete manufacturing, not published data.
"""

from __future__ import annotations

from dataclasses import dataclass

# (mechanism, cause, weight): the physical process and root cause that plausibly produce a mode.
MODE_CAUSES: dict[str, tuple[tuple[str, str, float], ...]] = {
    "BRD": (("2.5", "3.4", 4), ("2.6", "3.4", 3), ("1.6", "3.3", 2), ("2.5", "1.2", 1)),
    "OHE": (("2.7", "3.1", 4), ("5.1", "3.4", 3), ("1.6", "3.4", 1)),
    "VIB": (("1.2", "3.4", 4), ("1.3", "2.2", 2), ("1.5", "3.3", 2)),
    "ELP": (("1.1", "3.4", 4), ("2.2", "1.2", 1)),
    "ELU": (("1.1", "3.4", 4), ("1.5", "3.3", 2)),
    "LOO": (("2.4", "3.4", 4), ("5.1", "3.4", 2), ("3.4", "3.2", 1)),
    "FTS": (("4.3", "3.2", 2), ("3.1", "3.3", 2), ("4.2", "3.4", 1)),
    "UST": (("3.3", "3.4", 3), ("4.4", "3.1", 2), ("3.5", "4.1", 1)),
    "AIR": (("3.3", "3.4", 3), ("3.4", "3.4", 2)),
    "STD": (("2.5", "3.1", 2), ("2.6", "3.4", 3), ("2.2", "1.2", 1)),
    "NOI": (("1.3", "3.4", 2), ("2.4", "3.4", 3)),
    "PDE": (("3.4", "3.4", 3), ("5.2", "3.2", 1)),
    "PLU": (("5.1", "3.2", 2), ("5.2", "3.4", 3)),
}

# ISO 14224 failure impact on the equipment function, by mode.
MODE_IMPACT: dict[str, str] = {
    "BRD": "critical", "FTS": "critical", "UST": "critical", "STD": "critical",
    "OHE": "degraded", "VIB": "degraded", "ELP": "degraded", "ELU": "degraded", "LOO": "degraded",
    "PDE": "degraded", "PLU": "degraded",
    "NOI": "incipient", "AIR": "incipient",
}

# Maintenance activity (Table B.5) that restores each mode.
MODE_ACTIVITY: dict[str, str] = {
    "BRD": "1", "STD": "1", "ELP": "2", "ELU": "2", "PLU": "2", "LOO": "2", "OHE": "2",
    "VIB": "4", "NOI": "4", "PDE": "4", "AIR": "4", "FTS": "6", "UST": "6",
}

# Which sensor tag announces a failure mode before it happens, and how (see sensors.py).
MODE_SIGNATURE: dict[str, str] = {
    "OHE": "temperature", "PDE": "temperature",
    "VIB": "vibration", "BRD": "vibration", "STD": "vibration", "NOI": "vibration",
    "ELP": "pressure", "ELU": "pressure", "LOO": "pressure", "PLU": "pressure",
    "FTS": "current", "UST": "current", "AIR": "current",
}

SENSOR_TAGS: tuple[str, ...] = ("temperature", "vibration", "current", "pressure")


@dataclass(frozen=True)
class SensorBaseline:
    """Running levels of the four condition-monitoring tags (°C above ambient, mm/s RMS, A, bar)."""

    heat_rise_c: float
    vibration_mm_s: float
    idle_current_a: float
    running_current_a: float
    pressure_bar: float


@dataclass(frozen=True)
class ClassProfile:
    code: str
    produces: bool  # False: a utility (pump, compressor) that runs but makes no product
    weibull_shape: float
    weibull_scale_hours: float  # characteristic life in operating hours
    repair_median_minutes: float
    repair_sigma: float  # of the log of the repair time
    failure_modes: dict[str, float]
    minor_stops_per_hour: float
    pm_interval_days: int
    pm_median_hours: float
    setup_median_minutes: float
    defect_rate: float  # share of units defective when new; wear raises it
    defect_mix: tuple[str, ...]  # defect types, most frequent first (Pareto-like weights)
    speed_factor: tuple[float, float]  # range of actual cycle / PRI when new
    sensors: SensorBaseline
    scrap_disposition: str = "scrap"


PROFILES: dict[str, ClassProfile] = {
    profile.code: profile
    for profile in (
        ClassProfile(
            "XM", True, 2.0, 110, 45, 0.8,
            {"OHE": 5, "ELU": 3, "PDE": 4, "BRD": 2, "FTS": 2, "UST": 2, "PLU": 2},
            0.7, 14, 2.5, 40, 0.025,
            ("VIS-FLASH", "DIM-OOT", "MAT-POROSITY", "VIS-SCRATCH", "CON-PARTICLE", "MAT-CRACK"),
            (1.03, 1.10), SensorBaseline(35, 2.2, 4, 38, 140), scrap_disposition="recycle",
        ),
        ClassProfile(
            "XC", True, 1.8, 150, 60, 0.9,
            {"VIB": 5, "BRD": 3, "UST": 4, "PDE": 3, "OHE": 3, "AIR": 2},
            0.4, 21, 3.0, 55, 0.012,
            ("DIM-OOT", "VIS-SCRATCH", "FUN-NO-FIT", "VIS-DENT", "MAT-CRACK"),
            (1.02, 1.08), SensorBaseline(18, 1.6, 3, 22, 60),
        ),
        ClassProfile(
            "XP", True, 2.2, 190, 75, 0.8,
            {"BRD": 4, "ELU": 5, "STD": 4, "VIB": 3, "NOI": 2, "UST": 2},
            0.9, 21, 3.0, 35, 0.010,
            ("VIS-DENT", "MAT-CRACK", "DIM-OOT", "VIS-SCRATCH", "FUN-NO-FIT"),
            (1.04, 1.12), SensorBaseline(22, 3.5, 5, 45, 180),
        ),
        ClassProfile(
            "XR", True, 1.5, 380, 35, 0.7,
            {"UST": 7, "AIR": 4, "FTS": 3, "BRD": 3, "PDE": 3},
            0.5, 28, 1.5, 15, 0.003,
            ("ASM-MISALIGN", "ASM-MISSING", "VIS-SCRATCH"),
            (1.01, 1.05), SensorBaseline(12, 0.9, 2, 9, 6),
        ),
        ClassProfile(
            "XK", True, 1.6, 85, 25, 0.7,
            {"BRD": 4, "UST": 6, "LOO": 4, "AIR": 3, "FTS": 3},
            1.5, 14, 2.0, 25, 0.006,
            ("ASM-MISSING", "ASM-MISALIGN", "VIS-DENT", "CON-PARTICLE"),
            (1.05, 1.15), SensorBaseline(10, 1.8, 2, 12, 6),
        ),
        ClassProfile(
            "XO", True, 2.5, 480, 90, 0.6,
            {"OHE": 6, "PDE": 6, "FTS": 4, "AIR": 4},
            0.1, 28, 3.0, 30, 0.008,
            ("MAT-POROSITY", "VIS-SCRATCH", "CON-PARTICLE"),
            (1.00, 1.04), SensorBaseline(160, 0.6, 6, 60, 2),
        ),
        ClassProfile(
            "CV", True, 1.7, 170, 30, 0.7,
            {"BRD": 5, "STD": 4, "NOI": 4, "UST": 4, "LOO": 3},
            0.8, 28, 1.5, 10, 0.002,
            ("VIS-SCRATCH", "VIS-DENT"),
            (1.00, 1.03), SensorBaseline(8, 1.2, 2, 7, 6),
        ),
        ClassProfile(
            "PU", False, 2.0, 320, 70, 0.8,
            {"ELP": 5, "VIB": 4, "LOO": 4, "NOI": 2, "BRD": 2, "PLU": 3},
            0.05, 28, 2.0, 0, 0.0, (), (1.0, 1.0), SensorBaseline(15, 2.8, 3, 18, 4),
        ),
        ClassProfile(
            "CO", False, 2.0, 260, 80, 0.8,
            {"VIB": 4, "OHE": 4, "LOO": 4, "ELU": 3, "FTS": 2, "NOI": 3},
            0.05, 21, 2.5, 0, 0.0, (), (1.0, 1.0), SensorBaseline(45, 3.2, 8, 55, 8),
        ),
    )
}

# Planned downtime and delays shared by every class.
MEETING_MINUTES = 15  # Monday start-of-week meeting, first shift
CLEANING_MINUTES = 30  # end of the last shift before a non-working day
NO_DEMAND_SHARE = 0.03  # shift occurrences that end early for lack of demand
NO_ORDER_SHARE = 0.05  # order changes that wait for the next order
DELAYS_PER_HOUR = 0.04  # material / operator / quality holds
DELAY_MIX = {"DELAY-MATERIAL": 5, "DELAY-OPERATOR": 3, "DELAY-QUALITY": 2}
MINOR_STOP_MIX = {"MINOR-JAM": 6, "MINOR-SENSOR": 2, "MINOR-MATERIAL": 3}
SETUP_ADJUST_SHARE = 0.25  # changeovers followed by a short adjustment
MEASUREMENT_EVERY_HOURS = 2.0  # a subgroup of SUBGROUP_SIZE measurements per 2 h of production
SUBGROUP_SIZE = 5
REWORK_SHARE = 0.7  # of reworkable defectives that are reworked rather than scrapped


def pareto_weights(count: int, exponent: float = 1.3) -> list[float]:
    """Zipf-like weights 1/rank^exponent: the first few defect types dominate."""
    raw = [1.0 / (rank**exponent) for rank in range(1, count + 1)]
    total = sum(raw)
    return [weight / total for weight in raw]
