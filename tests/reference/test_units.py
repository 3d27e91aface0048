"""Units of measure loaded by mfgplatform 0003."""

from collections import Counter
from decimal import Decimal

import pytest

from mfgplatform.models import DimUnitOfMeasure

pytestmark = pytest.mark.django_db

EXPECTED_UNITS_BY_KIND = {
    "count": {"pcs", "dozen", "kpcs"},
    "mass": {"kg", "g", "t", "lb"},
    "length": {"m", "mm", "cm", "km", "in"},
    "volume": {"m3", "l", "ml"},
    "time": {"s", "min", "h", "d"},
    "temperature": {"K", "degC", "degF"},
    "pressure": {"Pa", "kPa", "bar", "psi"},
    "energy": {"J", "kJ", "kWh", "MJ"},
    "power": {"W", "kW"},
    "electric_current": {"A", "mA"},
    "voltage": {"V"},
    "frequency": {"Hz", "rpm"},
    "velocity": {"m_per_s", "mm_per_s"},
    "acceleration": {"m_per_s2", "g0"},
    "flow": {"m3_per_s", "l_per_min", "m3_per_h"},
    "ratio": {"ratio", "percent", "ppm"},
}
EXPECTED_BASES = {
    "count": "pcs", "mass": "kg", "length": "m", "volume": "m3", "time": "s", "temperature": "K",
    "pressure": "Pa", "energy": "J", "power": "W", "electric_current": "A", "voltage": "V", "frequency": "Hz",
    "velocity": "m_per_s", "acceleration": "m_per_s2", "flow": "m3_per_s", "ratio": "ratio",
}


def unit(code: str) -> DimUnitOfMeasure:
    return DimUnitOfMeasure.objects.select_related("base_unit").get(code=code)


def test_units_by_quantity_kind():
    loaded: dict[str, set[str]] = {}
    for code, kind in DimUnitOfMeasure.objects.values_list("code", "quantity_kind"):
        loaded.setdefault(kind, set()).add(code)
    assert loaded == EXPECTED_UNITS_BY_KIND
    assert DimUnitOfMeasure.objects.count() == 47


def test_each_kind_has_exactly_one_base_unit_converting_to_itself():
    bases = DimUnitOfMeasure.objects.filter(base_unit__isnull=True)
    assert Counter(bases.values_list("quantity_kind", flat=True)) == dict.fromkeys(EXPECTED_BASES, 1)
    assert {base.quantity_kind: base.code for base in bases} == EXPECTED_BASES
    assert {(base.factor_to_base, base.offset_to_base) for base in bases} == {(Decimal(1), Decimal(0))}


def test_derived_units_point_at_the_base_of_their_kind():
    for derived in DimUnitOfMeasure.objects.filter(base_unit__isnull=False).select_related("base_unit"):
        assert derived.base_unit.code == EXPECTED_BASES[derived.quantity_kind], derived.code


def test_every_unit_passes_model_validation():
    for row in DimUnitOfMeasure.objects.select_related("base_unit"):
        row.full_clean()


@pytest.mark.parametrize(
    ("value", "source", "target", "expected", "tolerance"),
    [
        pytest.param("1", "lb", "kg", "0.45359237", "0", id="pound_exact_case"),
        pytest.param("1", "in", "mm", "25.4", "0", id="inch_exact_case"),
        pytest.param("2", "dozen", "pcs", "24", "0", id="dozen_case"),
        pytest.param("1.5", "h", "min", "90", "0", id="hours_to_minutes_case"),
        pytest.param("1", "d", "h", "24", "0", id="day_to_hours_case"),
        pytest.param("1", "kWh", "MJ", "3.6", "0", id="kwh_to_mj_case"),
        pytest.param("2.5", "bar", "kPa", "250", "0", id="bar_to_kpa_case"),
        pytest.param("1", "psi", "Pa", "6894.757293168", "0", id="psi_case"),
        pytest.param("0", "degC", "K", "273.15", "0", id="celsius_zero_case"),
        pytest.param("100", "degC", "degF", "212", "1e-6", id="boiling_point_case"),
        pytest.param("-40", "degF", "degC", "-40", "1e-6", id="minus_forty_case"),
        pytest.param("212", "degF", "K", "373.15", "1e-6", id="fahrenheit_to_kelvin_case"),
        pytest.param("60", "l_per_min", "m3_per_h", "3.6", "1e-6", id="flow_case"),
        pytest.param("3000", "rpm", "Hz", "50", "1e-6", id="rpm_case"),
        pytest.param("4.5", "mm_per_s", "m_per_s", "0.0045", "0", id="vibration_velocity_case"),
        pytest.param("2", "g0", "m_per_s2", "19.6133", "0", id="standard_gravity_case"),
        pytest.param("85", "percent", "ppm", "850000", "0", id="percent_to_ppm_case"),
    ],
)
def test_conversions(value, source, target, expected, tolerance):
    converted = unit(source).convert(Decimal(value), unit(target))
    assert abs(converted - Decimal(expected)) <= Decimal(tolerance)


def test_conversion_across_kinds_is_refused():
    with pytest.raises(ValueError, match="different base units"):
        unit("kg").convert(Decimal(1), unit("m"))
