"""The KPI catalog loaded by mfgplatform 0004."""

from collections import Counter

import pytest

from mfgplatform.models import KpiDefinition

pytestmark = pytest.mark.django_db


def test_every_iso_22400_kpi_number_is_present_exactly_once():
    numbers = Counter(KpiDefinition.objects.filter(standard="iso22400").values_list("iso_number", flat=True))
    assert numbers == dict.fromkeys(range(1, 35), 1)


def test_iso_22400_categories_follow_the_reference():
    categories = dict(KpiDefinition.objects.filter(standard="iso22400").values_list("iso_number", "category"))
    expected = dict.fromkeys(range(1, 22), "production")
    expected |= dict.fromkeys(range(22, 28), "quality")
    expected |= dict.fromkeys(range(28, 32), "maintenance")
    expected |= dict.fromkeys(range(32, 35), "inventory")
    assert categories == expected


def test_catalog_size_by_standard_and_edition():
    counts = Counter(KpiDefinition.objects.values_list("standard", "edition"))
    assert counts == {
        ("iso22400", "ISO 22400-2:2014"): 34,
        ("iso9001", "ISO 9001:2015"): 11,
        ("iso14224", "ISO 14224:2016"): 4,
        ("tpm", "Nakajima 1988"): 4,
    }
    assert not KpiDefinition.objects.exclude(standard="iso22400").filter(iso_number__isnull=False).exists()


@pytest.mark.parametrize(
    ("code", "iso_number", "formula", "elements", "unit", "range_min", "range_max", "trend"),
    [
        pytest.param("availability", 8, "APT / PBT", ["APT", "PBT"], "%", 0, 1, "higher", id="availability_case"),
        pytest.param("oee", 6, "Availability × Effectiveness × Quality ratio", ["APT", "PBT", "PRI", "PQ", "GQ"],
                     "%", 0, 1, "higher", id="oee_case"),
        pytest.param("nee", 7, "(AUPT / PBT) × Effectiveness × Quality ratio",
                     ["AUPT", "PBT", "PRI", "PQ", "APT", "GQ"], "%", 0, 1, "higher", id="nee_case"),
        pytest.param("effectiveness", 9, "PRI × PQ / APT", ["PRI", "PQ", "APT"], "%", 0, None, "higher",
                     id="effectiveness_may_exceed_one_case"),
        pytest.param("setup_rate", 10, "AUST / AUPT", ["AUST", "AUPT"], "%", 0, 1, "lower", id="setup_rate_case"),
        pytest.param("technical_efficiency", 11, "APT / (APT + ADET)", ["APT", "ADET"], "%", 0, 1, "higher",
                     id="technical_efficiency_case"),
        pytest.param("critical_machine_capability_index", 19, "min[(USL − x̄)/(3·s), (x̄ − LSL)/(3·s)]",
                     ["USL", "LSL", "x̄", "s"], "dimensionless", None, None, "higher", id="cmk_case"),
        pytest.param("quality_ratio", 22, "GQ / PQ", ["GQ", "PQ"], "%", 0, 1, "higher", id="quality_ratio_case"),
        pytest.param("actual_to_planned_scrap_ratio", 23, "SQ / PSQ", ["SQ", "PSQ"], "%", 0, None, "lower",
                     id="scrap_over_plan_case"),
        pytest.param("first_pass_yield", 27, "GP / IP", ["GP", "IP"], "%", 0, 1, "higher", id="iso_fpy_case"),
        pytest.param("mtbf", 28, "ΣTBFᵢ / FE", ["TBF", "FE"], "h", 0, None, "higher", id="mtbf_case"),
        pytest.param("mttr", 30, "ΣTTRᵢ / FE (restored failures)", ["TTR", "FE"], "h", 0, None, "lower",
                     id="mttr_case"),
        pytest.param("other_loss_ratio", 34, "OL / CM", ["OL", "CM"], "%", 0, 1, "lower", id="last_kpi_case"),
    ],
)
def test_iso_22400_rows(code, iso_number, formula, elements, unit, range_min, range_max, trend):
    kpi = KpiDefinition.objects.get(code=code)
    assert (kpi.iso_number, kpi.formula, kpi.elements, kpi.unit, kpi.range_min, kpi.range_max, kpi.trend) == (
        iso_number, formula, elements, unit, range_min, range_max, trend,
    )


def test_practice_metrics_and_indicators_by_standard():
    codes = {
        standard: set(KpiDefinition.objects.filter(standard=standard).values_list("code", flat=True))
        for standard in ("iso9001", "iso14224", "tpm")
    }
    assert codes == {
        "iso9001": {"fpy", "rty", "dpu", "dpo", "dpmo", "ppm_defective", "cp", "cpk", "pp", "ppk", "cpm"},
        "iso14224": {"failure_rate", "mttf_iso14224", "mttres_iso14224", "availability_iso14224"},
        "tpm": {"tpm_availability", "tpm_performance", "tpm_quality", "tpm_oee"},
    }


@pytest.mark.parametrize(
    ("code", "formula", "category", "trend"),
    [
        pytest.param("failure_rate", "λ̂ = n / τ", "reliability", "lower", id="failure_rate_case"),
        pytest.param("availability_iso14224", "MUT / (MUT + MDT)", "reliability", "higher", id="mut_mdt_case"),
        pytest.param("dpmo", "DPO × 10⁶", "quality", "lower", id="dpmo_case"),
        pytest.param("cpm", "(USL − LSL) / (6 √(σ² + (μ − T)²))", "quality", "higher", id="cpm_case"),
        pytest.param("tpm_oee", "availability × performance × quality", "production", "higher", id="tpm_oee_case"),
    ],
)
def test_other_standards_rows(code, formula, category, trend):
    kpi = KpiDefinition.objects.get(code=code)
    assert (kpi.formula, kpi.category, kpi.trend) == (formula, category, trend)


def test_every_definition_passes_model_validation():
    for kpi in KpiDefinition.objects.all():
        kpi.full_clean()
        assert kpi.elements, kpi.code
