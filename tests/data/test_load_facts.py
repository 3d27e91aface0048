"""load_facts: good files land in one transaction; any bad value rejects the whole file with a report."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from devdata.simulation.reference import ensure_reference
from equipment.models import Equipment
from mfgplatform.ingest.loader import Reject, load_csv
from production.models import FactProduction, PlannedRunTime, Product
from quality.models import FactQuality, FactScrap
from reliability.models import FactDowntime, FactSensorEvent

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 1, 7)  # a Wednesday
UNIT = "LF-UNIT-1"


@pytest.fixture
def plant(plant_in_utc):
    reference = ensure_reference(DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1))
    line = Equipment.objects.create(code="LF-LINE", name="Line", taxonomy_level=5, path="LF-LINE")
    unit = Equipment.objects.create(code=UNIT, name="Press", taxonomy_level=6, parent=line,
                                    equipment_class=reference.classes["XP"], path=f"LF-LINE/{UNIT}")
    product = Product.objects.create(code="LF-P1", name="Bracket", unit=reference.piece)
    PlannedRunTime.objects.create(product=product, equipment=unit, valid_from=DAY, pri_seconds=Decimal("4.5"))
    FactDowntime.objects.create(
        equipment=unit, reason=reference.reasons["FAIL-BRD"], date_id=20260107,
        started_at=dt.datetime(2026, 1, 7, 12, tzinfo=dt.UTC), ended_at=dt.datetime(2026, 1, 7, 13, tzinfo=dt.UTC),
    )
    return unit


def _load(tmp_path, fact: str, text: str) -> tuple[str, str]:
    path = tmp_path / f"{fact}.csv"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("load_facts", fact, str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _rejects(fact: str, text: str) -> list[Reject]:
    from io import BytesIO

    result = load_csv(fact, BytesIO(text.encode()))
    assert result.inserted == 0
    return result.rejects


SENSOR_HEADER = "time,equipment,tag,value,quality\n"
PRODUCTION_HEADER = "equipment,product,started_at,ended_at,produced_qty,good_qty,scrap_qty,rework_qty\n"
DOWNTIME_HEADER = "equipment,reason,started_at,ended_at,failure_mode\n"
HOUR = "2026-01-07T08:00:00Z,2026-01-07T09:00:00Z"


def test_a_good_production_file_lands_with_date_shift_and_pri(plant, tmp_path):
    out, _ = _load(tmp_path, "production", PRODUCTION_HEADER
                   + f"{UNIT},LF-P1,2026-01-07T08:00:00Z,2026-01-07T09:00:00Z,700,690,6,4\n"
                   + f"{UNIT},LF-P1,2026-01-08T03:00:00+01:00,2026-01-08T04:00:00+01:00,650,650,0,0\n")
    assert out.startswith("Loaded 2 production rows")
    rows = list(FactProduction.objects.order_by("started_at").values_list(
        "date_id", "shift__code", "pri_seconds", "produced_qty", "good_qty", "scrap_qty", "rework_qty"))
    # 03:00 +01:00 is 02:00 UTC on the 8th: the night shift of the 7th.
    assert rows == [
        (20260107, "A", Decimal("4.5000"), 700, 690, 6, 4),
        (20260107, "C", Decimal("4.5000"), 650, 650, 0, 0),
    ]


def test_a_good_downtime_file_lands(plant, tmp_path):
    out, _ = _load(tmp_path, "downtime", DOWNTIME_HEADER
                   + f"{UNIT},FAIL-OHE,2026-01-07T14:00:00Z,2026-01-07T14:45:00Z,OHE\n"
                   + f"{UNIT},MINOR-JAM,2026-01-07T15:00:00Z,,\n")
    assert out.startswith("Loaded 2 downtime rows")
    assert list(FactDowntime.objects.filter(started_at__hour__gte=14).order_by("started_at").values_list(
        "reason__code", "failure_mode__code", "shift__code", "ended_at")) == [
        ("FAIL-OHE", "OHE", "B", dt.datetime(2026, 1, 7, 14, 45, tzinfo=dt.UTC)),
        ("MINOR-JAM", None, "B", None),
    ]


@pytest.mark.parametrize(
    ("fact", "text", "expected"),
    [
        pytest.param("sensor_event", SENSOR_HEADER + "2026-01-07T08:00:00Z,NOPE,temperature,20.5,192\n",
                     [Reject(2, "equipment", "unknown code 'NOPE'")], id="unknown_equipment"),
        pytest.param("production", PRODUCTION_HEADER + f"{UNIT},NOPE,{HOUR},1,1,0,0\n",
                     [Reject(2, "product", "unknown code 'NOPE'")], id="unknown_product"),
        pytest.param("downtime", DOWNTIME_HEADER + f"{UNIT},FAIL-XYZ,2026-01-07T08:00:00Z,2026-01-07T09:00:00Z,\n",
                     [Reject(2, "reason", "unknown code 'FAIL-XYZ'")], id="unknown_reason"),
        pytest.param("production", PRODUCTION_HEADER + f"{UNIT},LF-P1,{HOUR},10,12,-2,0\n",
                     [Reject(2, "scrap_qty", "is negative")], id="negative_quantity"),
        pytest.param("production", PRODUCTION_HEADER + f"{UNIT},LF-P1,{HOUR},10,9,2,0\n",
                     [Reject(2, "produced_qty", "is less than good + scrap + rework")], id="partition_exceeds_pq"),
        pytest.param("sensor_event", SENSOR_HEADER + f"2026-13-07T08:00:00Z,{UNIT},temperature,20.5,192\n",
                     [Reject(2, "time", "is not a valid timestamp")], id="impossible_timestamp"),
        pytest.param("sensor_event", SENSOR_HEADER + f"2026-01-07 08:00:00,{UNIT},temperature,20.5,192\n",
                     [Reject(2, "time", "has no UTC offset (end it with Z or e.g. +01:00)")], id="naive_timestamp"),
        pytest.param("sensor_event", SENSOR_HEADER + f"2026-01-07T08:00:00Z,{UNIT},temperature,warm,192\n",
                     [Reject(2, "value", "is not a number")], id="not_a_number"),
        pytest.param("downtime", DOWNTIME_HEADER + f"{UNIT},MINOR-JAM,2026-01-07T09:00:00Z,2026-01-07T08:00:00Z,\n",
                     [Reject(2, "ended_at", "is not after started_at")], id="end_before_start"),
        pytest.param("downtime", DOWNTIME_HEADER + f"{UNIT},MINOR-JAM,2026-01-07T12:30:00Z,2026-01-07T12:40:00Z,\n",
                     [Reject(2, "started_at",
                             "overlaps downtime already recorded for this equipment from 2026-01-07 12:00:00+00")],
                     id="overlaps_recorded_downtime"),
        pytest.param("downtime", DOWNTIME_HEADER + f"{UNIT},MINOR-JAM,2026-01-07T08:00:00Z,2026-01-07T09:00:00Z,\n"
                     + f"{UNIT},MINOR-JAM,2026-01-07T08:30:00Z,2026-01-07T08:40:00Z,\n",
                     [Reject(3, "started_at", "overlaps another downtime of the same equipment in this file")],
                     id="overlaps_within_file"),
        pytest.param("sensor_event", "time,equipment,value\n2026-01-07T08:00:00Z,X,1\n",
                     [Reject(1, "tag", "required column is missing")], id="missing_column"),
        pytest.param("sensor_event", SENSOR_HEADER + f"2026-01-07T08:00:00Z,{UNIT},temperature,1,192,9\n",
                     [Reject(2, "", "malformed CSV: extra data after last expected column")], id="malformed_csv"),
    ],
)
def test_each_bad_case_is_rejected_and_nothing_lands(plant, fact, text, expected):
    counts = (FactSensorEvent.objects.count(), FactProduction.objects.count(), FactDowntime.objects.count())
    assert _rejects(fact, text) == expected
    assert (FactSensorEvent.objects.count(), FactProduction.objects.count(), FactDowntime.objects.count()) == counts


def test_one_bad_row_among_good_ones_lands_nothing_and_the_command_reports_it(plant, tmp_path):
    good = "".join(f"2026-01-07T08:{minute:02d}:00Z,{UNIT},temperature,20.{minute},192\n" for minute in range(50))
    with pytest.raises(CommandError, match=r"Rejected: 1 problem\(s\); nothing was loaded"):
        _load(tmp_path, "sensor_event", SENSOR_HEADER + good + f"2026-01-07T09:00:00Z,{UNIT},temperature,x,192\n")
    assert FactSensorEvent.objects.count() == 0


def test_the_rejects_report_is_a_csv_of_row_column_reason(plant, tmp_path):
    report = tmp_path / "rejects.csv"
    path = tmp_path / "in.csv"
    path.write_text(SENSOR_HEADER + "yesterday,NOPE,temperature,1,7\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_facts", "sensor_event", str(path), "--rejects", str(report), stdout=StringIO())
    assert report.read_text(encoding="utf-8").splitlines() == [
        "row,column,reason",
        "2,equipment,unknown code 'NOPE'",
        '2,quality,"must be one of 0, 64, 192"',
        "2,time,is not an ISO 8601 timestamp",
    ]


def test_replayed_sensor_readings_are_no_ops(plant, tmp_path):
    text = (SENSOR_HEADER + f"2026-01-07T08:00:00Z,{UNIT},temperature,20.5,192\n"
            f"2026-01-07T08:01:00Z,{UNIT},temperature,20.7,\n")
    assert _load(tmp_path, "sensor_event", text)[0].startswith("Loaded 2 sensor_event rows in")
    assert _load(tmp_path, "sensor_event", text)[0].startswith("Loaded 0 sensor_event rows, 2 already present")
    assert list(FactSensorEvent.objects.order_by("time").values_list("value", "quality")) == [(20.5, 192), (20.7, 192)]


def test_a_value_the_column_cannot_hold_rejects_the_file(plant):
    # numeric(14,3) holds less than 10^11: the column's bound names the row and column.
    assert _rejects("production", PRODUCTION_HEADER + f"{UNIT},LF-P1,{HOUR},1000000000000,1,0,0\n") == [
        Reject(2, "produced_qty", "is out of range (at most 1e+11 in magnitude)")
    ]
    assert FactProduction.objects.count() == 0


@pytest.mark.parametrize("spelling", ["NaN", "Infinity", "-inf"])
def test_sensor_values_that_are_not_finite_are_rejected(plant, spelling):
    text = SENSOR_HEADER + f"2026-01-07T08:00:00Z,{UNIT},temperature,{spelling},192\n"
    assert _rejects("sensor_event", text) == [Reject(2, "value", "is not a number")]
    assert FactSensorEvent.objects.count() == 0


# --- quality and scrap ---------------------------------------------------------------------------

QUALITY_HEADER = ("kind,inspected_at,equipment,product,defect_type,inspected_qty,defective_qty,defect_count,"
                  "first_pass_good_qty,characteristic,measured_value,lower_spec_limit,upper_spec_limit,unit,subgroup\n")
ATTRIBUTE = f"attribute,2026-01-07T08:30:00Z,{UNIT},LF-P1"  # then defect_type … subgroup
VARIABLE = f"variable,2026-01-07T10:00:00Z,{UNIT},LF-P1"
SCRAP_HEADER = "occurred_at,equipment,product,reason,quantity,unit,is_planned,disposition,cost,currency\n"
SCRAP = f"2026-01-07T08:40:00Z,{UNIT},LF-P1"  # then reason … currency


def test_a_good_quality_file_lands_attribute_and_variable_rows(plant, tmp_path):
    out, _ = _load(tmp_path, "quality", QUALITY_HEADER
                   + f"{ATTRIBUTE},,100,0,0,96,,,,,pcs,\n"
                   + f"{ATTRIBUTE},VIS-SCRATCH,100,4,5,,,,,,pcs,\n"
                   + f"{VARIABLE},,,,,,bore_diameter,12.02,11.9,12.1,mm,3\n")
    assert out.startswith("Loaded 3 quality rows")
    rows = list(FactQuality.objects.order_by("inspected_at", "id").values_list(
        "kind", "date_id", "shift__code", "defect_type__code", "inspected_qty", "defective_qty", "defect_count",
        "first_pass_good_qty", "characteristic", "measured_value", "lower_spec_limit", "upper_spec_limit",
        "unit__code", "subgroup"))
    assert rows == [
        ("attribute", 20260107, "A", None, Decimal("100.000"), Decimal("0.000"), 0, Decimal("96.000"), "",
         None, None, None, "pcs", None),
        ("attribute", 20260107, "A", "VIS-SCRATCH", Decimal("100.000"), Decimal("4.000"), 5, None, "",
         None, None, None, "pcs", None),
        ("variable", 20260107, "A", None, Decimal("0.000"), Decimal("0.000"), 0, None, "bore_diameter",
         12.02, 11.9, 12.1, "mm", 3),
    ]
    assert FactQuality.objects.values("load_batch").distinct().count() == 1


def test_a_good_scrap_file_lands_with_defaults_from_the_product(plant, tmp_path):
    out, _ = _load(tmp_path, "scrap", SCRAP_HEADER
                   + f"{SCRAP},PRC-STARTUP,6,,true,,,\n"
                   + f"2026-01-07T15:00:00Z,{UNIT},LF-P1,VIS-DENT,2.5,kg,false,recycle,3.75,USD\n")
    assert out.startswith("Loaded 2 scrap rows")
    rows = list(FactScrap.objects.order_by("occurred_at").values_list(
        "date_id", "shift__code", "reason__code", "quantity", "unit__code", "is_planned", "disposition", "cost",
        "currency"))
    product_unit = Product.objects.get(code="LF-P1").unit.code
    assert rows == [
        (20260107, "A", "PRC-STARTUP", Decimal("6.000"), product_unit, True, "scrap", Decimal("0.00"), "EUR"),
        (20260107, "B", "VIS-DENT", Decimal("2.500"), "kg", False, "recycle", Decimal("3.75"), "USD"),
    ]


def _quality(row: str) -> str:
    return QUALITY_HEADER + row + "\n"


def _scrap(row: str) -> str:
    return SCRAP_HEADER + row + "\n"


@pytest.mark.parametrize(
    ("fact", "text", "expected"),
    [
        pytest.param("quality", _quality("attribute,2026-01-07T08:30:00Z,NOPE,LF-P1,,10,0,0,,,,,,,"),
                     [Reject(2, "equipment", "unknown code 'NOPE'")], id="quality_unknown_equipment"),
        pytest.param("quality", _quality(f"attribute,2026-01-07T08:30:00Z,{UNIT},NOPE,,10,0,0,,,,,,,"),
                     [Reject(2, "product", "unknown code 'NOPE'")], id="quality_unknown_product"),
        pytest.param("quality", _quality(f"{ATTRIBUTE},NOPE,10,1,1,,,,,,,"),
                     [Reject(2, "defect_type", "unknown code 'NOPE'")], id="quality_unknown_defect_type"),
        pytest.param("quality", _quality(f"{VARIABLE},,,,,,bore,12,,,NOPE,"),
                     [Reject(2, "unit", "unknown code 'NOPE'")], id="quality_unknown_unit"),
        pytest.param("quality", _quality("attribute,2026-01-07T08:30:00Z,LF-LINE,LF-P1,,10,0,0,,,,,,,"),
                     [Reject(2, "equipment", "is not an equipment unit (level 6)")], id="quality_not_a_unit"),
        pytest.param("quality", _quality(f"{ATTRIBUTE},,10,-1,0,,,,,,,"),
                     [Reject(2, "defective_qty", "is negative")], id="quality_negative_quantity"),
        pytest.param("quality", _quality(f"{ATTRIBUTE},,10,11,0,,,,,,,"),
                     [Reject(2, "defective_qty", "exceeds inspected_qty")], id="quality_defective_exceeds"),
        pytest.param("quality", _quality(f"{ATTRIBUTE},,10,0,0,12,,,,,,"),
                     [Reject(2, "first_pass_good_qty", "exceeds inspected_qty")], id="quality_first_pass_exceeds"),
        pytest.param("quality", _quality(f"{ATTRIBUTE},,,0,0,,,,,,,"),
                     [Reject(2, "inspected_qty", "is required for an attribute check")],
                     id="quality_attribute_without_inspected"),
        pytest.param("quality", _quality(f"{ATTRIBUTE},,0,0,0,,,,,,,"),
                     [Reject(2, "inspected_qty", "must be positive for an attribute check")],
                     id="quality_attribute_inspected_zero"),
        pytest.param("quality", _quality(f"{ATTRIBUTE},,10,0,0,,bore,12,,,,"),
                     [Reject(2, "measured_value", "must be empty for an attribute check")],
                     id="quality_attribute_with_measurement"),
        pytest.param("quality", _quality(f"{VARIABLE},,,,,,bore,,,,mm,"),
                     [Reject(2, "measured_value", "is required for a variable measurement")],
                     id="quality_variable_without_value"),
        pytest.param("quality", _quality(f"{VARIABLE},,,,,,,12,,,mm,"),
                     [Reject(2, "characteristic", "is required for a variable measurement")],
                     id="quality_variable_without_characteristic"),
        pytest.param("quality", _quality(f"{VARIABLE},,,,,,bore,12,12.1,11.9,mm,"),
                     [Reject(2, "upper_spec_limit", "is not above lower_spec_limit")],
                     id="quality_spec_limits_reversed"),
        pytest.param("quality", _quality(f"{VARIABLE},,,,,,bore,NaN,,,mm,"),
                     [Reject(2, "measured_value", "is not a number")], id="quality_not_a_number"),
        pytest.param("quality", _quality(f"{ATTRIBUTE},,10,1,1.5,,,,,,,"),
                     [Reject(2, "defect_count", "is not an integer")], id="quality_count_not_integer"),
        pytest.param("quality", _quality(f"audit,2026-01-07T08:30:00Z,{UNIT},LF-P1,,10,0,0,,,,,,,"),
                     [Reject(2, "kind", "must be one of attribute, variable")], id="quality_unknown_kind"),
        pytest.param("quality", _quality(f"attribute,2026-01-07 08:30:00,{UNIT},LF-P1,,10,0,0,,,,,,,"),
                     [Reject(2, "inspected_at", "has no UTC offset (end it with Z or e.g. +01:00)")],
                     id="quality_naive_timestamp"),
        pytest.param("quality", _quality(f"attribute,2026-13-07T08:30:00Z,{UNIT},LF-P1,,10,0,0,,,,,,,"),
                     [Reject(2, "inspected_at", "is not a valid timestamp")], id="quality_impossible_timestamp"),
        pytest.param("quality", _quality(f"attribute,2035-03-02T08:30:00Z,{UNIT},LF-P1,,10,0,0,,,,,,,"),
                     [Reject(2, "inspected_at", "falls on a production day that dim_date does not hold"),
                      Reject(2, "inspected_at", "is later than the calendar's end or now plus the future tolerance")],
                     id="quality_day_not_in_calendar"),
        pytest.param("quality", f"inspected_at,equipment,product\n2026-01-07T08:30:00Z,{UNIT},LF-P1\n",
                     [Reject(1, "kind", "required column is missing")], id="quality_missing_column"),
        pytest.param("quality", _quality(f"{ATTRIBUTE},,10,0,0,,,,,,,\n{ATTRIBUTE},,10,0,0,,,,,,,-2"),
                     [Reject(3, "subgroup", "is negative")], id="quality_good_row_then_bad_row"),
        pytest.param("scrap", _scrap("2026-01-07T08:40:00Z,NOPE,LF-P1,VIS-DENT,1,,,,,"),
                     [Reject(2, "equipment", "unknown code 'NOPE'")], id="scrap_unknown_equipment"),
        pytest.param("scrap", _scrap(f"2026-01-07T08:40:00Z,{UNIT},NOPE,VIS-DENT,1,,,,,"),
                     [Reject(2, "product", "unknown code 'NOPE'")], id="scrap_unknown_product"),
        pytest.param("scrap", _scrap(f"{SCRAP},NOPE,1,,,,,"),
                     [Reject(2, "reason", "unknown code 'NOPE'")], id="scrap_unknown_reason"),
        pytest.param("scrap", _scrap(f"{SCRAP},VIS-DENT,1,NOPE,,,,"),
                     [Reject(2, "unit", "unknown code 'NOPE'")], id="scrap_unknown_unit"),
        pytest.param("scrap", _scrap("2026-01-07T08:40:00Z,LF-LINE,LF-P1,VIS-DENT,1,,,,,"),
                     [Reject(2, "equipment", "is not an equipment unit (level 6)")], id="scrap_not_a_unit"),
        pytest.param("scrap", _scrap(f"{SCRAP},VIS-DENT,,,,,,"),
                     [Reject(2, "quantity", "is required")], id="scrap_quantity_missing"),
        pytest.param("scrap", _scrap(f"{SCRAP},VIS-DENT,-2,,,,,"),
                     [Reject(2, "quantity", "is negative")], id="scrap_negative_quantity"),
        pytest.param("scrap", _scrap(f"{SCRAP},VIS-DENT,0,,,,,"),
                     [Reject(2, "quantity", "must be positive")], id="scrap_zero_quantity"),
        pytest.param("scrap", _scrap(f"{SCRAP},VIS-DENT,1,,,,-0.5,"),
                     [Reject(2, "cost", "is negative")], id="scrap_negative_cost"),
        pytest.param("scrap", _scrap(f"{SCRAP},VIS-DENT,a few,,,,,"),
                     [Reject(2, "quantity", "is not a number")], id="scrap_not_a_number"),
        pytest.param("scrap", _scrap(f"{SCRAP},VIS-DENT,1,,yes,,,"),
                     [Reject(2, "is_planned", "must be one of true, false")], id="scrap_is_planned_not_boolean"),
        pytest.param("scrap", _scrap(f"{SCRAP},VIS-DENT,1,,,burn,,"),
                     [Reject(2, "disposition", "must be one of scrap, recycle, return")],
                     id="scrap_unknown_disposition"),
        pytest.param("scrap", _scrap(f"{SCRAP},VIS-DENT,1,,,,,eur"),
                     [Reject(2, "currency", "is not a three-letter ISO 4217 code")], id="scrap_bad_currency"),
        pytest.param("scrap", _scrap(f"yesterday,{UNIT},LF-P1,VIS-DENT,1,,,,,"),
                     [Reject(2, "occurred_at", "is not an ISO 8601 timestamp")], id="scrap_not_a_timestamp"),
        pytest.param("scrap", _scrap(f"2026-01-07T08:40:00,{UNIT},LF-P1,VIS-DENT,1,,,,,"),
                     [Reject(2, "occurred_at", "has no UTC offset (end it with Z or e.g. +01:00)")],
                     id="scrap_naive_timestamp"),
        pytest.param("scrap", "occurred_at,equipment,product,quantity\n"
                     f"2026-01-07T08:40:00Z,{UNIT},LF-P1,1\n",
                     [Reject(1, "reason", "required column is missing")], id="scrap_missing_column"),
        pytest.param("scrap", _scrap(f"{SCRAP},VIS-DENT,1,,,,,\n{SCRAP},VIS-DENT,1,,,,,,"),
                     [Reject(3, "", "malformed CSV: extra data after last expected column")],
                     id="scrap_malformed_csv"),
    ],
)
def test_each_bad_quality_or_scrap_case_is_rejected_and_nothing_lands(plant, fact, text, expected):
    assert _rejects(fact, text) == expected
    assert (FactQuality.objects.count(), FactScrap.objects.count()) == (0, 0)
