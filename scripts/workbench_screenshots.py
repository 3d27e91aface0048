"""Screenshots of the KPI workbench pages for docs/images/, taken in Debian's Chromium from a running
server with demo data (seed_iso_compliant --size demo, views refreshed).

    python scripts/workbench_screenshots.py --base http://127.0.0.1:8000 --user demo --password …
    python scripts/workbench_screenshots.py … --only pareto --out /tmp/shots     # one page, elsewhere

Each page is shot at 1280 px wide (the top of the page, where its charts are) and the home also at
390 px, as on a phone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
# name → (path and query, viewport width, page height to keep or None for the whole page[, a link to
# follow first: pages of one record are reached from a list, as their ids differ between databases])
PAGES = {
    "home": ("/workbench/?range=last_7_days", 1280, None),
    "home-drill": ("/workbench/?node=PLANT1-MCH&range=last_30_days", 1280, None),
    "unit": ("/workbench/unit/?node=PLANT1-MCH-L1-XC01&range=last_14_days&granularity=day", 1280, 1500),
    "line": ("/workbench/unit/?node=PLANT1-MCH-L1&range=last_week&granularity=shift", 1280, 1500),
    "pareto": ("/workbench/downtime/?node=PLANT1-MCH-L1&range=last_30_days", 1280, 1400),
    "quality": ("/workbench/quality/?range=last_30_days&granularity=week", 1280, 1500),
    "reliability": ("/workbench/reliability/?range=last_90_days", 1280, 1500),
    "sensor": ("/workbench/sensors/?node=PLANT1-MCH-L1-PU02&range=last_7_days", 1280, 1200),
    "compare": ("/workbench/?range=last_week&compare=previous", 1280, None),
    "tree": ("/workbench/equipment/", 1280, 1200),
    "reports": ("/workbench/reports/?period=weekly&scope=PLANT1-PKG-L2", 1280, 1100),
    "home-phone": ("/workbench/?range=last_7_days", 390, 1600),
    "changelist-phone": ("/admin/production/factproduction/?subtree=PLANT1-PKG-L2", 390, 1400),
    "equipment-attributes": ("/admin/equipment/equipment/?q=PLANT1-MLD-L1-PU01", 1280, None,
                             "#result_list tbody tr:first-child th a"),
    "equipment-history": ("/admin/equipment/equipment/?q=PLANT1-MLD-L1-PU01", 1280, 900,
                          "#result_list tbody tr:first-child th a", "a.historylink"),
    "failure-record": ("/admin/reliability/factdowntime/?subtree=PLANT1-MLD-L1", 1280, 1500,
                       "#result_list tbody tr:first-child th a"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "docs" / "images"))
    parser.add_argument("--only", nargs="*", choices=sorted(PAGES))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{args.base}/admin/login/")
        page.fill("#id_username", args.user)
        page.fill("#id_password", args.password)
        page.click("input[type=submit]")
        page.wait_for_load_state()
        for name in args.only or PAGES:
            path, width, height, *follow = PAGES[name]
            page.set_viewport_size({"width": width, "height": height or 900})
            response = page.goto(f"{args.base}{path}")
            if response is None or response.status != 200:
                sys.stderr.write(f"{name}: HTTP {response.status if response else '?'}, skipped\n")
                continue
            for selector in follow:
                page.click(selector)
                page.wait_for_load_state()
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(300)  # the charts draw after DOMContentLoaded
            page.screenshot(path=str(out / f"workbench-{name}.png"), full_page=height is None)
            sys.stdout.write(f"{name}: {out / f'workbench-{name}.png'}\n")
        browser.close()


if __name__ == "__main__":
    main()
