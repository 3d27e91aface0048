"""load_facts: good files land in one transaction; any bad value rejects the whole file with a report."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from equipment.models import Equipment
from mfgplatform.ingest.loader import Reject, load_csv
from mfgplatform.simulation.reference import ensure_reference
from production.models import FactProduction, PlannedRunTime, Product
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
