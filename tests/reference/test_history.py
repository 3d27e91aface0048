"""Every reference row carries exactly one creation history record, written by its loader."""

import pytest
from django.db.models import Count

from equipment.models import EquipmentClass
from mfgplatform.models import DimDate, DimDateRange, DimShift, DimTime, DimUnitOfMeasure, KpiDefinition
from ontology.models import OntologyTerm
from quality.models import DefectType
from reliability.models import (
    DetectionMethod,
    DowntimeReason,
    FailureCause,
    FailureMechanism,
    FailureMode,
    MaintenanceActivity,
)

pytestmark = pytest.mark.django_db

REASONS = {
    DimDate: "reference data: 0002_calendar_reference",
    DimTime: "reference data: 0002_calendar_reference",
    DimUnitOfMeasure: "reference data: 0003_units_reference",
    KpiDefinition: "reference data: 0004_kpi_catalog",
    DimShift: "reference data: 0006_shifts_and_date_ranges",
    DimDateRange: "reference data: 0006_shifts_and_date_ranges",
    EquipmentClass: "reference data: 0002_equipment_classes",
    FailureMode: "reference data: 0002_iso14224_code_lists",
    FailureMechanism: "reference data: 0002_iso14224_code_lists",
    FailureCause: "reference data: 0002_iso14224_code_lists",
    DetectionMethod: "reference data: 0002_iso14224_code_lists",
    MaintenanceActivity: "reference data: 0002_iso14224_code_lists",
    DowntimeReason: "reference data: 0003_downtime_reason_tree",
    DefectType: "reference data: 0002_defect_types",
    OntologyTerm: ("reference data: 0002_default_terms", "reference data: 0140_question_terms"),
}


@pytest.mark.parametrize("model", list(REASONS), ids=lambda model: model.__name__)
def test_each_row_has_exactly_one_creation_record(model):
    pk_name = model._meta.pk.name
    history = model.history.all()
    per_row = dict(history.values_list(pk_name).annotate(records=Count("history_id")))

    assert model.objects.exists()
    assert set(per_row) == set(model.objects.values_list("pk", flat=True))
    assert set(per_row.values()) == {1}
    reasons = REASONS[model] if isinstance(REASONS[model], tuple) else (REASONS[model],)
    assert set(history.values_list("history_type", "history_change_reason", "history_user")) == {
        ("+", reason, None) for reason in reasons
    }


@pytest.mark.parametrize(
    ("model", "field"),
    [
        pytest.param(DimDate, "date", id="dim_date_case"),
        pytest.param(DimUnitOfMeasure, "factor_to_base", id="unit_case"),
        pytest.param(DowntimeReason, "path", id="reason_case"),
        pytest.param(FailureMechanism, "group_id", id="mechanism_case"),
        pytest.param(OntologyTerm, "term", id="term_case"),
    ],
)
def test_creation_records_snapshot_the_row(model, field):
    pk_name = model._meta.pk.name
    rows = dict(model.objects.values_list(pk_name, field))
    snapshots = dict(model.history.values_list(pk_name, field))
    assert snapshots == rows


def test_creation_records_keep_the_row_timestamps():
    row = DefectType.objects.get(code="PRC-STARTUP")
    record = row.history.get()
    assert (record.created_at, record.updated_at) == (row.created_at, row.updated_at)
    assert record.history_date >= row.created_at
