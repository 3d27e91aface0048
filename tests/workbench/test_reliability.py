"""Reliability page: the KPI service's MTBF, MTTR, λ with bounds and availability; support equipment apart."""

import pytest

from equipment.models import Equipment
from equipment.work_units import is_work_unit
from mfgplatform.kpi import compute_kpis

from .conftest import END, START, dates_query


@pytest.mark.django_db
def test_reliability_numbers_and_support_equipment_apart(seeded_plant, engineer_client, django_assert_max_num_queries):
    # One more source per KPI call (support equipment's operating time) and the work-unit master data.
    with django_assert_max_num_queries(50):
        response = engineer_client.get(f"/workbench/reliability/?{dates_query()}")
    assert response.status_code == 200
    overall = response.context["overall"]
    expected = {r.kpi: r for r in compute_kpis(["mtbf", "mttr", "failure_rate"], start=START, end=END)}
    assert overall["mtbf"] == expected["mtbf"].value
    assert overall["mttr"] == expected["mttr"].value
    assert overall["rate_upper"] == expected["failure_rate"].details.get("upper")

    tables = {table.name: table for table in response.context["tables"]}
    works = {unit.code: is_work_unit(unit) for unit in Equipment.objects.select_related("equipment_class")}
    assert tables["units"].rows
    assert tables["support"].rows
    assert all(works[row["group"]] for row in tables["units"].rows)
    assert all(not works[row["group"]] for row in tables["support"].rows)
    # Support equipment has an operating time of its own (time in service minus downtime), so an MTBF.
    assert all(row["operating_h"] > 0 for row in tables["support"].rows)
    for row in tables["units"].rows:
        assert row["mtbf"] == compute_kpis(["mtbf"], equipment=[row["group"]], start=START, end=END)[0].value
