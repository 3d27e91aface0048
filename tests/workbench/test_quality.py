"""Quality overview: defect Pareto from the defects-by-type sums, FPY / DPMO / PPM from the KPI service."""

import pytest

from mfgplatform.kpi import compute_elements, compute_kpis
from quality.models import DefectType

from .conftest import END, START, dates_query


@pytest.mark.django_db
def test_quality_page_numbers(seeded_plant, engineer_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        response = engineer_client.get(f"/workbench/quality/?{dates_query(granularity='day')}")
    assert response.status_code == 200
    pareto, trend = response.context["tables"][:2]
    sums = {DefectType.objects.get(pk=row.group).code: int(row.elements["DEFECTS"])
            for row in compute_elements("defects_by_type", start=START, end=END, group_by="defect_type")
            if row.group and row.elements["DEFECTS"]}
    assert {row["code"]: row["defects"] for row in pareto.rows} == sums
    assert [row["defects"] for row in pareto.rows] == sorted(sums.values(), reverse=True)
    daily = {r.period: r.value for r in compute_kpis(["fpy"], start=START, end=END, granularity="day")}
    assert {row["period"]: row["fpy"] for row in trend.rows} == daily

    top = pareto.rows[0]
    drilled = engineer_client.get(f"/workbench/quality/?{dates_query(defect=top['code'])}")
    inspections = drilled.context["tables"][2].rows
    assert sum(row["defects"] for row in inspections) == top["defects"]
