"""Equipment classes: ISO 14224:2016 Table A.4 classes and local production-machinery classes.

Each class carries a small JSON Schema for the attributes of its equipment. Property names end in
their unit; "unit" repeats it as a dim_unit_of_measure code (an annotation; JSON Schema validators
ignore keywords they do not know). Unknown attributes stay allowed (additionalProperties).
"""

from django.db import migrations

from mfgplatform.migrations.frozen.reference_data_v1 import bulk_load_with_history, delete_by_codes, reference_reason

REASON = reference_reason("0002_equipment_classes")

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Reusable attribute definitions: name -> (JSON type, unit code or None, title).
ATTRIBUTES = {
    "rated_power_kw": ("number", "kW", "Rated power"),
    "rated_speed_rpm": ("number", "rpm", "Rated speed"),
    "rated_voltage_v": ("number", "V", "Rated voltage"),
    "rated_current_a": ("number", "A", "Rated current"),
    "rated_flow_m3h": ("number", "m3_per_h", "Rated flow"),
    "rated_head_m": ("number", "m", "Rated head"),
    "design_pressure_bar": ("number", "bar", "Design pressure"),
    "design_temperature_degc": ("number", "degC", "Design temperature"),
    "discharge_pressure_bar": ("number", "bar", "Discharge pressure"),
    "inlet_pressure_bar": ("number", "bar", "Inlet pressure"),
    "suction_pressure_kpa": ("number", "kPa", "Suction pressure"),
    "heat_duty_kw": ("number", "kW", "Heat duty"),
    "volume_m3": ("number", "m3", "Volume"),
    "volume_l": ("number", "l", "Volume"),
    "length_m": ("number", "m", "Length"),
    "length_km": ("number", "km", "Length"),
    "span_m": ("number", "m", "Span"),
    "speed_m_s": ("number", "m_per_s", "Conveying speed"),
    "nominal_diameter_mm": ("number", "mm", "Nominal diameter"),
    "mesh_size_mm": ("number", "mm", "Mesh size"),
    "nozzle_diameter_mm": ("number", "mm", "Nozzle diameter"),
    "safe_working_load_t": ("number", "t", "Safe working load"),
    "rated_pull_t": ("number", "t", "Rated pull"),
    "autonomy_min": ("number", "min", "Battery autonomy at rated load"),
    "primary_voltage_v": ("number", "V", "Primary voltage"),
    "secondary_voltage_v": ("number", "V", "Secondary voltage"),
    "capacity_persons": ("integer", None, "Capacity (persons)"),
    "io_count": ("integer", None, "Number of I/O points"),
    "sil": ("integer", None, "Safety integrity level (IEC 61508)"),
    "pump_type": ("string", None, "Pump type (centrifugal, positive displacement, ...)"),
    "compressor_type": ("string", None, "Compressor type (centrifugal, reciprocating, screw, ...)"),
    "valve_type": ("string", None, "Valve type (ball, gate, globe, butterfly, ...)"),
    "actuator": ("string", None, "Actuator (manual, pneumatic, electric, hydraulic)"),
    "detector_type": ("string", None, "Detector type (flame, smoke, heat, gas)"),
    "fuel": ("string", None, "Fuel"),
    # Production machinery.
    "clamping_force_t": ("number", "t", "Clamping force"),
    "shot_volume_ml": ("number", "ml", "Maximum shot volume"),
    "screw_diameter_mm": ("number", "mm", "Screw diameter"),
    "axes": ("integer", None, "Number of controlled axes"),
    "spindle_speed_max_rpm": ("number", "rpm", "Maximum spindle speed"),
    "spindle_power_kw": ("number", "kW", "Spindle power"),
    "travel_x_mm": ("number", "mm", "X travel"),
    "travel_y_mm": ("number", "mm", "Y travel"),
    "travel_z_mm": ("number", "mm", "Z travel"),
    "tonnage_t": ("number", "t", "Press force (tonnage)"),
    "stroke_mm": ("number", "mm", "Stroke length"),
    "strokes_per_min_max": ("number", None, "Maximum strokes per minute"),
    "payload_kg": ("number", "kg", "Rated payload"),
    "reach_mm": ("number", "mm", "Reach"),
    "packs_per_min_max": ("number", None, "Maximum output (packs per minute)"),
    "max_temperature_degc": ("number", "degC", "Maximum temperature"),
    "heating_power_kw": ("number", "kW", "Heating power"),
    "chamber_volume_m3": ("number", "m3", "Chamber volume"),
    "cycle_time_s": ("number", "s", "Design cycle time"),
    "stations": ("integer", None, "Number of stations"),
    "welding_process": ("string", None, "Welding process (MIG/MAG, TIG, spot, laser)"),
    "max_current_a": ("number", "A", "Maximum welding current"),
}

ISO_NOTE = "ISO 14224:2016 Table A.4 equipment class."
LOCAL_NOTE = "Local extension for discrete manufacturing, not an ISO 14224 class."

# (code, name, category, attribute names)
ISO_CLASSES = [
    # Rotating
    ("BL", "Blowers and fans", "rotating", ["rated_flow_m3h", "discharge_pressure_bar", "rated_power_kw"]),
    ("CF", "Centrifuges", "rotating", ["rated_speed_rpm", "rated_flow_m3h", "rated_power_kw"]),
    ("CE", "Combustion engines", "rotating", ["rated_power_kw", "rated_speed_rpm", "fuel"]),
    ("CO", "Compressors", "rotating",
     ["compressor_type", "rated_flow_m3h", "discharge_pressure_bar", "rated_power_kw"]),
    ("EG", "Electric generators", "rotating", ["rated_power_kw", "rated_voltage_v", "rated_speed_rpm"]),
    ("EM", "Electric motors", "rotating", ["rated_power_kw", "rated_speed_rpm", "rated_voltage_v", "rated_current_a"]),
    ("GT", "Gas turbines", "rotating", ["rated_power_kw", "rated_speed_rpm", "fuel"]),
    ("LE", "Liquid expanders", "rotating", ["rated_flow_m3h", "rated_power_kw"]),
    ("MI", "Mixers", "rotating", ["volume_l", "rated_power_kw", "rated_speed_rpm"]),
    ("PU", "Pumps", "rotating", ["pump_type", "rated_flow_m3h", "rated_head_m", "rated_power_kw", "rated_speed_rpm"]),
    ("ST", "Steam turbines", "rotating", ["rated_power_kw", "rated_speed_rpm", "inlet_pressure_bar"]),
    ("TE", "Turboexpanders", "rotating", ["rated_power_kw", "rated_speed_rpm", "rated_flow_m3h"]),
    # Mechanical
    ("CV", "Conveyors and elevators", "mechanical", ["length_m", "speed_m_s", "rated_power_kw"]),
    ("CR", "Cranes", "mechanical", ["safe_working_load_t", "span_m"]),
    ("FS", "Filters and strainers", "mechanical", ["mesh_size_mm", "rated_flow_m3h", "design_pressure_bar"]),
    ("HE", "Heat exchangers", "mechanical", ["heat_duty_kw", "design_pressure_bar", "design_temperature_degc"]),
    ("HB", "Heaters and boilers", "mechanical", ["heat_duty_kw", "design_pressure_bar", "design_temperature_degc"]),
    ("LA", "Loading arms", "mechanical", ["nominal_diameter_mm", "design_pressure_bar"]),
    ("PL", "Onshore pipelines", "mechanical", ["length_km", "nominal_diameter_mm", "design_pressure_bar"]),
    ("PI", "Piping", "mechanical", ["nominal_diameter_mm", "design_pressure_bar", "design_temperature_degc"]),
    ("VE", "Pressure vessels", "mechanical", ["volume_m3", "design_pressure_bar", "design_temperature_degc"]),
    ("SI", "Silos", "mechanical", ["volume_m3"]),
    ("SE", "Steam ejectors", "mechanical", ["suction_pressure_kpa", "inlet_pressure_bar"]),
    ("TA", "Storage tanks", "mechanical", ["volume_m3", "design_temperature_degc"]),
    ("SW", "Swivels", "mechanical", ["nominal_diameter_mm", "design_pressure_bar"]),
    ("TU", "Turrets", "mechanical", ["design_pressure_bar"]),
    ("WI", "Winches", "mechanical", ["rated_pull_t", "rated_power_kw"]),
    # Electrical
    ("FC", "Frequency converters", "electrical", ["rated_power_kw", "rated_voltage_v", "rated_current_a"]),
    ("PC", "Power cables and terminations", "electrical", ["rated_voltage_v", "length_m"]),
    ("PT", "Power transformers", "electrical", ["primary_voltage_v", "secondary_voltage_v"]),
    ("SG", "Switchgear", "electrical", ["rated_voltage_v", "rated_current_a"]),
    ("UP", "Uninterruptible power supply", "electrical", ["rated_power_kw", "autonomy_min"]),
    # Safety and control
    ("CL", "Control logic units", "safety_control", ["io_count", "sil"]),
    ("FG", "Fire and gas detectors", "safety_control", ["detector_type", "sil"]),
    ("NO", "Nozzles", "safety_control", ["nozzle_diameter_mm", "rated_flow_m3h"]),
    ("VA", "Valves", "safety_control", ["valve_type", "actuator", "nominal_diameter_mm", "design_pressure_bar"]),
    ("LB", "Lifeboats", "safety_control", ["capacity_persons"]),
]

# Production machinery a discrete plant runs; "X" codes stay clear of the ISO two-letter codes.
LOCAL_CLASSES = [
    ("XM", "Injection moulding machine", ["clamping_force_t", "shot_volume_ml", "screw_diameter_mm", "rated_power_kw"]),
    ("XC", "CNC machining centre", ["axes", "spindle_speed_max_rpm", "spindle_power_kw", "travel_x_mm", "travel_y_mm",
                                    "travel_z_mm"]),
    ("XP", "Press", ["tonnage_t", "stroke_mm", "strokes_per_min_max"]),
    ("XR", "Industrial robot", ["payload_kg", "reach_mm", "axes"]),
    ("XK", "Packaging machine", ["packs_per_min_max", "rated_power_kw"]),
    ("XO", "Oven / furnace", ["max_temperature_degc", "heating_power_kw", "chamber_volume_m3"]),
    ("XA", "Assembly station", ["stations", "cycle_time_s"]),
    ("XT", "Test and inspection station", ["cycle_time_s"]),
    ("XW", "Welding cell", ["welding_process", "max_current_a"]),
]


def attribute_schema(title: str, names: list[str]) -> dict:
    properties = {}
    for name in names:
        json_type, unit, label = ATTRIBUTES[name]
        spec = {"type": json_type, "title": label}
        if json_type in ("number", "integer"):
            spec["minimum"] = 0
        if unit:
            spec["unit"] = unit
        properties[name] = spec
    return {
        "$schema": SCHEMA_DIALECT,
        "title": f"{title} attributes",
        "type": "object",
        "properties": properties,
        "additionalProperties": True,
    }


def _rows():
    for code, name, category, names in ISO_CLASSES:
        yield {"code": code, "name": name, "category": category, "description": ISO_NOTE,
               "attribute_schema": attribute_schema(name, names)}
    for code, name, names in LOCAL_CLASSES:
        yield {"code": code, "name": name, "category": "production", "description": LOCAL_NOTE,
               "attribute_schema": attribute_schema(name, names)}


def load(apps, schema_editor):
    bulk_load_with_history(apps, "equipment", "EquipmentClass", _rows(), REASON)


def unload(apps, schema_editor):
    delete_by_codes(apps, "equipment", "EquipmentClass", [row["code"] for row in _rows()], REASON)


class Migration(migrations.Migration):
    dependencies = [("equipment", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
