"""The unit / line page: trend, loss waterfall and shift heat-map from the KPI service; events linked to
their admin records."""

import datetime as dt

import pytest

from equipment.models import Equipment
from mfgplatform.aggregates.registry import refresh_views
from mfgplatform.kpi import compute_elements, compute_kpis
from reliability.models import FactDowntime
from tests.kpi.factories import add_run, ensure_dates, make_equipment, make_shift, only_shifts

from .conftest import END, START, dates_query


@pytest.mark.django_db
def test_unit_page_numbers_equal_the_kpi_service(seeded_plant, engineer_client, django_assert_max_num_queries):
    unit = Equipment.objects.filter(taxonomy_level=6, equipment_class__code="XC").first() or \
        Equipment.objects.filter(taxonomy_level=6).first()
    with django_assert_max_num_queries(40):
        response = engineer_client.get(f"/workbench/unit/?{dates_query(node=unit.code, granularity='day')}")
    assert response.status_code == 200
    context = response.context

    daily = {r.period: r.value for r in compute_kpis(["oee"], equipment=[unit.code], start=START, end=END,
                                                      granularity="day")}
    assert {row["period"]: row["oee"] for row in context["trend_table"].rows} == daily

    elements = compute_elements("time_model", equipment=[unit.code], start=START, end=END)[0].elements
    steps = {row["element"]: row["hours"] for row in context["waterfall_table"].rows}
    assert steps["POT"] == pytest.approx(float(elements["POT"]) / 3600)
    # Each loss takes the time from one level of the ISO 22400 time model to the next.
    assert steps["POT"] - steps["PDT"] == pytest.approx(steps["PBT"])
    assert steps["PBT"] - steps["ADOT"] - steps["ADET"] - steps["AUST"] == pytest.approx(steps["APT"])
    assert steps["APT"] - steps["SPEED"] - steps["QUALITY"] == pytest.approx(steps["PRI_GQ"])
    oee = compute_kpis(["oee"], equipment=[unit.code], start=START, end=END)[0].value
    assert steps["PRI_GQ"] / steps["PBT"] == pytest.approx(oee)

    by_shift = {r.period: r.value for r in compute_kpis(["oee"], equipment=[unit.code], start=START, end=END,
                                                         granularity="shift")}
    shown = {f"{row['day']} {shift}": value for row in context["shift_table"].rows
             for shift, value in row.items() if shift != "day" and value is not None}
    assert shown == {period: value for period, value in by_shift.items() if value is not None}

    stops = context["event_tables"][0].rows
    newest = FactDowntime.objects.filter(equipment=unit).order_by("-started_at").first()
    assert stops[0]["url"] == f"/admin/reliability/factdowntime/{newest.pk}/change/"
    assert f'href="{stops[0]["url"]}"' in response.content.decode()


@pytest.mark.django_db
def test_unit_page_without_a_node_goes_to_the_home(engineer_client):
    response = engineer_client.get(f"/workbench/unit/?{dates_query()}")
    assert response.status_code == 302
    assert response["Location"].startswith("/workbench/?")


@pytest.mark.django_db
def test_the_shift_heat_map_shows_the_unscheduled_occurrence_last(settings, engineer_client):
    settings.PLANT_TIME_ZONE = "UTC"
    settings.PRODUCTION_DAY_START = "06:00"
    ensure_dates(START - dt.timedelta(days=2), END + dt.timedelta(days=2))
    only_shifts(make_shift("HM-A", dt.time(6), dt.time(14), weekdays=[1, 2, 3, 4, 5]))
    unit = make_equipment("HM-M1", decommissioned_on=START + dt.timedelta(days=1))
    # Monday: the shift runs at PRI, then an hour of overtime at half the rate.
    day = dt.datetime.combine(START, dt.time(0), tzinfo=dt.UTC)
    add_run(unit, day + dt.timedelta(hours=6), day + dt.timedelta(hours=14), pq=480, gq=480, pri="60")
    add_run(unit, day + dt.timedelta(hours=14), day + dt.timedelta(hours=15), pq=30, gq=30, pri="60")
    failed = [entry for entry in refresh_views(triggered_by="test") if entry.outcome != "success"]
    assert not failed
    response = engineer_client.get(f"/workbench/unit/?{dates_query(node='HM-M1', granularity='shift')}")
    table = response.context["shift_table"]
    assert [column.key for column in table.columns] == ["day", "HM-A", "Unscheduled"]
    assert table.rows == [{"day": START.isoformat(), "HM-A": 1.0, "Unscheduled": 0.5}]
