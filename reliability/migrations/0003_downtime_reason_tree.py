"""The default downtime reason tree.

Codes are fixed: data loaders and the development data generator book downtime against them.
Top-level groups follow the ISO 22400 time model (planned downtime outside PBT, setup = AUST,
delay = ADET incl. failures and minor stops, idle = ADOT); failure leaves carry the ISO 14224
failure mode, a typical mechanism and cause, and the impact. `path` is the chain of codes from the
root, joined by "/".
"""

from django.db import migrations

from mfgplatform.migrations.frozen.reference_data_v1 import bulk_load_with_history, delete_by_codes, ids_by_code, reference_reason

REASON = reference_reason("0003_downtime_reason_tree")

PLANNED, SETUP, DELAY, IDLE = "planned_downtime", "setup", "delay", "idle"

# (code, name, parent code, time category, extra fields)
NODES = [
    ("PLANNED", "Planned downtime", None, PLANNED, {"description": "Scheduled time outside planned busy time."}),
    ("PLANNED-PM", "Preventive maintenance", "PLANNED", PLANNED, {"maintenance_category": "preventive"}),
    ("PLANNED-BREAK", "Scheduled break", "PLANNED", PLANNED, {}),
    ("PLANNED-MEETING", "Team meeting / training", "PLANNED", PLANNED, {}),
    ("PLANNED-CLEANING", "Planned cleaning", "PLANNED", PLANNED, {}),
    ("SETUP", "Setup", None, SETUP, {"description": "Preparing the unit for an order (AUST)."}),
    ("SETUP-CHANGEOVER", "Product changeover", "SETUP", SETUP, {}),
    ("SETUP-ADJUST", "Setup adjustment / first-off", "SETUP", SETUP, {}),
    ("DELAY", "Unplanned delay", None, DELAY,
     {"description": "Unplanned interruptions during order processing (ADET): failures, minor stops, waiting."}),
    ("FAIL", "Equipment failure", "DELAY", DELAY,
     {"description": "Failures (ISO 14224); each leaf is a failure event for MTBF and MTTR."}),
    ("MINOR", "Minor stops", "DELAY", DELAY, {"description": "Short stops cleared by the operator."}),
    ("DELAY-MATERIAL", "Waiting for material", "DELAY", DELAY, {}),
    ("DELAY-OPERATOR", "Waiting for operator", "DELAY", DELAY, {}),
    ("DELAY-QUALITY", "Quality hold", "DELAY", DELAY, {}),
    ("MINOR-JAM", "Jam / misfeed", "MINOR", DELAY, {"is_minor_stop": True}),
    ("MINOR-SENSOR", "Sensor trip / reset", "MINOR", DELAY, {"is_minor_stop": True}),
    ("MINOR-MATERIAL", "Material feed interruption", "MINOR", DELAY, {"is_minor_stop": True}),
    ("IDLE", "Idle", None, IDLE, {"description": "Available but without an order to run (ADOT)."}),
    ("IDLE-NO-ORDER", "No order scheduled", "IDLE", IDLE, {}),
    ("IDLE-NO-DEMAND", "No demand / blocked downstream", "IDLE", IDLE, {}),
]

# (code, name, failure mode, mechanism, cause, impact)
FAILURES = [
    ("FAIL-BRD", "Breakdown", "BRD", "2.5", "3.4", "critical"),
    ("FAIL-OHE", "Overheating", "OHE", "2.7", "3.1", "degraded"),
    ("FAIL-VIB", "Abnormal vibration", "VIB", "1.2", "3.4", "degraded"),
    ("FAIL-ELP", "Process medium leak", "ELP", "1.1", "3.4", "degraded"),
    ("FAIL-ELU", "Utility leak (oil, coolant, air)", "ELU", "1.1", "3.3", "incipient"),
    ("FAIL-LOO", "Low output", "LOO", "2.4", "3.4", "degraded"),
    ("FAIL-FTS", "Fails to start", "FTS", "4.0", "2.2", "critical"),
    ("FAIL-UST", "Spurious stop / trip", "UST", "3.1", "3.2", "critical"),
    ("FAIL-AIR", "Abnormal instrument reading", "AIR", "3.3", "3.4", "incipient"),
    ("FAIL-STD", "Structural deficiency (crack, fracture)", "STD", "2.6", "1.2", "critical"),
    ("FAIL-NOI", "Abnormal noise", "NOI", "1.3", "3.4", "incipient"),
    ("FAIL-PDE", "Parameter deviation", "PDE", "3.4", "3.4", "degraded"),
    ("FAIL-PLU", "Plugged / choked", "PLU", "5.1", "3.2", "degraded"),
]


def _levels(apps):
    """The tree as rows grouped by depth (roots first), failure codes resolved to ids."""
    modes = ids_by_code(apps, "reliability", "FailureMode")
    mechanisms = ids_by_code(apps, "reliability", "FailureMechanism")
    causes = ids_by_code(apps, "reliability", "FailureCause")
    nodes = [(code, name, parent, category, dict(extra)) for code, name, parent, category, extra in NODES]
    for code, name, mode, mechanism, cause, impact in FAILURES:
        nodes.append((code, name, "FAIL", DELAY, {
            "is_failure": True,
            "maintenance_category": "corrective",
            "failure_mode_id": modes[mode],
            "failure_mechanism_id": mechanisms[mechanism],
            "failure_cause_id": causes[cause],
            "failure_impact": impact,
        }))
    paths: dict[str, str] = {}
    levels: list[list[dict]] = []
    for code, name, parent, category, extra in nodes:  # parents precede their children
        paths[code] = f"{paths[parent]}/{code}" if parent else code
        depth = paths[code].count("/")
        while len(levels) <= depth:
            levels.append([])
        levels[depth].append({"code": code, "name": name, "parent": parent, "path": paths[code],
                              "time_category": category, **extra})
    return levels


def load(apps, schema_editor):
    for rows in _levels(apps):
        parent_ids = ids_by_code(apps, "reliability", "DowntimeReason")
        for row in rows:
            parent = row.pop("parent")
            row["parent_id"] = parent_ids[parent] if parent else None
        bulk_load_with_history(apps, "reliability", "DowntimeReason", rows, REASON)


def unload(apps, schema_editor):
    # Children reference their parent (PROTECT): remove the deepest level first.
    for rows in reversed(_levels(apps)):
        delete_by_codes(apps, "reliability", "DowntimeReason", [row["code"] for row in rows], REASON)


class Migration(migrations.Migration):
    dependencies = [("reliability", "0002_iso14224_code_lists")]

    operations = [migrations.RunPython(load, unload)]
