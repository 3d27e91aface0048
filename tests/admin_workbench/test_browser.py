"""In a real browser (Playwright driving Debian's Chromium): log in, create equipment, import a CSV
with a bad row, see the error, import the corrected file and see the history entry."""

import os
import shutil

import pytest

from equipment.models import Equipment
from tests.ops.conftest import keep_reference_data  # noqa: F401 (module fixture: the tables are put back after the module)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
HEADER = ("code,name,description,taxonomy_level,equipment_class,parent,tag_number,serial_number,manufacturer,"
          "model_number,criticality,commissioned_on,decommissioned_on,attributes,is_active\n")

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
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        # Leave the import status page first: its polling must not leave a request (and its database
        # connection) running in the live server while the test database is dropped.
        page.goto("about:blank")
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _upload(page, base: str, name: str, text: str) -> None:
    page.goto(f"{base}/admin/equipment/equipment/import/")
    page.set_input_files("input[name=file]", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}])
    page.fill("input[name=reason]", "browser test")
    page.click("#import-form input[type=submit]")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_reference_data")
def test_engineer_workflow_in_a_browser(live_server, django_user_model, browser_page):
    django_user_model.objects.create_superuser("engineer", "e@example.com", "Br0wser-test-pass")
    page, base = browser_page, live_server.url

    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "engineer")
    page.fill("#id_password", "Br0wser-test-pass")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/workbench/")

    page.goto(f"{base}/admin/equipment/equipment/add/")
    page.fill("#id_code", "PW-SITE")
    page.fill("#id_name", "Browser plant")
    page.select_option("#id_taxonomy_level", "3")
    page.fill("#id_change_reason", "new plant")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert Equipment.objects.get(code="PW-SITE").path == "PW-SITE"

    bad = HEADER + "PW-AREA,Area,,4,,PW-SITE,,,,,medium,,,{},1\nPW-LINE,Line,,5,,PW-NOPE,,,,,medium,,,{},1\n"
    _upload(page, base, "plant.csv", bad)
    page.wait_for_selector("#import-errors")
    assert page.inner_text("#import-errors tbody") == "3\tparent\tNo equipment with code 'PW-NOPE'."
    assert not Equipment.objects.filter(code="PW-AREA").exists()

    _upload(page, base, "plant-fixed.csv", bad.replace("PW-NOPE", "PW-AREA"))
    page.wait_for_selector("#import-preview")
    page.click("input[name=confirm]")
    page.wait_for_selector("#import-status[data-status=completed]")
    assert Equipment.objects.get(code="PW-LINE").path == "PW-SITE/PW-AREA/PW-LINE"

    line = Equipment.objects.get(code="PW-LINE")
    page.goto(f"{base}/admin/equipment/equipment/{line.pk}/history/")
    history = page.inner_text("#change-history")
    assert "import plant-fixed.csv: browser test" in history
    assert "engineer" in history
