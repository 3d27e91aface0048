"""In a real browser (Playwright driving Debian's Chromium): compliance reports for a line with a test
sent to oneself over real SMTP on loopback, subscriptions and deliveries listed; the equipment form's
typed attribute fields with an error on the offending attribute, and the history listing changed keys
and choice labels; a stop's failure record offering its class's failure modes only; the home page and
a changelist on a 390 px phone with the headline numbers inside the screen."""

import datetime as dt
import shutil

import pytest

from equipment.models import Equipment
from equipment.services import equipment_save
from mfgplatform.compliance.delivery import send_due_reports
from mfgplatform.models import ReportSubscription
from reliability.models import DowntimeReason, FailureMode
from tests.admin_workbench import factories
from tests.admin_workbench.test_browser import CHROMIUM, browser_page  # noqa: F401 (the fixture)
from tests.ops.conftest import keep_reference_data, smtp_server  # noqa: F401 (fixtures)

from .conftest import END, PASSWORD, START, dates_query

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is not installed"),
]
PHONE = {"width": 390, "height": 844}


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/workbench/")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_reference_data")
def test_reports_for_a_line_subscriptions_deliveries_and_the_phone(
        seeded_plant, live_server, engineer, browser_page, smtp_server):  # noqa: F811
    page, base = browser_page, live_server.url
    line = Equipment.objects.filter(taxonomy_level=5).order_by("code").first()
    ReportSubscription.objects.create(name="Line board", scope=line.code, period_kind="daily",
                                      send_time=dt.time(7, 30), recipients=["line.lead@example.com"])
    send_due_reports(today=END + dt.timedelta(days=1))
    _log_in(page, base, engineer.username)

    page.click("nav.wb-nav a:text-is('Reports')")
    page.fill("input[name=period]", f"{START}..{END}")
    page.select_option("#report-scope", line.code)
    page.click(".wb-selection input[type=submit]")
    page.wait_for_url(f"**scope={line.code}**")
    assert f"scope={line.code}" in page.get_attribute("#preview-link", "href")

    subscription = page.inner_text("#table-subscriptions tbody tr:first-child")
    assert "Line board" in subscription
    assert line.code in subscription
    assert "Previous production day" in subscription
    assert "07:30" in subscription
    delivery = page.inner_text("#table-deliveries tbody tr:first-child")
    assert "line.lead@example.com" in delivery
    assert "Sent" in delivery
    assert line.code in delivery

    page.click("button[value=send-test]")
    page.wait_for_selector("ul.messagelist li")
    assert "engineer@example.com" in page.inner_text("ul.messagelist")
    test_copy = smtp_server.handler.messages[-1]
    assert test_copy["To"] == "engineer@example.com"
    assert test_copy["Subject"].strip().startswith(f"[test] ISO compliance report {line.code} {START}")

    with page.expect_popup() as popup:
        page.click("#preview-link")
    preview = popup.value
    preview.wait_for_load_state()
    assert f"{line.code} {line.name}" in preview.inner_text("body")
    preview.close()

    # On a phone: no sideways scrolling, and the four headline numbers inside the screen.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/workbench/?{dates_query()}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for code in ("oee", "availability", "effectiveness", "quality_ratio"):
        box = page.locator(f"#kpi-{code} .wb-value").bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"], code
    page.goto(f"{base}/admin/production/factproduction/?subtree={line.code}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Each row is a card: its quantities are on the screen, with their column's name.
    good = page.locator("#result_list tbody tr:first-child td.field-good_qty")
    box = good.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("e => getComputedStyle(e, '::before').content", good.element_handle()) == '"good qty: "'
    page.goto("about:blank")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_reference_data")
def test_typed_attributes_history_and_failure_codes_in_a_browser(live_server, engineer, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    schema = {"type": "object", "properties": {
        "rated_power_kw": {"type": "number", "title": "Rated power", "unit": "kW", "minimum": 0},
        "seal": {"type": "string", "title": "Seal type", "enum": ["mechanical", "packing"]}}}
    factories.equipment_class("T-PU", schema)
    stop = factories.fact_downtime()
    unit = stop.equipment
    unit.attributes = {"rated_power_kw": 5.5, "seal": "packing"}
    equipment_save(equipment=unit, reason="nameplate")
    own = FailureMode.objects.create(code="P-LEAK", name="Seal leak")
    own.equipment_classes.add(unit.equipment_class)
    other = FailureMode.objects.create(code="R-AXIS", name="Axis fault")
    other.equipment_classes.add(factories.equipment_class("T-XR"))
    _log_in(page, base, engineer.username)

    change = f"{base}/admin/equipment/equipment/{unit.pk}/change/"
    page.goto(change)
    assert page.input_value("#id_attr__rated_power_kw") == "5.5"
    assert page.is_visible("label[for=id_attr__rated_power_kw]:has-text('Rated power (kW)')")
    page.fill("#id_attr__rated_power_kw", "-2")
    page.click("input[name=_continue]")
    error = page.inner_text(".field-attr__rated_power_kw .errorlist")
    assert "0" in error
    page.fill("#id_attr__rated_power_kw", "7.5")
    page.select_option("#id_criticality", "high")
    page.fill("#id_change_reason", "motor upgraded")
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist li.success")
    unit.refresh_from_db()
    assert unit.attributes == {"rated_power_kw": 7.5, "seal": "packing"}

    page.goto(f"{change.removesuffix('change/')}history/")
    latest = page.inner_text("#change-history tbody tr:first-child")
    assert "Attributes · rated_power_kw: 5.5" in latest
    assert "7.5" in latest
    assert "Criticality: Medium" in latest
    assert "High" in latest
    assert "motor upgraded" in latest

    page.goto(f"{base}/admin/reliability/factdowntime/{stop.pk}/change/")
    offered = page.eval_on_selector_all("#id_failure_mode option", "options => options.map(o => o.textContent)")
    assert "P-LEAK Seal leak" in offered
    assert "R-AXIS Axis fault" not in offered
    page.select_option("#id_failure_mode", label="P-LEAK Seal leak")
    page.click("input[name=_save]")
    page.wait_for_url(f"{base}/admin/reliability/factdowntime/")
    stop.refresh_from_db()
    assert stop.failure_mode == own
    page.goto("about:blank")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_reference_data")
def test_worst_line_its_top_reasons_and_its_pumps_by_clicks_from_the_landing_page(
        seeded_plant, live_server, engineer, browser_page):  # noqa: F811
    """The question the workbench exists for, answered by clicks only (no typed URL): which line was
    worst in the week, why, and how reliable are its pumps — each answer equal to the KPI service's."""
    from mfgplatform.kpi import compute_elements, compute_kpis

    page, base = browser_page, live_server.url
    clicks = 0

    def click(selector: str) -> None:
        nonlocal clicks
        clicks += 1
        page.click(selector)
        page.wait_for_load_state()

    _log_in(page, base, engineer.username)
    page.select_option("#wb-range", "")
    page.fill("input[name=start]", str(START))
    page.fill("input[name=end]", str(END))
    click(".wb-selection input[type=submit]")
    node = None
    while node is None or node.taxonomy_level < 5:
        shown = page.eval_on_selector_all(
            "#table-children tbody tr", "rows => rows.map(r => [r.cells[0].innerText, "
            "r.querySelector('td.wb-percent') && r.querySelector('td.wb-percent').dataset.value])")
        oee = {code: float(value) for code, value in shown if value}
        worst = min(oee, key=oee.get)
        assert shown[0][0] == worst  # worst first
        assert oee[worst] == pytest.approx(
            compute_kpis(["oee"], equipment=[worst], start=START, end=END)[0].value, rel=1e-12)
        click("#table-children tbody tr:first-child a")
        node = Equipment.objects.get(code=worst)

    click("nav.wb-nav a:text-is('Downtime Pareto')")
    top = page.inner_text("#table-pareto tbody tr:first-child td:first-child")
    sums = compute_elements("downtime_by_reason", equipment=[node.code], start=START, end=END, group_by="reason")
    longest = max(sums, key=lambda row: row.elements["STOP_S"])
    assert top == DowntimeReason.objects.get(pk=longest.group).code  # the top reason by stop time

    click("nav.wb-nav a:text-is('Reliability')")
    support = page.eval_on_selector_all(
        "#table-support tbody tr", "rows => rows.filter(r => r.cells.length > 1)"
                                   ".map(r => [r.cells[0].innerText, r.cells[1].innerText])")
    from equipment.work_units import is_work_unit

    reported = {r.group for r in compute_kpis(["failure_rate"], equipment=[node.code], start=START, end=END,
                                              group_by="equipment")}
    units = Equipment.objects.filter(code__in=reported).select_related("equipment_class")
    assert {code for code, _ in support} == {unit.code for unit in units if not is_work_unit(unit)}
    for code, class_name in support:
        unit = Equipment.objects.select_related("equipment_class").get(code=code)
        assert class_name == unit.equipment_class.name
    assert clicks <= 6
    page.goto("about:blank")
