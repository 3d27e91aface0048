"""ISO 14224:2016 Annex B code lists: failure modes (Tables B.6–B.15, consolidated), failure
mechanisms (B.2), failure causes (B.3), detection methods (B.4) and maintenance activities (B.5).

Mechanism and cause sub-codes x.y point to their general entry x.0 (`group`).
"""

from django.db import migrations

from mfgplatform.migrations.frozen.reference_data_v1 import bulk_load_with_history, delete_by_codes, ids_by_code, reference_reason

REASON = reference_reason("0002_iso14224_code_lists")

ROTATING = " Reported for rotating equipment (Table B.6)."

# (code, name, meaning, reported for rotating equipment)
FAILURE_MODES = [
    ("AIR", "Abnormal instrument reading", "False alarm or faulty indication.", True),
    ("BRD", "Breakdown", "Serious damage such as seizure or breakage; the unit cannot work.", True),
    ("ELF", "External leakage – fuel", "Fuel or gas supply leaking externally (engines, turbines).", True),
    ("ELP", "External leakage – process medium", "Process fluid leaking to the environment.", True),
    ("ELU", "External leakage – utility medium", "Oil, cooling water, etc. leaking externally.", True),
    ("ERO", "Erratic output", "Oscillating, hunting or unstable output.", True),
    ("FTS", "Fail to start on demand", "Does not start when required.", True),
    ("STP", "Fail to stop on demand", "Does not stop when commanded.", True),
    ("HIO", "High output", "Output or speed above the accepted limit (e.g. overspeed).", True),
    ("LOO", "Low output", "Delivery or output below the accepted limit.", True),
    ("INL", "Internal leakage", "Leakage across an internal barrier.", True),
    ("NOI", "Noise", "Abnormal noise.", True),
    ("OHE", "Overheating", "Temperature above the accepted limit.", True),
    ("PDE", "Parameter deviation", "A monitored parameter outside its limits, e.g. pressure or temperature.", True),
    ("PLU", "Plugged / choked", "Flow partly or fully restricted.", True),
    ("SER", "Minor in-service problems", "Loose items, discoloration, dirt.", True),
    ("STD", "Structural deficiency", "Material damage such as cracks, wear, fracture or corrosion.", True),
    ("UST", "Spurious stop", "Unexpected shutdown.", True),
    ("VIB", "Vibration", "Abnormal vibration.", True),
    ("OTH", "Other", "No other code fits; describe in free text.", True),
    ("UNK", "Unknown", "Too little information.", True),
    ("FTC", "Fail to close on demand", "Does not close when required (valves and similar).", False),
    ("FTO", "Fail to open on demand", "Does not open when required (valves and similar).", False),
    ("FTF", "Fail to function on demand", "No response to a signal or activation.", False),
    ("FTI", "Fail to function as intended", "General malfunction.", False),
    ("FTR", "Fail to regulate", "Cannot hold the set point.", False),
    ("DOP", "Delayed operation", "Opening or closing time outside specification.", False),
    ("SPO", "Spurious operation", "Operates without being asked.", False),
    ("LCP", "Leakage in closed position", "Valve passing when closed.", False),
    ("NOO", "No output", "No output when output is required.", False),
    ("FCO", "Fail to connect", "Does not connect when required.", False),
    ("FDC", "Fail to disconnect", "Does not disconnect when required.", False),
    ("FRO", "Fail to rotate", "Does not rotate when required.", False),
    ("FOF", "Faulty output frequency", "Output frequency outside limits (electrical equipment).", False),
    ("FOV", "Faulty output voltage", "Output voltage outside limits (electrical equipment).", False),
    ("IHT", "Insufficient heat transfer", "Heat transfer below requirement (heat exchangers, heaters).", False),
    ("LBP", "Low oil supply pressure", "Oil supply pressure below the accepted limit.", False),
    ("LOA", "Load drop", "Load dropped (cranes, winches).", False),
    ("LOB", "Loss of buoyancy", "Buoyancy lost.", False),
    ("LOR", "Loss of redundancy", "One or more redundant units not working.", False),
    ("PRD", "Premature disconnect", "Disconnects before intended (subsea, well equipment).", False),
    ("LAP", "Leakage across packer", "Leakage across a packer (well completion).", False),
]

# (code, name, description); x.0 entries are the general group of their sub-codes.
FAILURE_MECHANISMS = [
    ("1.0", "Mechanical failure – general", "Mechanical failure, no further detail known."),
    ("1.1", "Leakage", "Leakage (internal or external)."),
    ("1.2", "Vibration", "Abnormal vibration."),
    ("1.3", "Clearance / alignment failure", ""),
    ("1.4", "Deformation", "Bending, buckling, creep, ..."),
    ("1.5", "Looseness", "Disconnection, loose items."),
    ("1.6", "Sticking", "Seizure, jamming."),
    ("2.0", "Material failure – general", "Material failure, no further detail known."),
    ("2.1", "Cavitation", ""),
    ("2.2", "Corrosion", "Wet or dry corrosion."),
    ("2.3", "Erosion", ""),
    ("2.4", "Wear", "Abrasive, adhesive, fretting, ..."),
    ("2.5", "Breakage", "Fracture, crack."),
    ("2.6", "Fatigue", ""),
    ("2.7", "Overheating", "Material damage by heat or burning."),
    ("2.8", "Burst", "Ruptured, exploded, imploded."),
    ("3.0", "Instrument failure – general", "Instrument failure, no further detail known."),
    ("3.1", "Control failure", "No or faulty regulation."),
    ("3.2", "No signal / indication / alarm", ""),
    ("3.3", "Faulty signal / indication / alarm", ""),
    ("3.4", "Out of adjustment", "Calibration error, drift."),
    ("3.5", "Software error", ""),
    ("3.6", "Common cause / common mode failure", ""),
    ("4.0", "Electrical failure – general", "Electrical failure, no further detail known."),
    ("4.1", "Short circuiting", ""),
    ("4.2", "Open circuit", ""),
    ("4.3", "No power / voltage", ""),
    ("4.4", "Faulty power / voltage", ""),
    ("4.5", "Earth / isolation fault", ""),
    ("5.0", "External influence – general", "External influence, no further detail known."),
    ("5.1", "Blockage / plugged", ""),
    ("5.2", "Contamination", ""),
    ("5.3", "Miscellaneous external influences", ""),
    ("6.0", "Miscellaneous – general", "Record a more specific code where one is known."),
    ("6.1", "No cause found", ""),
    ("6.2", "Combined causes", ""),
    ("6.3", "Other", "Avoid: record a more specific code."),
    ("6.4", "Unknown", "Avoid: record a more specific code."),
]

CAUSE_5X_NOTE = (
    " The 5.x numbering differs between public sources (5.0 general and 5.4 other unit/cascading are "
    "not in all of them); unconfirmed against the licensed Table B.3."
)

FAILURE_CAUSES = [
    ("1.0", "Design-related – general", ""),
    ("1.1", "Improper capacity", "Inadequate dimensioning."),
    ("1.2", "Improper material selection", ""),
    ("2.0", "Fabrication/installation-related – general", ""),
    ("2.1", "Fabrication error", "Manufacturing, processing."),
    ("2.2", "Installation error", "Assembly; not reassembly after maintenance."),
    ("3.0", "Operation/maintenance-related – general", ""),
    ("3.1", "Off-design service", "Outside the operating envelope, e.g. over-pressure."),
    ("3.2", "Operating error", "Mistake, misuse, negligence."),
    ("3.3", "Maintenance error", "Mistake during maintenance."),
    ("3.4", "Expected wear and tear", ""),
    ("4.0", "Management-related – general", ""),
    ("4.1", "Documentation error", "Procedures, specifications, drawings."),
    ("4.2", "Management error", "Planning, organisation, quality assurance."),
    ("5.0", "Miscellaneous – general", "General miscellaneous cause." + CAUSE_5X_NOTE),
    ("5.1", "No cause found", CAUSE_5X_NOTE.strip()),
    ("5.2", "Common cause", CAUSE_5X_NOTE.strip()),
    ("5.3", "Combined causes", CAUSE_5X_NOTE.strip()),
    ("5.4", "Other unit / cascading failure", "Failure caused by another unit." + CAUSE_5X_NOTE),
    ("5.5", "Other", CAUSE_5X_NOTE.strip()),
    ("5.6", "Unknown", CAUSE_5X_NOTE.strip()),
]

# (code, name, description, activity type)
DETECTION_METHODS = [
    ("1", "Periodic maintenance", "Found during preventive service.", "scheduled"),
    ("2", "Functional testing", "", "scheduled"),
    ("3", "Inspection", "Visual inspection, non-destructive testing.", "scheduled"),
    ("4", "Periodic condition monitoring", "Vibration route, thermography, oil analysis.", "scheduled"),
    ("5", "Pressure testing",
     "Absent from a 10-item list that also circulates (possibly the 2006 edition); numbering unconfirmed.",
     "scheduled"),
    ("6", "Continuous condition monitoring", "", "continuous"),
    ("7", "Production interference", "Found through an upset or reduced output.", "casual"),
    ("8", "Casual observation", "Noise, smell, leak seen by an operator.", "casual"),
    ("9", "Corrective maintenance", "Found while repairing something else.", "casual"),
    ("10", "On demand", "Found when the unit was activated.", "casual"),
    ("11", "Other", "", "other"),
]

# (code, name, typical use, description)
MAINTENANCE_ACTIVITIES = [
    ("1", "Replace", "CP", "Swap in a new or refurbished item of the same type."),
    ("2", "Repair", "C", "Manual restoration to the original state (weld, plug, reconnect)."),
    ("3", "Modify", "CP", "Replace or change with a different type, material or design."),
    ("4", "Adjust", "CP", "Bring back within tolerance (align, calibrate, balance)."),
    ("5", "Refit", "CP", "Minor repair or servicing (polish, clean, paint, lubricate)."),
    ("6", "Check", "C",
     "Failure investigated, no action taken or action deferred; function regained by restart or reset."),
    ("7", "Service", "P", "Periodic servicing: cleaning, replenishment, adjustment."),
    ("8", "Test", "P", "Periodic test of function or performance."),
    ("9", "Inspection", "P", "Periodic inspection, with or without dismantling."),
    ("10", "Overhaul", "CP", "Major, comprehensive overhaul with extensive disassembly."),
    ("11", "Combination", "CP", "Several activities together."),
    ("12", "Other", "CP", ""),
]


def _group_code(code: str) -> str:
    return code.split(".")[0] + ".0"


def _load_grouped(apps, model_name: str, entries) -> None:
    """Load x.0 group entries first, then the x.y entries pointing to them."""
    groups = [entry for entry in entries if entry[0].endswith(".0")]
    members = [entry for entry in entries if not entry[0].endswith(".0")]
    bulk_load_with_history(
        apps, "reliability", model_name,
        [{"code": code, "name": name, "description": description} for code, name, description in groups],
        REASON,
    )
    group_ids = ids_by_code(apps, "reliability", model_name)
    bulk_load_with_history(
        apps, "reliability", model_name,
        [{"code": code, "name": name, "description": description, "group_id": group_ids[_group_code(code)]}
         for code, name, description in members],
        REASON,
    )


def load(apps, schema_editor):
    bulk_load_with_history(
        apps, "reliability", "FailureMode",
        [{"code": code, "name": name, "description": meaning + (ROTATING if rotating else "")}
         for code, name, meaning, rotating in FAILURE_MODES],
        REASON,
    )
    _load_grouped(apps, "FailureMechanism", FAILURE_MECHANISMS)
    _load_grouped(apps, "FailureCause", FAILURE_CAUSES)
    bulk_load_with_history(
        apps, "reliability", "DetectionMethod",
        [{"code": code, "name": name, "description": description,
          "activity_type": activity} for code, name, description, activity in DETECTION_METHODS],
        REASON,
    )
    bulk_load_with_history(
        apps, "reliability", "MaintenanceActivity",
        [{"code": code, "name": name, "typical_use": use, "description": description}
         for code, name, use, description in MAINTENANCE_ACTIVITIES],
        REASON,
    )


def _unload_grouped(apps, model_name: str, entries) -> None:
    # Members reference their group (PROTECT): delete them first.
    delete_by_codes(apps, "reliability", model_name, [e[0] for e in entries if not e[0].endswith(".0")], REASON)
    delete_by_codes(apps, "reliability", model_name, [e[0] for e in entries if e[0].endswith(".0")], REASON)


def unload(apps, schema_editor):
    delete_by_codes(apps, "reliability", "MaintenanceActivity", [e[0] for e in MAINTENANCE_ACTIVITIES], REASON)
    delete_by_codes(apps, "reliability", "DetectionMethod", [e[0] for e in DETECTION_METHODS], REASON)
    _unload_grouped(apps, "FailureCause", FAILURE_CAUSES)
    _unload_grouped(apps, "FailureMechanism", FAILURE_MECHANISMS)
    delete_by_codes(apps, "reliability", "FailureMode", [e[0] for e in FAILURE_MODES], REASON)


class Migration(migrations.Migration):
    dependencies = [("reliability", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
