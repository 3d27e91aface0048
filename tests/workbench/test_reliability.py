"""Reliability page: the KPI service's MTBF, MTTR, λ with bounds and availability; support equipment apart."""

import pytest

from equipment.models import Equipment
from mfgplatform.kpi import compute_elements, compute_kpis

from .conftest import END, START, dates_query


@pytest.mark.django_db
def test_reliability_numbers_and_support_equipment_apart(seeded_plant, engineer_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        response = engineer_client.get(f"/workbench/reliability/?{dates_query()}")
    assert response.status_code == 200
    overall = response.context["overall"]
    expected = {r.kpi: r for r in compute_kpis(["mtbf", "mttr", "failure_rate"], start=START, end=END)}
    assert overall["mtbf"] == expected["mtbf"].value
    assert overall["mttr"] == expected["mttr"].value
    assert overall["rate_upper"] == expected["failure_rate"].details.get("upper")

    tables = {table.name: table for table in response.context["tables"]}
    produced = {Equipment.objects.get(pk=row.group).code: float(row.elements["PQ"]) > 0
                for row in compute_elements("time_model", start=START, end=END, group_by="equipment")}
    assert all(produced[row["group"]] for row in tables["units"].rows)
    assert all(not produced[row["group"]] for row in tables["support"].rows)
    for row in tables["units"].rows:
        assert row["mtbf"] == compute_kpis(["mtbf"], equipment=[row["group"]], start=START, end=END)[0].value
