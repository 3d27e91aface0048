"""The gold questions resolve to their expected interpretation against the fixture plant."""

import pytest

from ontology.ask import gold

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant(settings):
    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    settings.PRODUCTION_DAY_START = "06:00"
    settings.FISCAL_YEAR_START_MONTH = 1
    gold.load_plant()


def test_gold_set_is_large_and_covers_every_outcome():
    entries = gold.questions()
    statuses = {gold.expected_of(entry)["status"] for entry in entries}
    assert len(entries) >= 120
    assert statuses == {"answered", "clarify", "declined"}


def test_gold_questions_resolve_exactly(plant):
    outcomes = gold.evaluate()
    wrong = [f"{o.question!r}: {gold.differences(o)}" for o in outcomes if not o.exact]
    confidently_wrong = [o.question for o in outcomes if o.confidently_wrong]
    assert confidently_wrong == [], "\n".join(wrong)
    assert len(wrong) <= len(outcomes) * 0.05, "\n".join(wrong)
