"""The characteristic page, the characteristics list and the chart API over HTTP, with the piston-ring
example as data: the page shows what the SPC service computes, and the API returns it as JSON."""

import datetime as dt
import json

import pytest

from mfgplatform.aggregates.registry import refresh_views
from quality.spc import control_chart, select

PASSWORD = "Quality-test-pass-1"


@pytest.fixture
def engineer_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("qe", "qe@example.com", PASSWORD))
    return client


def _query(piston_rings, **extra):
    params = {"start": piston_rings["start"], "end": piston_rings["end"], "node": "RING-1",
              "baseline_start": piston_rings["baseline"][0], "baseline_end": piston_rings["baseline"][1], **extra}
    return "&".join(f"{key}={value}" for key, value in params.items())


def test_the_page_shows_the_chart_histogram_indices_and_signals(piston_rings, engineer_client):
    response = engineer_client.get(f"/workbench/quality/characteristic/ring_diameter/?{_query(piston_rings)}")
    assert response.status_code == 200
    page = response.content.decode()
    expected = control_chart(select("xbar_r", characteristic="ring_diameter", equipment=["RING-1"],
                                    start=piston_rings["start"], end=piston_rings["end"],
                                    baseline=piston_rings["baseline"]))
    assert 'data-wb-chart="spc-xbar"' in page
    assert 'data-wb-chart="spc-r"' in page
    assert 'data-wb-chart="spc-histogram"' in page
    histogram = response.context["histogram"]
    assert sum(point[1] for point in histogram["series"][0]["data"]) == 200  # every measurement, once
    assert [m["name"] for m in histogram["series"][0]["markLine"]["data"]] == ["LSL", "USL"]
    indices = {row["index"]: row["value"] for row in response.context["indices"].rows}
    assert indices["Cp"] == pytest.approx(expected.capability.cp, rel=1e-12)
    assert indices["Ppk"] == pytest.approx(expected.capability.ppk, rel=1e-12)
    signals = response.context["signals"].rows
    assert [row["point"] for row in signals if row["rule"] == "beyond_limits"] == [
        expected.chart.panels[0].samples.describe(i) for i in (36, 37, 38)]
    csv = engineer_client.get(f"/workbench/quality/characteristic/ring_diameter/?{_query(piston_rings)}"
                              "&export=signals").content.decode()
    assert csv.count("beyond_limits") == 3
    limits = {row["panel"]: row for row in response.context["limits"].rows}
    assert limits["Subgroup mean (X̄)"]["points"] == 40
    assert limits["Subgroup range (R)"]["ucl"] == f"{float(expected.chart.panels[1].ucls[0]):.6g}"
    points = engineer_client.get(f"/workbench/quality/characteristic/ring_diameter/?{_query(piston_rings)}"
                                 "&export=points").content.decode().splitlines()
    assert len(points) == 1 + 40 + 40
    assert points[37].split(",")[:2] == ["xbar", "36"]
    assert points[37].endswith("beyond_limits;two_of_three")


def test_bad_options_and_missing_data_say_why(piston_rings, engineer_client):
    page = engineer_client.get(f"/workbench/quality/characteristic/nothing/?{_query(piston_rings)}")
    assert page.status_code == 200
    assert "no subgroups in the selection" in page.content.decode()
    assert engineer_client.get(
        f"/workbench/quality/characteristic/ring_diameter/?{_query(piston_rings, baseline_start='x')}"
    ).status_code == 400


def test_the_list_links_every_measured_characteristic(piston_rings, engineer_client):
    response = engineer_client.get(f"/workbench/quality/characteristic/?start={piston_rings['start']}"
                                   f"&end={piston_rings['end']}")
    [row] = response.context["table"].rows
    assert (row["characteristic"], row["subgroups"], row["measurements"]) == ("ring_diameter", 40, 200)
    assert row["url"].startswith("/workbench/quality/characteristic/ring_diameter/?")


def test_the_api_returns_the_chart_as_json(piston_rings, engineer_client):
    response = engineer_client.get(
        f"/workbench/quality/api/spc?chart=xbar_s&characteristic=ring_diameter&node=RING-1"
        f"&from={piston_rings['start']}&to={piston_rings['end']}"
        f"&baseline={piston_rings['baseline'][0]}..{piston_rings['baseline'][1]}")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert (document["chart"], document["estimator"], document["baseline_points"]) == ("xbar_s", "sbar_c4", 25)
    assert round(document["panels"][1]["points"][0]["centre"], 4) == 0.0094
    assert [v["point"] for v in document["panels"][0]["violations"] if v["rule"] == "beyond_limits"] == [36, 37, 38]
    bad = engineer_client.get("/workbench/quality/api/spc?chart=pie")
    assert bad.status_code == 400
    assert "chart type must be one of" in json.loads(bad.content)["error"]


def test_the_pages_need_the_quality_permission(piston_rings, client, django_user_model):
    user = django_user_model.objects.create_user("operator", password=PASSWORD, is_staff=True)
    client.force_login(user)
    assert client.get("/workbench/quality/characteristic/").status_code == 403
    assert client.get("/workbench/quality/api/spc?chart=p").status_code == 403


def test_a_characteristic_of_several_products_charts_one_product_at_a_time(piston_rings, engineer_client):
    from equipment.models import Equipment
    from tests.kpi.factories import add_measurement, product

    other = product("RING-B")
    unit = Equipment.objects.get(code="RING-1")
    first = dt.datetime.combine(piston_rings["start"], dt.time(7, 30), tzinfo=dt.UTC)
    for part, value in enumerate((80.01, 79.99, 80.02)):
        add_measurement(unit, first + dt.timedelta(minutes=part), value, characteristic="ring_diameter", subgroup=9,
                        lsl=79.9, usl=80.1, prod=other)
    refresh_views(["mv_quality_measurement"], triggered_by="test")
    page = engineer_client.get(f"/workbench/quality/characteristic/ring_diameter/?{_query(piston_rings)}")
    assert [code for code, _ in page.context["products"]] == ["TP-1", "RING-B"]  # the most measured first
    assert page.context["options"]["product"] == "TP-1"
    assert "measured on 2 products" in page.content.decode()
    assert page.context["result"].chart.baseline_points == 25
    chosen = engineer_client.get(f"/workbench/quality/characteristic/ring_diameter/?{_query(piston_rings)}"
                                 "&product=RING-B")
    assert chosen.context["result"].capability.n == 3


def test_a_machine_client_reads_the_chart_with_a_read_scope_token(piston_rings, client):
    from mfgplatform.models import IngestToken

    _, reader = IngestToken.issue("spc-dashboard", scope=IngestToken.Scope.READ)
    _, pusher = IngestToken.issue("line-gateway")
    url = (f"/workbench/quality/api/spc?chart=xbar_r&characteristic=ring_diameter&node=RING-1"
           f"&from={piston_rings['start']}&to={piston_rings['end']}&points=0")
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {reader}")
    assert response.status_code == 200
    assert "points" not in json.loads(response.content)["panels"][0]
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {pusher}").status_code == 401
    assert client.get(url).status_code == 302  # no token, no session: the login page
