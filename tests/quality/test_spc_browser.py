"""The characteristic page in a real browser (Playwright driving Debian's Chromium): the control chart
and the capability histogram are drawn, the indices and the signals are beside them, and the chart
options change the chart."""

import os
import shutil

import pytest

from tests.ops.conftest import keep_reference_data  # noqa: F401 (module fixture, used below)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "Spc-browser-pass-1"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is not installed"),
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django's async-safety check must not trip over it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(15_000)
        yield page
        page.goto("about:blank")
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def a_unit_of_measure(transactional_db):
    """A transactional test starts from whatever the previous one left: an earlier transactional test
    may have emptied the reference tables. The measurements need a unit of measure."""
    from mfgplatform.models import DimUnitOfMeasure

    if not DimUnitOfMeasure.objects.exists():
        DimUnitOfMeasure.objects.create(code="pc", name="piece", symbol="pc", quantity_kind="count")


# Transactional (the live server reads the data from another connection); the module's tables are put
# back afterwards (keep_reference_data), which costs far less than a serialized rollback.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_reference_data")
def test_a_quality_engineer_reads_the_chart_and_the_capability(a_unit_of_measure, piston_rings, live_server,
                                                               django_user_model, browser_page):
    django_user_model.objects.create_superuser("qe", "qe@example.com", PASSWORD)
    page, base = browser_page, live_server.url
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "qe")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/workbench/")

    page.click(".wb-nav >> text=Control charts")
    page.goto(f"{page.url.split('?')[0]}?start={piston_rings['start']}&end={piston_rings['end']}&node=RING-1")
    page.click("#table-characteristics a:text('ring_diameter')")
    page.wait_for_selector('[data-wb-chart="spc-xbar"] canvas')
    assert "(the whole range is the baseline)" in page.inner_text("#content-main")

    # Phase I: the first five days.
    page.fill("input[name=baseline_start]", str(piston_rings["baseline"][0]))
    page.fill("input[name=baseline_end]", str(piston_rings["baseline"][1]))
    page.click(".wb-spc-options button[type=submit]")
    page.wait_for_selector('[data-wb-chart="spc-xbar"] canvas')
    page.wait_for_selector('[data-wb-chart="spc-r"] canvas')
    page.wait_for_selector('[data-wb-chart="spc-histogram"] canvas')
    assert "X̄–R chart: 25 phase I points" in page.inner_text("#content-main")
    indices = page.inner_text("#table-indices")
    assert "Cp\t1.668" in indices
    signals = page.inner_text("#table-signals tbody")
    assert signals.count("beyond_limits") == 3

    page.select_option("select[name=chart]", "xbar_s")
    page.click(".wb-spc-options button[type=submit]")
    page.wait_for_selector('[data-wb-chart="spc-s"] canvas')
    assert "sbar_c4" in page.inner_text("#content-main")
