"""Default ontology terms loaded by ontology 0002."""

from collections import Counter

import pytest

from mfgplatform.models import DimDateRange, DimShift, DimUnitOfMeasure, KpiDefinition
from ontology.choices import ConceptType, Dimension
from ontology.models import OntologyTerm

pytestmark = pytest.mark.django_db

GRANULARITIES = {"shift", "day", "week", "month"}


def test_every_term_resolves_to_an_existing_concept():
    known = {
        ConceptType.METRIC: set(KpiDefinition.objects.values_list("code", flat=True)),
        ConceptType.DATE_RANGE: set(DimDateRange.objects.values_list("code", flat=True)),
        ConceptType.UNIT: set(DimUnitOfMeasure.objects.values_list("code", flat=True)),
        ConceptType.DIMENSION: set(Dimension.values),
        ConceptType.GRANULARITY: GRANULARITIES,
    }
    members = {Dimension.SHIFT: set(DimShift.objects.values_list("code", flat=True))}
    for term in OntologyTerm.objects.all():
        if term.concept_type == ConceptType.DIMENSION_MEMBER:
            assert term.concept_code in members[term.dimension], str(term)
        else:
            assert term.concept_code in known[term.concept_type], str(term)


def test_term_counts_by_type_and_language():
    counts = Counter(OntologyTerm.objects.values_list("concept_type", "language"))
    assert counts == {
        ("metric", "en"): 75, ("metric", "de"): 7 + 12,
        ("date_range", "en"): 50, ("date_range", "de"): 4,
        ("granularity", "en"): 12, ("granularity", "de"): 4 + 3,
        ("dimension", "en"): 15, ("dimension", "de"): 5,
        ("dimension_member", "en"): 5, ("dimension_member", "de"): 3,
        ("unit", "en"): 20, ("unit", "de"): 3,
    }


@pytest.mark.parametrize(
    ("term", "language", "concept_type", "concept_code"),
    [
        pytest.param("uptime", "en", "metric", "availability", id="uptime_case"),
        pytest.param("overall equipment effectiveness", "en", "metric", "oee", id="oee_case"),
        pytest.param("speed", "en", "metric", "effectiveness", id="speed_case"),
        pytest.param("yield", "en", "metric", "quality_ratio", id="yield_case"),
        pytest.param("first pass yield", "en", "metric", "fpy", id="fpy_case"),
        pytest.param("mean time between failures", "en", "metric", "mtbf", id="mtbf_case"),
        pytest.param("mttr", "en", "metric", "mttr", id="mttr_case"),
        pytest.param("scrap rate", "en", "metric", "scrap_ratio", id="scrap_rate_case"),
        pytest.param("changeover ratio", "en", "metric", "setup_rate", id="changeover_case"),
        pytest.param("past 7 days", "en", "date_range", "last_7_days", id="past_7_days_case"),
        pytest.param("previous week", "en", "date_range", "last_week", id="previous_week_case"),
        pytest.param("mtd", "en", "date_range", "this_month", id="mtd_case"),
        pytest.param("ytd", "en", "date_range", "this_year", id="ytd_case"),
        pytest.param("fiscal year to date", "en", "date_range", "this_fiscal_year", id="fytd_case"),
        pytest.param("by shift", "en", "granularity", "shift", id="by_shift_case"),
        pytest.param("monthly", "en", "granularity", "month", id="monthly_case"),
        pytest.param("pcs", "en", "unit", "pcs", id="pcs_case"),
        pytest.param("hours", "en", "unit", "h", id="hours_case"),
        pytest.param("machine", "en", "dimension", "equipment", id="machine_case"),
        pytest.param("Verfügbarkeit", "de", "metric", "availability", id="german_metric_case"),
        pytest.param("letzte Woche", "de", "date_range", "last_week", id="german_range_case"),
    ],
)
def test_term_meanings(term, language, concept_type, concept_code):
    matches = OntologyTerm.objects.filter(term__iexact=term, language=language)
    assert list(matches.values_list("concept_type", "concept_code")) == [(concept_type, concept_code)]


def test_abbreviations_outrank_loose_words():
    priority = dict(OntologyTerm.objects.filter(language="en").values_list("term", "priority"))
    assert priority["oee"] > priority["overall equipment effectiveness"] > priority["uptime"] > priority["yield"]
    assert priority["performance"] > priority["speed"]


def test_terms_pass_model_validation():
    for term in OntologyTerm.objects.all():
        term.full_clean()
