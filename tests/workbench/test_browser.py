"""In a real browser (Playwright driving Debian's Chromium): log in, land on the performance home,
drill plant → area → line → unit → by shift, open the downtime Pareto, drill into a reason and open one
stop's record, preview a compliance report; the numbers on each page equal the KPI service's for the
same selection; on a 390 px phone the home and a fact changelist do not scroll sideways."""

import shutil

import pytest

from equipment.models import Equipment
from mfgplatform.kpi import compute_elements, compute_kpis
from reliability.models import DowntimeReason
from tests.admin_workbench.test_browser import CHROMIUM, browser_page  # noqa: F401 (the fixture)
from tests.ops.conftest import keep_reference_data  # noqa: F401 (module fixture: the tables are put back after the module)

from .conftest import END, PASSWORD, START, dates_query

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is not installed"),
]
FAMILY = ["oee", "availability", "effectiveness", "quality_ratio"]


def shown_cards(page) -> dict[str, float]:
    values = {}
    for code in FAMILY:
        text = page.get_attribute(f"#kpi-{code} .wb-value", "data-value")
        values[code] = float(text) if text else None
    return values


def service_cards(equipment: list[str]) -> dict[str, float]:
    return {r.kpi: r.value for r in compute_kpis(FAMILY, equipment=equipment, start=START, end=END)}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_reference_data")
def test_drill_down_pareto_and_an_event_in_a_browser(seeded_plant, live_server, engineer, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", engineer.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/workbench/")
    assert page.is_visible("text=Start here.")

    page.goto(f"{base}/workbench/?{dates_query()}")
    assert shown_cards(page) == pytest.approx(service_cards([]), rel=1e-12)

    site = Equipment.objects.get(parent__isnull=True)
    node = site
    for _level in ("area", "line", "unit"):
        child = Equipment.objects.filter(parent=node, taxonomy_level__lte=6).order_by("code")
        child = next(c for c in child if c.taxonomy_level < 6 or
                     compute_kpis(["oee"], equipment=[c.code], start=START, end=END)[0].value is not None)
        page.click(f"#table-children a:text-is('{child.code}')")
        page.wait_for_url(f"**node={child.code}**")
        assert shown_cards(page) == pytest.approx(service_cards([child.code]), rel=1e-12)
        node = child

    page.click("a:has-text('Unit page')")
    page.wait_for_selector("#table-losses")
    value_adding = float(page.get_attribute("#table-losses tr:last-child td.wb-hours", "data-value"))
    elements = compute_elements("time_model", equipment=[node.code], start=START, end=END)[0].elements
    assert value_adding == pytest.approx(float(elements["PRI_GQ"]) / 3600, rel=1e-12)
    assert page.is_visible("[data-wb-chart=loss-waterfall] canvas")

    # By shift: the trend table's rows are the service's shift periods.
    page.select_option("select[name=granularity]", "shift")
    page.click(".wb-selection input[type=submit]")
    page.wait_for_url("**granularity=shift**")
    first_shift = page.inner_text("#table-trend tbody tr:first-child td:first-child")
    shown_oee = page.get_attribute("#table-trend tbody tr:first-child td.wb-percent", "data-value")
    by_shift = {r.period: r.value for r in compute_kpis(["oee"], equipment=[node.code], start=START, end=END,
                                                         granularity="shift")}
    assert float(shown_oee) == pytest.approx(by_shift[first_shift], rel=1e-12)

    page.click("nav.wb-nav a:text-is('Downtime Pareto')")
    page.wait_for_selector("#table-pareto")
    first = page.inner_text("#table-pareto tbody tr:first-child td:first-child")
    reason = DowntimeReason.objects.get(code=first)
    sums = compute_elements("downtime_by_reason", equipment=[node.code], start=START, end=END, group_by="reason")
    stop_s = next(row.elements["STOP_S"] for row in sums if row.group == reason.pk)
    shown = float(page.get_attribute("#table-pareto tbody tr:first-child td.wb-hours", "data-value"))
    assert shown == pytest.approx(float(stop_s) / 3600, rel=1e-12)

    page.click(f"#table-pareto a:text-is('{first}')")
    page.wait_for_selector("#table-stops")
    page.click("#table-stops tbody tr:first-child a")
    page.wait_for_url("**/admin/reliability/factdowntime/*/change/")
    assert reason.name in page.inner_text("#content")

    # A report preview of the same days, built on demand.
    page.goto(f"{base}/workbench/reports/preview/?period={START}..{END}")
    assert "OEE" in page.inner_text("body")

    # On a 390 px phone the home and a fact changelist do not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 800})
    for url in (f"/workbench/?{dates_query()}", "/admin/reliability/factdowntime/"):
        page.goto(f"{base}{url}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    page.goto("about:blank")
