"""The characteristic page in a real browser (Playwright driving Debian's Chromium): the control chart
and the capability histogram are drawn, the indices and the signals are beside them, and the chart
options change the chart."""

import os
import shutil

import pytest

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
def sequences_after_restore(transactional_db):
    """The serialized rollback reloads rows with their ids but leaves the sequences where an earlier
    flush reset them: move every sequence past its table's rows before the test adds any."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(statement)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_quality_engineer_reads_the_chart_and_the_capability(sequences_after_restore, piston_rings, live_server,
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
