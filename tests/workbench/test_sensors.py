"""Sensor trend: hourly min / mean / max of a unit's tag equal a plain aggregation of the raw readings."""

import datetime as dt
import statistics

import pytest

from equipment.models import Equipment
from reliability.models import FactSensorEvent
from reliability.sensor_trend import production_window

from .conftest import START, dates_query


@pytest.mark.django_db
def test_sensor_trend_equals_the_raw_readings(seeded_plant, engineer_client):
    unit = Equipment.objects.filter(taxonomy_level=6).order_by("code").first()
    response = engineer_client.get(f"/workbench/sensors/?{dates_query(node=unit.code, end=START.isoformat())}")
    assert response.status_code == 200
    table = response.context["table"]
    tag = response.context["tag"]
    low, high = production_window(START, START)
    readings = FactSensorEvent.objects.filter(equipment=unit, tag=tag, time__gte=low, time__lt=high,
                                              quality__gte=192)
    by_hour: dict[dt.datetime, list[float]] = {}
    for reading in readings:
        by_hour.setdefault(reading.time.replace(minute=0, second=0, microsecond=0), []).append(reading.value)
    assert len(table.rows) == len(by_hour)
    first = min(by_hour)
    row = table.rows[0]
    assert row["min"] == min(by_hour[first])
    assert row["max"] == max(by_hour[first])
    assert row["mean"] == pytest.approx(statistics.fmean(by_hour[first]))

    listing = engineer_client.get(f"/workbench/sensors/?{dates_query()}")
    assert unit.code in {u["code"] for u in listing.context["units"]}
