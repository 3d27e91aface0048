"""ISO 14224 code lists, equipment classes and the defect catalog.

Expected values restate the ISO 14224 code lists (taxonomy, failure modes, mechanisms, causes,
detection methods, maintenance activities).
"""

from collections import Counter

import pytest

from equipment.models import EquipmentClass
from mfgplatform.models import DimUnitOfMeasure
from quality.choices import DefectCategory
from quality.models import DefectType
from reliability.models import DetectionMethod, FailureCause, FailureMechanism, FailureMode, MaintenanceActivity

pytestmark = pytest.mark.django_db

FAILURE_MODE_CODES = {
    # reported for rotating equipment (Table B.6)
    "AIR", "BRD", "ELF", "ELP", "ELU", "ERO", "FTS", "STP", "HIO", "LOO", "INL", "NOI", "OHE", "PDE", "PLU",
    "SER", "STD", "UST", "VIB", "OTH", "UNK",
    # other equipment tables
    "FTC", "FTO", "FTF", "FTI", "FTR", "DOP", "SPO", "LCP", "NOO", "FCO", "FDC", "FRO", "FOF", "FOV", "IHT",
    "LBP", "LOA", "LOB", "LOR", "PRD", "LAP",
}
MECHANISM_SUBCODES = {"1": 6, "2": 8, "3": 6, "4": 5, "5": 3, "6": 4}
CAUSE_SUBCODES = {"1": 2, "2": 2, "3": 4, "4": 2, "5": 6}


def test_failure_modes():
    assert set(FailureMode.objects.values_list("code", flat=True)) == FAILURE_MODE_CODES
    assert FailureMode.objects.count() == 42
    breakdown = FailureMode.objects.get(code="BRD")
    assert breakdown.name == "Breakdown"
    assert breakdown.description.startswith("Serious damage such as seizure or breakage")
    assert FailureMode.objects.get(code="LCP").name == "Leakage in closed position"
    assert FailureMode.objects.filter(description__contains="rotating equipment").count() == 21


@pytest.mark.parametrize(
    ("model", "subcodes"),
    [
        pytest.param(FailureMechanism, MECHANISM_SUBCODES, id="mechanisms_case"),
        pytest.param(FailureCause, CAUSE_SUBCODES, id="causes_case"),
    ],
)
def test_grouped_code_lists_have_a_general_entry_per_group(model, subcodes):
    groups = {row.code: row for row in model.objects.filter(group__isnull=True)}
    assert set(groups) == {f"{major}.0" for major in subcodes}
    members = Counter(model.objects.filter(group__isnull=False).values_list("group__code", flat=True))
    assert members == {f"{major}.0": count for major, count in subcodes.items()}
    for row in model.objects.filter(group__isnull=False).select_related("group"):
        assert row.group.code == row.code.split(".")[0] + ".0"
    assert model.objects.count() == len(subcodes) + sum(subcodes.values())


def test_mechanism_spot_checks():
    wear = FailureMechanism.objects.select_related("group").get(code="2.4")
    assert (wear.name, wear.group.code, wear.group.name) == ("Wear", "2.0", "Material failure – general")
    assert FailureMechanism.objects.get(code="3.4").name == "Out of adjustment"
    assert FailureMechanism.objects.get(code="5.1").name == "Blockage / plugged"
    assert FailureMechanism.objects.count() == 38


def test_cause_spot_checks_and_unconfirmed_5x_numbering():
    assert FailureCause.objects.get(code="3.4").name == "Expected wear and tear"
    assert FailureCause.objects.get(code="1.2").name == "Improper material selection"
    names = dict(FailureCause.objects.filter(code__startswith="5.").values_list("code", "name"))
    assert names == {
        "5.0": "Miscellaneous – general", "5.1": "No cause found", "5.2": "Common cause", "5.3": "Combined causes",
        "5.4": "Other unit / cascading failure", "5.5": "Other", "5.6": "Unknown",
    }
    assert all("unconfirmed" in row.description for row in FailureCause.objects.filter(code__startswith="5."))
    assert FailureCause.objects.count() == 21


def test_detection_methods():
    activity = dict(DetectionMethod.objects.values_list("code", "activity_type"))
    assert activity == {
        "1": "scheduled", "2": "scheduled", "3": "scheduled", "4": "scheduled", "5": "scheduled",
        "6": "continuous", "7": "casual", "8": "casual", "9": "casual", "10": "casual", "11": "other",
    }
    assert DetectionMethod.objects.get(code="6").name == "Continuous condition monitoring"


def test_maintenance_activities():
    rows = {
        code: (name, use)
        for code, name, use in MaintenanceActivity.objects.values_list("code", "name", "typical_use")
    }
    assert rows == {
        "1": ("Replace", "CP"), "2": ("Repair", "C"), "3": ("Modify", "CP"), "4": ("Adjust", "CP"),
        "5": ("Refit", "CP"), "6": ("Check", "C"), "7": ("Service", "P"), "8": ("Test", "P"),
        "9": ("Inspection", "P"), "10": ("Overhaul", "CP"), "11": ("Combination", "CP"), "12": ("Other", "CP"),
    }


@pytest.mark.parametrize(
    "model",
    [FailureMode, FailureMechanism, FailureCause, DetectionMethod, MaintenanceActivity, EquipmentClass, DefectType],
)
def test_every_row_passes_model_validation(model):
    for row in model.objects.all():
        row.full_clean()


# --- equipment classes ---------------------------------------------------------------------------

ISO_CLASSES = {
    "rotating": {"BL", "CF", "CE", "CO", "EG", "EM", "GT", "LE", "MI", "PU", "ST", "TE"},
    "mechanical": {"CV", "CR", "FS", "HE", "HB", "LA", "PL", "PI", "VE", "SI", "SE", "TA", "SW", "TU", "WI"},
    "electrical": {"FC", "PC", "PT", "SG", "UP"},
    "safety_control": {"CL", "FG", "NO", "VA", "LB"},
}
LOCAL_CLASSES = {"XM", "XC", "XP", "XR", "XK", "XO", "XA", "XT", "XW"}


def test_equipment_classes_by_category():
    loaded: dict[str, set[str]] = {}
    for code, category in EquipmentClass.objects.values_list("code", "category"):
        loaded.setdefault(category, set()).add(code)
    assert loaded == ISO_CLASSES | {"production": LOCAL_CLASSES}
    assert EquipmentClass.objects.count() == 46


def test_local_classes_are_marked_as_not_iso():
    for row in EquipmentClass.objects.all():
        if row.code in LOCAL_CLASSES:
            assert "not an ISO 14224 class" in row.description, row.code
        else:
            assert row.description == "ISO 14224:2016 Table A.4 equipment class.", row.code


@pytest.mark.parametrize(
    ("code", "name", "properties"),
    [
        pytest.param("PU", "Pumps", {"rated_flow_m3h": ("number", "m3_per_h"), "rated_head_m": ("number", "m")},
                     id="pumps_case"),
        pytest.param("EM", "Electric motors",
                     {"rated_power_kw": ("number", "kW"), "rated_speed_rpm": ("number", "rpm")}, id="motors_case"),
        pytest.param("XP", "Press", {"tonnage_t": ("number", "t")}, id="press_case"),
        pytest.param("XC", "CNC machining centre", {"axes": ("integer", None)}, id="cnc_case"),
    ],
)
def test_attribute_schema_spot_checks(code, name, properties):
    row = EquipmentClass.objects.get(code=code)
    assert row.name == name
    schema_properties = row.attribute_schema["properties"]
    loaded = {key: (schema_properties[key]["type"], schema_properties[key].get("unit")) for key in properties}
    assert loaded == properties


def test_attribute_schemas_are_open_objects_with_known_units():
    unit_codes = set(DimUnitOfMeasure.objects.values_list("code", flat=True))
    for row in EquipmentClass.objects.all():
        schema = row.attribute_schema
        assert (schema["type"], schema["additionalProperties"]) == ("object", True), row.code
        assert schema["properties"], row.code
        for name, spec in schema["properties"].items():
            assert spec["type"] in {"number", "integer", "string"}, (row.code, name)
            assert spec.get("unit", "pcs") in unit_codes, (row.code, name)


# --- defect types --------------------------------------------------------------------------------


def test_defect_types():
    rows = {code: (category, reworkable) for code, category, reworkable in
            DefectType.objects.values_list("code", "category", "is_reworkable")}
    assert set(rows) == {
        "DIM-OOT", "VIS-SCRATCH", "VIS-DENT", "VIS-FLASH", "FUN-LEAK", "FUN-NO-FIT", "MAT-CRACK", "MAT-POROSITY",
        "ASM-MISSING", "ASM-MISALIGN", "CON-PARTICLE", "PRC-STARTUP",
    }
    assert rows["PRC-STARTUP"] == (DefectCategory.PROCESS, False)
    assert rows["DIM-OOT"][0] == DefectCategory.DIMENSIONAL
    assert {category for category, _ in rows.values()} == set(DefectCategory.values) - {DefectCategory.OTHER}
