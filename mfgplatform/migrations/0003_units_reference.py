"""Standard units of measure: one base unit per quantity kind and the units that convert to it.

value_in_base = value × factor_to_base + offset_to_base. Exact SI definitions where they exist
(1 lb = 0.45359237 kg, 1 in = 0.0254 m, 1 psi = 6894.757293168 Pa, g₀ = 9.80665 m/s²); repeating
fractions are rounded to the column's 12 decimals (factor) and 8 decimals (offset).
"""

from decimal import Decimal

from django.db import migrations

from mfgplatform.migrations.frozen.reference_data_v1 import bulk_load_with_history, delete_by_codes, ids_by_code, reference_reason

REASON = reference_reason("0003_units_reference")

# (code, name, symbol, quantity_kind) — the base unit of each kind.
BASE_UNITS = [
    ("pcs", "piece", "pcs", "count"),
    ("kg", "kilogram", "kg", "mass"),
    ("m", "metre", "m", "length"),
    ("m3", "cubic metre", "m³", "volume"),
    ("s", "second", "s", "time"),
    ("K", "kelvin", "K", "temperature"),
    ("Pa", "pascal", "Pa", "pressure"),
    ("J", "joule", "J", "energy"),
    ("W", "watt", "W", "power"),
    ("A", "ampere", "A", "electric_current"),
    ("V", "volt", "V", "voltage"),
    ("Hz", "hertz", "Hz", "frequency"),
    ("m_per_s", "metre per second", "m/s", "velocity"),
    ("m_per_s2", "metre per second squared", "m/s²", "acceleration"),
    ("m3_per_s", "cubic metre per second", "m³/s", "flow"),
    ("ratio", "ratio (dimensionless)", "1", "ratio"),
]


def factor(numerator: str, denominator: str) -> str:
    """An exact quotient rounded to the 12 decimals of factor_to_base."""
    return str((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("1e-12")))


FAHRENHEIT_FACTOR = factor("5", "9")
# 0 °F = 273.15 K − 32 × 5/9 K
FAHRENHEIT_OFFSET = (Decimal("273.15") - Decimal(32) * Decimal(5) / Decimal(9)).quantize(Decimal("1e-8"))

# (code, name, symbol, base code, factor_to_base, offset_to_base)
DERIVED_UNITS = [
    ("dozen", "dozen", "doz", "pcs", "12", "0"),
    ("kpcs", "thousand pieces", "kpcs", "pcs", "1000", "0"),
    ("g", "gram", "g", "kg", "0.001", "0"),
    ("t", "tonne", "t", "kg", "1000", "0"),
    ("lb", "pound", "lb", "kg", "0.45359237", "0"),
    ("mm", "millimetre", "mm", "m", "0.001", "0"),
    ("cm", "centimetre", "cm", "m", "0.01", "0"),
    ("km", "kilometre", "km", "m", "1000", "0"),
    ("in", "inch", "in", "m", "0.0254", "0"),
    ("l", "litre", "l", "m3", "0.001", "0"),
    ("ml", "millilitre", "ml", "m3", "0.000001", "0"),
    ("min", "minute", "min", "s", "60", "0"),
    ("h", "hour", "h", "s", "3600", "0"),
    ("d", "day", "d", "s", "86400", "0"),
    ("degC", "degree Celsius", "°C", "K", "1", "273.15"),
    ("degF", "degree Fahrenheit", "°F", "K", FAHRENHEIT_FACTOR, str(FAHRENHEIT_OFFSET)),
    ("kPa", "kilopascal", "kPa", "Pa", "1000", "0"),
    ("bar", "bar", "bar", "Pa", "100000", "0"),
    ("psi", "pound-force per square inch", "psi", "Pa", "6894.757293168", "0"),
    ("kJ", "kilojoule", "kJ", "J", "1000", "0"),
    ("kWh", "kilowatt hour", "kWh", "J", "3600000", "0"),
    ("MJ", "megajoule", "MJ", "J", "1000000", "0"),
    ("kW", "kilowatt", "kW", "W", "1000", "0"),
    ("mA", "milliampere", "mA", "A", "0.001", "0"),
    # Rotational speed of motors, spindles and pumps, as a frequency.
    ("rpm", "revolutions per minute", "rpm", "Hz", factor("1", "60"), "0"),
    # Vibration velocity (ISO 10816 / ISO 20816 severity is given in mm/s RMS).
    ("mm_per_s", "millimetre per second", "mm/s", "m_per_s", "0.001", "0"),
    ("g0", "standard gravity", "g₀", "m_per_s2", "9.80665", "0"),
    ("l_per_min", "litre per minute", "l/min", "m3_per_s", factor("0.001", "60"), "0"),
    ("m3_per_h", "cubic metre per hour", "m³/h", "m3_per_s", factor("1", "3600"), "0"),
    ("percent", "percent", "%", "ratio", "0.01", "0"),
    ("ppm", "parts per million", "ppm", "ratio", "0.000001", "0"),
]


def load_units(apps, schema_editor):
    bulk_load_with_history(
        apps,
        "mfgplatform",
        "DimUnitOfMeasure",
        [
            {"code": code, "name": name, "symbol": symbol, "quantity_kind": kind,
             "factor_to_base": Decimal(1), "offset_to_base": Decimal(0)}
            for code, name, symbol, kind in BASE_UNITS
        ],
        REASON,
    )
    base_ids = ids_by_code(apps, "mfgplatform", "DimUnitOfMeasure")
    kinds = {code: kind for code, _name, _symbol, kind in BASE_UNITS}
    bulk_load_with_history(
        apps,
        "mfgplatform",
        "DimUnitOfMeasure",
        [
            {"code": code, "name": name, "symbol": symbol, "quantity_kind": kinds[base],
             "base_unit_id": base_ids[base], "factor_to_base": Decimal(factor), "offset_to_base": Decimal(offset)}
            for code, name, symbol, base, factor, offset in DERIVED_UNITS
        ],
        REASON,
    )


def unload_units(apps, schema_editor):
    # Derived units reference their base unit (PROTECT), so they go first.
    delete_by_codes(apps, "mfgplatform", "DimUnitOfMeasure", [row[0] for row in DERIVED_UNITS], REASON)
    delete_by_codes(apps, "mfgplatform", "DimUnitOfMeasure", [row[0] for row in BASE_UNITS], REASON)


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0002_calendar_reference")]

    operations = [migrations.RunPython(load_units, unload_units)]
