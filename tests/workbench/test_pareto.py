"""Downtime Pareto: bars equal the downtime-by-reason sums, sorted, cumulative to 100 %; a bar's stops add
up to it."""

import pytest

from mfgplatform.kpi import compute_elements
from reliability.models import DowntimeReason

from .conftest import END, START, dates_query


@pytest.mark.django_db
def test_pareto_by_duration_and_count_and_its_drill(seeded_plant, engineer_client, django_assert_max_num_queries):
    sums = {DowntimeReason.objects.get(pk=row.group).code: row.elements
            for row in compute_elements("downtime_by_reason", start=START, end=END, group_by="reason")}
    with django_assert_max_num_queries(25):
        response = engineer_client.get(f"/workbench/downtime/?{dates_query()}")
    rows = response.context["pareto_table"].rows
    assert {r["code"]: r["hours"] for r in rows} == pytest.approx(
        {code: float(e["STOP_S"]) / 3600 for code, e in sums.items()})
    assert [r["hours"] for r in rows] == sorted((r["hours"] for r in rows), reverse=True)
    assert rows[-1]["cumulative"] == pytest.approx(1.0)

    by_count = engineer_client.get(f"/workbench/downtime/?{dates_query(measure='count')}").context["pareto_table"].rows
    assert [r["stops"] for r in by_count] == sorted((int(e["STOPS"]) for e in sums.values()), reverse=True)

    top = rows[0]
    drilled = engineer_client.get(f"/workbench/downtime/?{dates_query(reason=top['code'])}")
    stops = drilled.context["stops_table"].rows
    assert len(stops) == top["stops"]
    assert sum(stop["minutes"] for stop in stops) / 60 == pytest.approx(top["hours"])
    assert all(stop["url"].startswith("/admin/reliability/factdowntime/") for stop in stops)
