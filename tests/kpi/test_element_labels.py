"""One meaning per time element on every surface: the admin's reason categories, the compliance report,
the workbench's loss waterfall and Pareto, `manage.py kpi elements` and the documentation all take
their words from mfgplatform.time_elements, with the ISO 22400-2 meanings (ADET = delay, ADOT = idle)."""

import re
from pathlib import Path

import pytest

from mfgplatform.compliance.sections import TIME_LOSSES
from mfgplatform.time_elements import ELEMENTS, category_label, label
from reliability.choices import TimeCategory
from workbench.views.pareto import CATEGORY_NAMES
from workbench.views.unit import loss_steps

ROOT = Path(__file__).resolve().parents[2]
# ADET named as idle or down time, or ADOT named as delay: the swap some literature makes.
SWAPPED = re.compile(r"(?i)((?<!planned )\b(idle|down ?time)\b[^.;:|\n()<>]{0,30}\(ADET\))"
                     r"|(\bdelays?\b[^.;:|\n()<>]{0,30}\(ADOT\))")
SKIPPED_PARTS = {".venv", "node_modules", "vendor", "migrations", "__pycache__", ".git"}


def test_admin_reason_categories_are_the_element_labels():
    assert TimeCategory.DELAY.label == label("ADET") == "Delay incl. malfunctions and minor stops (ADET)"
    assert TimeCategory.IDLE.label == label("ADOT") == "Idle, available without an order (ADOT)"
    assert TimeCategory.SETUP.label == label("AUST")
    assert dict(TimeCategory.choices) == {
        value: category_label(value) for value in TimeCategory.values}


@pytest.mark.django_db
def test_the_admin_change_form_shows_the_iso_meanings(admin_client):
    html = admin_client.get("/admin/reliability/downtimereason/add/").content.decode()
    assert label("ADET") in html
    assert label("ADOT") in html


def test_report_and_workbench_use_the_element_labels():
    report_labels = [name for name, _ in TIME_LOSSES]
    assert label("ADET") in report_labels
    assert label("ADOT") in report_labels
    zero = dict.fromkeys(["POT", "PDT", "PBT", "ADOT", "AUBT", "ADET", "AUPT", "AUST", "APT", "PRI_PQ", "PRI_GQ"], 0)
    steps = {step["element"]: step["label"] for step in loss_steps(zero)}
    for symbol in ("POT", "PBT", "ADOT", "AUBT", "ADET", "AUPT", "AUST", "APT"):
        assert steps[symbol] == label(symbol)
    assert CATEGORY_NAMES[TimeCategory.DELAY] == label("ADET")
    assert CATEGORY_NAMES[TimeCategory.IDLE] == label("ADOT")


def test_no_surface_swaps_adet_and_adot():
    offenders = []
    for path in ROOT.rglob("*"):
        if path.suffix not in {".py", ".html", ".md", ".js", ".txt"} or SKIPPED_PARTS & set(path.parts):
            continue
        if path.name == Path(__file__).name:
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if SWAPPED.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_swap_check_would_catch_the_old_report_labels():
    assert SWAPPED.search('("Down time (ADET)", lambda e: e.get("ADET", 0)),')
    assert SWAPPED.search('("Delay (ADOT)", lambda e: e.get("ADOT", 0)),')
    assert not SWAPPED.search(label("ADET"))
    assert not SWAPPED.search(label("ADOT"))


def test_every_element_has_a_meaning_and_a_unit():
    for symbol, element in ELEMENTS.items():
        assert element.meaning, symbol
        assert element.unit in ("s", "units"), symbol
