"""The performance home: its numbers are the KPI service's, its children worst first, its state in the URL."""

import csv
import io
import re

import django.apps
import pytest
from django.contrib.auth.models import Group

from equipment.models import Equipment
from mfgplatform.kpi import compute_elements, compute_kpis
from mfgplatform.roles import VIEWER, sync_roles

from .conftest import END, START, dates_query

FAMILY = ["oee", "availability", "effectiveness", "quality_ratio"]


def card_values(html: str) -> dict[str, float]:
    found = re.findall(r'id="kpi-(\w+)">.*?data-value="([^"]*)"', html, flags=re.S)
    return {code: float(value) for code, value in found if value}


@pytest.mark.django_db
def test_plant_cards_equal_the_kpi_service(seeded_plant, engineer_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        response = engineer_client.get(f"/workbench/?{dates_query()}")
    assert response.status_code == 200
    expected = {r.kpi: r.value for r in compute_kpis(FAMILY, start=START, end=END)}
    assert card_values(response.content.decode()) == pytest.approx(expected, rel=1e-12)


@pytest.mark.django_db
def test_children_are_listed_worst_first_with_the_services_values(seeded_plant, engineer_client):
    site = Equipment.objects.get(parent__isnull=True)
    area = Equipment.objects.filter(parent=site).first()
    line = Equipment.objects.filter(parent=area).first()
    response = engineer_client.get(f"/workbench/?{dates_query(node=line.code)}")
    table = response.context["children_table"]
    producing = [row for row in table.rows if row["produces"]]
    assert producing, "the tiny plant's line has producing units"
    for row in table.rows:
        assert row["oee"] == compute_kpis(["oee"], equipment=[row["code"]], start=START, end=END)[0].value
    oees = [row["oee"] for row in producing]
    assert oees == sorted(oees)


@pytest.mark.django_db
def test_each_table_exports_as_csv_with_the_same_values(seeded_plant, engineer_client):
    response = engineer_client.get(f"/workbench/?{dates_query()}&export=trend")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    daily = {r.period: r.value for r in compute_kpis(["oee"], start=START, end=END, granularity="day")}
    assert {row["period"]: float(row["oee"]) for row in rows} == pytest.approx(daily, rel=1e-12)
    assert engineer_client.get(f"/workbench/?{dates_query()}&export=nope").status_code == 404


@pytest.mark.django_db
def test_bad_dates_fall_back_with_a_message_and_unknown_equipment_is_404(engineer_client):
    response = engineer_client.get("/workbench/?start=2026-01-07&end=2026-01-01")
    assert "The end date is before the start date." in response.content.decode()
    assert engineer_client.get("/workbench/?node=NO-SUCH-UNIT").status_code == 404


@pytest.mark.django_db
def test_login_lands_on_the_home_and_roles_are_respected(client, django_user_model):
    sync_roles(django.apps.apps)  # idempotent; the migration already did it unless a test flushed the tables
    user = django_user_model.objects.create_user("viewer", password="Viewer-pass-123", is_staff=True)
    form = client.get("/admin/login/").content.decode()
    assert 'name="next" value="/workbench/"' in form
    next_page = re.search(r'name="next" value="([^"]+)"', form).group(1)
    response = client.post("/admin/login/", {"username": "viewer", "password": "Viewer-pass-123", "next": next_page})
    assert response.status_code == 302
    assert response["Location"] == "/workbench/"
    assert client.get("/workbench/").status_code == 403  # staff, but no view permission on the facts
    user.groups.add(Group.objects.get(name=VIEWER))
    assert client.get("/workbench/").status_code == 200
    client.logout()
    assert client.get("/workbench/")["Location"].startswith("/admin/login/?next=/workbench/")


@pytest.mark.django_db
def test_compare_two_ranges_like_for_like(seeded_plant, engineer_client):
    first_day = START.isoformat()
    query = dates_query(compare="custom", cstart=first_day, cend=first_day)
    response = engineer_client.get(f"/workbench/?{query}")
    rows = response.context["children_table"].rows
    assert rows
    for row in rows:
        then = compute_kpis(["oee"], equipment=[row["code"]], start=START, end=START)[0].value
        assert row["oee_compared"] == then
        if then is not None and row["oee"] is not None:
            assert row["oee_change"] == pytest.approx(row["oee"] - then)
    pareto = engineer_client.get(f"/workbench/downtime/?{query}").context["pareto_table"].rows

    then_total = sum(float(r.elements["STOP_S"]) for r in compute_elements(
        "downtime_by_reason", start=START, end=START, group_by="reason"))
    assert sum(r["hours_compared"] for r in pareto) * 3600 == pytest.approx(then_total)
    unit = engineer_client.get(f"/workbench/unit/?{query}&node={rows[0]['code']}")
    assert unit.status_code == 200
