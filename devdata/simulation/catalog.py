"""The fixed business codes the simulation writes.

The reference-data migrations own these rows; the seed reads them by code and creates only the
ones that are missing (with the minimal attributes below), so it works whatever the migration
state. Names follow the ISO 14224 Annex B taxonomy (docs/schema.md lists the code lists).
"""

from __future__ import annotations

from dataclasses import dataclass

SEED_CHANGE_REASON = "seed_iso_compliant"

# --- ISO 14224 code lists (only the entries the simulation uses) ---------------------------------

FAILURE_MODES: dict[str, str] = {
    "BRD": "Breakdown",
    "OHE": "Overheating",
    "VIB": "Vibration",
    "ELP": "External leakage – process medium",
    "ELU": "External leakage – utility medium",
    "LOO": "Low output",
    "FTS": "Fail to start on demand",
    "UST": "Spurious stop",
    "AIR": "Abnormal instrument reading",
    "STD": "Structural deficiency",
    "NOI": "Noise",
    "PDE": "Parameter deviation",
    "PLU": "Plugged / choked",
}

FAILURE_MECHANISMS: dict[str, str] = {
    "1.1": "Leakage",
    "1.2": "Vibration",
    "1.3": "Clearance / alignment failure",
    "1.5": "Looseness",
    "1.6": "Sticking",
    "2.2": "Corrosion",
    "2.4": "Wear",
    "2.5": "Breakage",
    "2.6": "Fatigue",
    "2.7": "Overheating",
    "3.1": "Control failure",
    "3.3": "Faulty signal / indication / alarm",
    "3.4": "Out of adjustment",
    "3.5": "Software error",
    "4.2": "Open circuit",
    "4.3": "No power / voltage",
    "4.4": "Faulty power / voltage",
    "5.1": "Blockage / plugged",
    "5.2": "Contamination",
}

FAILURE_CAUSES: dict[str, str] = {
    "1.2": "Improper material selection",
    "2.2": "Installation error",
    "3.1": "Off-design service",
    "3.2": "Operating error",
    "3.3": "Maintenance error",
    "3.4": "Expected wear and tear",
    "4.1": "Documentation error",
}

DETECTION_METHODS: dict[str, tuple[str, str]] = {
    "1": ("Periodic maintenance", "scheduled"),
    "4": ("Periodic condition monitoring", "scheduled"),
    "6": ("Continuous condition monitoring", "continuous"),
    "7": ("Production interference", "casual"),
    "8": ("Casual observation", "casual"),
}

MAINTENANCE_ACTIVITIES: dict[str, tuple[str, str]] = {
    "1": ("Replace", "CP"),
    "2": ("Repair", "C"),
    "4": ("Adjust", "CP"),
    "6": ("Check", "C"),
    "7": ("Service", "P"),
}

# --- Equipment classes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EquipmentClassSpec:
    code: str
    name: str
    category: str  # equipment.choices.EquipmentCategory value


EQUIPMENT_CLASSES: dict[str, EquipmentClassSpec] = {
    spec.code: spec
    for spec in (
        EquipmentClassSpec("PU", "Pumps", "rotating"),
        EquipmentClassSpec("CO", "Compressors", "rotating"),
        EquipmentClassSpec("CV", "Conveyors and elevators", "mechanical"),
        EquipmentClassSpec("XM", "Injection moulding machines", "production"),
        EquipmentClassSpec("XC", "CNC machining centres", "production"),
        EquipmentClassSpec("XP", "Presses", "production"),
        EquipmentClassSpec("XR", "Industrial robots", "production"),
        EquipmentClassSpec("XK", "Packaging machines", "production"),
        EquipmentClassSpec("XO", "Industrial ovens", "production"),
    )
}

# --- The downtime reason tree ------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonSpec:
    code: str
    name: str
    parent: str | None
    time_category: str = ""  # reliability.choices.TimeCategory value; blank on groups
    is_failure: bool = False
    is_minor_stop: bool = False
    failure_mode: str | None = None
    maintenance_category: str = ""


def _reason_tree() -> tuple[ReasonSpec, ...]:
    planned = [
        ("PLANNED-PM", "Preventive maintenance", "preventive"),
        ("PLANNED-BREAK", "Break", ""),
        ("PLANNED-MEETING", "Meeting", ""),
        ("PLANNED-CLEANING", "Cleaning", ""),
    ]
    specs = [ReasonSpec("PLANNED", "Planned downtime", None)]
    specs += [
        ReasonSpec(code, name, "PLANNED", "planned_downtime", maintenance_category=category)
        for code, name, category in planned
    ]
    specs.append(ReasonSpec("SETUP", "Setup", None))
    specs.append(ReasonSpec("SETUP-CHANGEOVER", "Product changeover", "SETUP", "setup"))
    specs.append(ReasonSpec("SETUP-ADJUST", "Setup adjustment", "SETUP", "setup"))
    specs.append(ReasonSpec("DELAY", "Unplanned delay", None))
    specs.append(ReasonSpec("FAIL", "Equipment failure", "DELAY"))
    specs += [
        ReasonSpec(f"FAIL-{mode}", f"Failure: {name}", "FAIL", "delay", is_failure=True, failure_mode=mode,
                   maintenance_category="corrective")
        for mode, name in FAILURE_MODES.items()
    ]
    specs.append(ReasonSpec("MINOR", "Minor stop", "DELAY"))
    specs += [
        ReasonSpec(code, name, "MINOR", "delay", is_minor_stop=True)
        for code, name in (("MINOR-JAM", "Jam"), ("MINOR-SENSOR", "Sensor trip"), ("MINOR-MATERIAL", "Material feed"))
    ]
    specs += [
        ReasonSpec(code, name, "DELAY", "delay")
        for code, name in (
            ("DELAY-MATERIAL", "Waiting for material"),
            ("DELAY-OPERATOR", "Operator not available"),
            ("DELAY-QUALITY", "Quality hold"),
        )
    ]
    specs.append(ReasonSpec("IDLE", "Idle", None))
    specs.append(ReasonSpec("IDLE-NO-ORDER", "No order", "IDLE", "idle"))
    specs.append(ReasonSpec("IDLE-NO-DEMAND", "No demand", "IDLE", "idle"))
    return tuple(specs)


DOWNTIME_REASONS: tuple[ReasonSpec, ...] = _reason_tree()

# --- Defect types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefectTypeSpec:
    code: str
    name: str
    category: str  # quality.choices.DefectCategory value
    severity: str
    is_reworkable: bool


DEFECT_TYPES: dict[str, DefectTypeSpec] = {
    spec.code: spec
    for spec in (
        DefectTypeSpec("DIM-OOT", "Dimension out of tolerance", "dimensional", "major", True),
        DefectTypeSpec("VIS-SCRATCH", "Scratch", "visual", "minor", True),
        DefectTypeSpec("VIS-DENT", "Dent", "visual", "minor", False),
        DefectTypeSpec("VIS-FLASH", "Flash (moulding burr)", "visual", "minor", True),
        DefectTypeSpec("FUN-LEAK", "Leak test failed", "functional", "critical", False),
        DefectTypeSpec("FUN-NO-FIT", "Does not fit the mating part", "functional", "major", True),
        DefectTypeSpec("MAT-CRACK", "Crack", "material", "critical", False),
        DefectTypeSpec("MAT-POROSITY", "Porosity / voids", "material", "major", False),
        DefectTypeSpec("ASM-MISSING", "Missing component", "assembly", "major", True),
        DefectTypeSpec("ASM-MISALIGN", "Misaligned component", "assembly", "minor", True),
        DefectTypeSpec("CON-PARTICLE", "Particle contamination", "contamination", "minor", True),
        DefectTypeSpec("PRC-STARTUP", "Start-up scrap after a changeover", "process", "minor", False),
    )
}

STARTUP_DEFECT = "PRC-STARTUP"

# --- Shifts and units --------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftSpec:
    code: str
    name: str
    start: str
    end: str
    weekdays: tuple[int, ...]
    breaks: tuple[tuple[str, int], ...]  # (local start, minutes): dim_shift_break
    sort_order: int


# Each shift's 30-minute break sits in its middle (calendar.default_break_start).
DEFAULT_SHIFTS: tuple[ShiftSpec, ...] = (
    ShiftSpec("A", "Early shift", "06:00", "14:00", (1, 2, 3, 4, 5), (("09:45", 30),), 1),
    ShiftSpec("B", "Late shift", "14:00", "22:00", (1, 2, 3, 4, 5), (("17:45", 30),), 2),
    ShiftSpec("C", "Night shift", "22:00", "06:00", (1, 2, 3, 4, 5), (("01:45", 30),), 3),
)

# The demo plant also works the weekend nights (`seed_iso_compliant --weekend-nights`, on by default for
# the demo size): Saturday and Sunday 22:00–06:00. In Europe/Berlin the Saturday nights into the last
# Sundays of March and October then last 7 h and 9 h, so a demo year shows both daylight-saving nights.
WEEKEND_NIGHT_SHIFT = ShiftSpec("W", "Weekend night shift", "22:00", "06:00", (6, 7), (("01:45", 30),), 4)

# (code, name, symbol, quantity kind) of the units the seed needs; matched by kind and symbol first.
PIECE_UNIT = ("PCE", "Piece", "pc", "count")
MILLIMETRE_UNIT = ("MM", "Millimetre", "mm", "length")
