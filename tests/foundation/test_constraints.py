"""Database constraints hold the invariants whatever the write path (admin, import, raw SQL)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from equipment.models import Equipment, EquipmentClass
from mfgplatform.models import DimDate, DimDateRange, DimShift, DimUnitOfMeasure
from production.models import FactProduction, Product
from quality.models import DefectType, FactQuality
from reliability.models import DowntimeReason, FactDowntime, FailureMode

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 3, 11, 6, tzinfo=dt.UTC)


@pytest.fixture
def world():
    """The minimal master data a fact row points at."""
    day = DimDate.objects.filter(date_key=20250311).first()
    if day is None:
        from mfgplatform.calendar import date_rows

        day = DimDate.objects.create(**next(date_rows(dt.date(2025, 3, 11), dt.date(2025, 3, 11))))
    shift = DimShift.objects.create(code="T1", name="Test early", start_time=dt.time(6), end_time=dt.time(14))
    pcs = DimUnitOfMeasure.objects.create(code="tpcs", name="test pieces", symbol="pcs", quantity_kind="count")
    pump_class = EquipmentClass.objects.create(code="TPU", name="Test pumps", category="rotating")
    pump = Equipment.objects.create(code="P-1", name="Pump 1", taxonomy_level=6, equipment_class=pump_class)
    product = Product.objects.create(code="WIDGET", name="Widget", unit=pcs)
    mode = FailureMode.objects.create(code="TBRD", name="Test breakdown")
    failure = DowntimeReason.objects.create(
        code="T-FAIL", name="Test failure", time_category="delay", is_failure=True, failure_mode=mode,
        failure_impact="critical",
    )
    defect = DefectType.objects.create(code="T-SCR", name="Scratch", category="visual")
    return {"day": day, "shift": shift, "pcs": pcs, "pump": pump, "product": product, "failure": failure,
            "defect": defect, "pump_class": pump_class, "mode": mode}


def production(world, **overrides):
    values = {
        "equipment": world["pump"], "product": world["product"], "date": world["day"], "shift": world["shift"],
        "started_at": T0, "ended_at": T0 + dt.timedelta(hours=1), "produced_qty": 100, "good_qty": 95,
        "scrap_qty": 3, "rework_qty": 2, "pri_seconds": Decimal("30"),
    }
    return FactProduction(**{**values, **overrides})


def assert_rejected(instance, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        instance.save()


def test_a_valid_production_run_is_stored(world):
    production(world).save()
    assert FactProduction.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"good_qty": 101, "scrap_qty": 0, "rework_qty": 0}, "fact_production_good_le_produced"),
        ({"good_qty": 90, "scrap_qty": 8, "rework_qty": 5}, "fact_production_partition_le_produced"),
        ({"scrap_qty": -1}, "fact_production_quantities_nonnegative"),
        ({"ended_at": T0}, "fact_production_end_after_start"),
        ({"ended_at": T0 - dt.timedelta(minutes=1)}, "fact_production_end_after_start"),
        ({"pri_seconds": 0}, "fact_production_pri_positive"),
    ],
)
def test_bad_production_rows_are_rejected(world, overrides, constraint):
    assert_rejected(production(world, **overrides), constraint)


def test_downtime_must_end_after_it_starts(world):
    stop = FactDowntime(
        equipment=world["pump"], reason=world["failure"], date=world["day"], started_at=T0, ended_at=T0
    )
    assert_rejected(stop, "fact_downtime_end_after_start")


def test_an_open_downtime_has_no_end_yet(world):
    FactDowntime.objects.create(equipment=world["pump"], reason=world["failure"], date=world["day"], started_at=T0)
    assert FactDowntime.objects.filter(ended_at__isnull=True).count() == 1


def test_inspection_cannot_find_more_defectives_than_it_inspected(world):
    check = FactQuality(
        kind="attribute", inspected_at=T0, equipment=world["pump"], product=world["product"], date=world["day"],
        defect_type=world["defect"], inspected_qty=10, defective_qty=11,
    )
    assert_rejected(check, "fact_quality_defective_le_inspected")


def test_a_measurement_needs_ordered_specification_limits(world):
    measurement = FactQuality(
        kind="variable", inspected_at=T0, equipment=world["pump"], product=world["product"], date=world["day"],
        characteristic="bore_mm", measured_value=10.0, lower_spec_limit=10.2, upper_spec_limit=9.8,
    )
    assert_rejected(measurement, "fact_quality_spec_limits_ordered")


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Product, {"name": "Widget again"}),
        (DefectType, {"name": "Scratch again", "category": "visual"}),
    ],
)
def test_business_codes_are_unique(world, model, values):
    code = {"Product": "WIDGET", "DefectType": "T-SCR"}[model.__name__]
    if model is Product:
        values["unit"] = world["pcs"]
    assert_rejected(model(code=code, **values), "code")


def test_an_equipment_unit_needs_a_class(world):
    assert_rejected(Equipment(code="P-2", name="Pump 2", taxonomy_level=6), "dim_equipment_unit_has_class")


def test_equipment_attributes_must_be_a_json_object(world):
    bad = Equipment(code="P-3", name="Pump 3", taxonomy_level=6, equipment_class=world["pump_class"], attributes=[1])
    assert_rejected(bad, "dim_equipment_attributes_object")


def test_tag_numbers_are_unique_but_may_be_blank(world):
    Equipment.objects.create(code="L-1", name="Line 1", taxonomy_level=5)
    Equipment.objects.create(code="L-2", name="Line 2", taxonomy_level=5)
    Equipment.objects.create(code="P-4", name="Pump 4", taxonomy_level=6, equipment_class=world["pump_class"],
                             tag_number="10-P-101")
    duplicate = Equipment(code="P-5", name="Pump 5", taxonomy_level=6, equipment_class=world["pump_class"],
                          tag_number="10-P-101")
    assert_rejected(duplicate, "dim_equipment_tag_unique")


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"is_failure": True, "time_category": "setup", "failure_mode_code": "TBRD"},
         "dim_downtime_reason_failure_is_delay"),
        ({"is_failure": True, "time_category": "delay"}, "dim_downtime_reason_failure_has_mode"),
        ({"is_minor_stop": True, "time_category": "idle"}, "dim_downtime_reason_minor_stop_is_delay"),
        ({"time_category": "planned_downtime", "failure_impact": "critical"},
         "dim_downtime_reason_failure_codes_only_on_failures"),
    ],
)
def test_downtime_reasons_keep_iso_semantics(world, values, constraint):
    if values.pop("failure_mode_code", None):
        values["failure_mode"] = world["mode"]
    assert_rejected(DowntimeReason(code="BAD", name="Bad reason", **values), constraint)


def test_a_shift_cannot_have_zero_length(world):
    assert_rejected(DimShift(code="Z", name="Zero", start_time=dt.time(6), end_time=dt.time(6)),
                    "dim_shift_nonzero_length")


def test_crosses_midnight_is_derived_by_the_database(world):
    night = DimShift.objects.create(code="TN", name="Night", start_time=dt.time(22), end_time=dt.time(6))
    night.refresh_from_db()
    world["shift"].refresh_from_db()
    assert night.crosses_midnight is True
    assert world["shift"].crosses_midnight is False


def test_a_base_unit_converts_to_itself(world):
    assert_rejected(
        DimUnitOfMeasure(code="bad", name="Bad", symbol="b", quantity_kind="mass", factor_to_base=Decimal("2")),
        "dim_unit_of_measure_base_is_identity",
    )


def test_units_convert_through_their_base(world):
    kelvin = DimUnitOfMeasure.objects.create(code="tK", name="kelvin", symbol="K", quantity_kind="temperature")
    celsius = DimUnitOfMeasure.objects.create(
        code="tdegC", name="degree Celsius", symbol="°C", quantity_kind="temperature", base_unit=kelvin,
        offset_to_base=Decimal("273.15"),
    )
    fahrenheit = DimUnitOfMeasure.objects.create(
        code="tdegF", name="degree Fahrenheit", symbol="°F", quantity_kind="temperature", base_unit=kelvin,
        factor_to_base=Decimal(5) / Decimal(9), offset_to_base=Decimal("255.3722222222"),
    )
    assert celsius.convert(Decimal(100), fahrenheit).quantize(Decimal("0.001")) == Decimal("212.000")
    with pytest.raises(ValueError, match="different base units"):
        celsius.convert(Decimal(1), world["pcs"])


def test_a_fixed_date_range_needs_ordered_bounds(world):
    bad = DimDateRange(code="campaign", name="Campaign", rule="fixed", fixed_start=dt.date(2025, 2, 1),
                       fixed_end=dt.date(2025, 1, 1))
    assert_rejected(bad, "dim_date_range_fixed_bounds")


def test_a_last_n_days_range_needs_a_length(world):
    assert_rejected(DimDateRange(code="lastn", name="Last N", rule="last_n_days"), "dim_date_range_length_required")
