"""load_facts applies the same bounds as the API (mfgplatform.bounds): a file with one value out of
range, out of the calendar, or a reason group is refused with the row and column, and lands nothing."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest

from devdata.simulation.reference import ensure_reference
from equipment.models import Equipment
from mfgplatform.ingest.loader import load_csv
from production.models import FactProduction, PlannedRunTime, Product
from reliability.models import FactDowntime, FactSensorEvent

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 1, 7)
UNIT = "LFB-UNIT"
SENSOR = "time,equipment,tag,value,quality\n"
PRODUCTION = "equipment,product,started_at,ended_at,produced_qty,good_qty\n"
DOWNTIME = "equipment,reason,started_at,ended_at\n"


@pytest.fixture
def plant(plant_in_utc):
    reference = ensure_reference(DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1))
    unit = Equipment.objects.create(code=UNIT, name="Press", taxonomy_level=6, path=UNIT,
                                    equipment_class=reference.classes["XP"])
    product = Product.objects.create(code="LFB-P", name="Bracket", unit=reference.piece)
    PlannedRunTime.objects.create(product=product, equipment=unit, valid_from=DAY, pri_seconds=Decimal("4.5"))
    return unit


def _good_sensor_rows(count: int) -> str:
    start = dt.datetime(2026, 1, 7, 8, tzinfo=dt.UTC)
    return "".join(f"{(start + dt.timedelta(seconds=i)).isoformat()},{UNIT},temp,20.5,192\n" for i in range(count))


@pytest.mark.parametrize(
    ("fact", "text", "column", "reason"),
    [
        pytest.param("sensor_event", SENSOR + _good_sensor_rows(5) + f"2026-01-07T09:00:00Z,{UNIT},temp,1e200,192\n",
                     "value", "is out of range", id="huge_reading"),
        pytest.param("sensor_event", SENSOR + f"0001-01-01T00:00:00+14:00,{UNIT},temp,1,192\n",
                     "time", "is before the first production day", id="year_1_bc"),
        pytest.param("sensor_event", SENSOR + f"9999-12-31T23:59:59-14:00,{UNIT},temp,1,192\n",
                     "time", "is later than", id="year_10000"),
        pytest.param("production", PRODUCTION + f"{UNIT},LFB-P,2026-01-07T08:00:00Z,2026-01-07T09:00:00Z,1e12,1\n",
                     "produced_qty", "is out of range", id="qty_beyond_numeric_14_3"),
        pytest.param("production", PRODUCTION + f"{UNIT},LFB-P,2026-01-07T08:00:00Z,9999-01-01T00:00:00Z,10,10\n",
                     "ended_at", "is later than", id="ended_in_year_9999"),
        pytest.param("downtime", DOWNTIME + f"{UNIT},DELAY,2026-01-07T08:00:00Z,2026-01-07T09:00:00Z\n",
                     "reason", "reason group", id="reason_group_with_a_time_category"),
        pytest.param("downtime", DOWNTIME + f"{UNIT},FAIL,2026-01-07T08:00:00Z,2026-01-07T09:00:00Z\n",
                     "reason", "reason group", id="inner_reason_group"),
    ],
)
def test_an_out_of_bounds_value_refuses_the_file_with_its_row_and_column(plant, fact, text, column, reason):
    result = load_csv(fact, BytesIO(text.encode()))
    assert result.inserted == 0
    bad_row = text.count("\n")
    assert [(reject.row, reject.column) for reject in result.rejects] == [(bad_row, column)]
    assert reason in result.rejects[0].reason
    assert not FactSensorEvent.objects.exists()
    assert not FactProduction.objects.exists()
    assert not FactDowntime.objects.exists()


def test_a_clean_file_still_lands_in_one_pass(plant):
    result = load_csv("sensor_event", BytesIO((SENSOR + _good_sensor_rows(50)).encode()))
    assert (result.ok, result.inserted) == (True, 50)
