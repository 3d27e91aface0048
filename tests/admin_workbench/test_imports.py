"""Catalog import and export: round trips, updates by code, all-or-nothing with every bad row listed,
bad files with clear messages, formula escaping, and history with user and reason."""

import io

import openpyxl
import pytest

from equipment.models import Equipment
from equipment.resources import EquipmentClassResource, EquipmentResource
from mfgplatform.imports.engine import CatalogImporter
from mfgplatform.imports.files import FileRejected, read_table
from mfgplatform.resources import (
    DimDateRangeResource,
    DimShiftResource,
    DimUnitOfMeasureResource,
    KpiDefinitionResource,
)
from ontology.resources import OntologyTermResource
from production.models import Product
from production.resources import PlannedRunTimeResource, ProductResource
from quality.resources import DefectTypeResource
from reliability.resources import (
    DetectionMethodResource,
    DowntimeReasonResource,
    FailureCauseResource,
    FailureMechanismResource,
    FailureModeResource,
    MaintenanceActivityResource,
)

from . import factories

PRODUCT_HEADER = "code,name,description,product_family,unit,default_pri_seconds,defect_opportunities_per_unit,is_active"
EQUIPMENT_HEADER = (
    "code,name,description,taxonomy_level,equipment_class,parent,tag_number,serial_number,manufacturer,"
    "model_number,criticality,commissioned_on,decommissioned_on,attributes,is_active"
)

RESOURCES = [
    (DimShiftResource, factories.shift),
    (DimDateRangeResource, factories.date_range),
    (DimUnitOfMeasureResource, factories.unit),
    (KpiDefinitionResource, factories.kpi),
    (EquipmentClassResource, factories.equipment_class),
    (EquipmentResource, factories.equipment_unit),
    (ProductResource, factories.product),
    (PlannedRunTimeResource, factories.planned_run_time),
    (DefectTypeResource, factories.defect_type),
    (FailureModeResource, factories.failure_mode),
    (FailureMechanismResource, factories.failure_mechanism),
    (FailureCauseResource, factories.failure_cause),
    (DetectionMethodResource, factories.detection_method),
    (MaintenanceActivityResource, factories.maintenance_activity),
    (DowntimeReasonResource, factories.downtime_reason),
    (OntologyTermResource, factories.ontology_term),
]


def run(resource_class, text: str | bytes, *, name: str = "file.csv", dry_run: bool = False, user=None):
    content = text.encode() if isinstance(text, str) else text
    table = read_table(content, name, max_bytes=10_000_000)
    return CatalogImporter(resource_class(), user=user, reason=f"import {name}").run(table, dry_run=dry_run)


def history_count(model) -> int:
    return model.history.model.objects.count()


def export_csv(resource_class, queryset) -> str:
    return resource_class().export(queryset).csv


@pytest.mark.django_db
@pytest.mark.parametrize(("resource_class", "factory"), RESOURCES, ids=[r.__name__ for r, _ in RESOURCES])
def test_export_then_reimport_changes_nothing(resource_class, factory):
    row = factory()
    model = resource_class._meta.model
    exported = export_csv(resource_class, model.objects.filter(pk=row.pk))
    histories = history_count(model)

    result = run(resource_class, exported)

    assert (result.is_valid, result.counts()) == (
        True, {"total": 1, "new": 0, "updated": 0, "unchanged": 1, "repathed": 0, "errors": 0}
    )
    assert history_count(model) == histories


@pytest.mark.django_db
@pytest.mark.parametrize(("resource_class", "factory"), RESOURCES, ids=[r.__name__ for r, _ in RESOURCES])
def test_export_imports_into_an_empty_table_as_new_rows(resource_class, factory):
    row = factory()
    model = resource_class._meta.model
    exported = export_csv(resource_class, model.objects.filter(pk=row.pk))
    before = {field.attname: getattr(row, field.attname) for field in model._meta.concrete_fields
              if field.attname not in {"id", "created_at", "updated_at"}}
    row.delete()

    result = run(resource_class, exported, dry_run=False)

    assert (result.is_valid, result.new, result.written) == (True, 1, True)
    recreated = model.objects.get(**{k: v for k, v in before.items() if k in {"code", "term", "valid_from"}})
    after = {name: getattr(recreated, name) for name in before}
    assert after == before


@pytest.mark.django_db
def test_update_file_updates_by_code_with_user_and_reason(admin_user):
    factories.unit()
    run(ProductResource, f"{PRODUCT_HEADER}\nA1,Bolt,,F1,T-PCS,2.5,1,true\nA2,Nut,,F1,T-PCS,,1,true\n")

    result = run(ProductResource, f"{PRODUCT_HEADER}\nA1,Bolt M8,,F1,T-PCS,2.5,1,true\n", name="update.csv",
                 user=admin_user)

    assert result.counts() == {"total": 1, "new": 0, "updated": 1, "unchanged": 0, "repathed": 0, "errors": 0}
    assert dict(Product.objects.filter(code__in=["A1", "A2"]).values_list("code", "name")) == {
        "A1": "Bolt M8", "A2": "Nut"}
    latest = Product.objects.get(code="A1").history.latest()
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~", admin_user, "import update.csv")
    assert result.preview == [{"row": 2, "key": "A1", "action": "update", "changes": {"name": ["Bolt", "Bolt M8"]}}]


@pytest.mark.django_db
def test_every_imported_row_has_a_creation_record_with_user_and_reason(admin_user):
    factories.unit()
    lines = "".join(f"B{i},Item {i},,F,T-PCS,1.5,1,true\n" for i in range(250))
    result = run(ProductResource, PRODUCT_HEADER + "\n" + lines, name="items.csv", user=admin_user)
    assert result.new == 250
    created = Product.history.filter(code__startswith="B", history_type="+")
    assert created.count() == 250
    assert set(created.values_list("history_user", "history_change_reason")) == {(admin_user.pk, "import items.csv")}


@pytest.mark.django_db
def test_one_bad_row_writes_nothing_and_every_bad_row_is_listed():
    factories.unit()
    text = (
        f"{PRODUCT_HEADER}\n"
        "C1,Good,,F,T-PCS,1,1,true\n"
        "C2,,,F,T-PCS,1,1,true\n"           # name missing
        "C3,Bad unit,,F,NOPE,1,1,true\n"     # unknown unit code
        "C4,Bad number,,F,T-PCS,abc,1,maybe\n"  # not a number, not a boolean
        "C1,Duplicate,,F,T-PCS,1,1,true\n"
    )
    result = run(ProductResource, text)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "name", "This field cannot be blank."),
        (4, "unit", "No unit of measure with code 'NOPE'."),
        (5, "default_pri_seconds", "'abc' is not a number."),
        (5, "is_active", "'maybe' is not a yes/no value (use true/false, yes/no or 1/0)."),
        (6, "code", "Duplicate key C1: already on row 2."),
    ]
    assert not result.written
    assert not Product.objects.filter(code__startswith="C").exists()


@pytest.mark.django_db
def test_duplicate_keys_in_one_file_are_reported():
    factories.unit()
    result = run(ProductResource, f"{PRODUCT_HEADER}\nD1,One,,F,T-PCS,1,1,1\nD1,Two,,F,T-PCS,1,1,1\n")
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "code", "Duplicate key D1: already on row 2.")]


@pytest.mark.django_db
def test_model_validation_and_constraints_are_row_errors():
    factories.unit()
    # A negative planned run time breaks a check constraint, found by the dry-run write.
    result = run(ProductResource, f"{PRODUCT_HEADER}\nE1,One,,F,T-PCS,1,1,1\nE2,Two,,F,T-PCS,-4,1,1\n",
                 dry_run=True)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "", "The planned run time per item must be positive.")]
    assert not Product.objects.filter(code__startswith="E").exists()


@pytest.mark.django_db
def test_missing_column_is_reported_before_any_row():
    factories.unit()
    header = PRODUCT_HEADER.replace(",default_pri_seconds", "")
    result = run(ProductResource, f"{header}\nF1,One,,F,T-PCS,1,1\n")
    assert result.header_errors == ["Missing required column(s): default_pri_seconds."]
    assert result.errors == []
    assert not Product.objects.filter(code="F1").exists()


@pytest.mark.django_db
def test_unknown_column_is_reported():
    factories.unit()
    result = run(ProductResource, f"{PRODUCT_HEADER},colour\nG1,One,,F,T-PCS,1,1,1,red\n")
    assert result.header_errors == [
        "Unknown column(s): colour. Expected: " + PRODUCT_HEADER.replace(",", ", ") + "."]


@pytest.mark.django_db
def test_utf8_with_bom_is_accepted():
    factories.unit()
    result = run(ProductResource, ("\ufeff" + f"{PRODUCT_HEADER}\nH1,Größe µm,,F,T-PCS,1,1,1\n").encode("utf-8"))
    assert (result.is_valid, result.written) == (True, True)
    assert Product.objects.get(code="H1").name == "Größe µm"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        pytest.param(f"{PRODUCT_HEADER}\nI1,Größe,,F,T-PCS,1,1,1\n".encode("latin-1"), "p.csv",
                     "The file is not UTF-8 encoded (invalid byte 0xf6 on line 2). "
                     "Save it as CSV UTF-8 (with or without BOM) and upload it again.", id="latin-1"),
        pytest.param(f"{PRODUCT_HEADER}\n".encode("utf-16"), "p.csv",
                     "The file is UTF-16 encoded. Save it as CSV UTF-8 and upload it again.", id="utf-16"),
        pytest.param(b"", "p.csv", "The file is empty.", id="empty"),
        pytest.param(b"\n\n", "p.csv", "The file is empty.", id="blank-lines"),
        pytest.param(f"{PRODUCT_HEADER}\n".encode(), "p.csv", "The file has a header row but no data rows.",
                     id="header-only"),
        pytest.param(b"x" * 101, "p.csv", "The file is 101 bytes; the limit is 100 bytes. Split it into smaller files.",
                     id="too-large"),
        pytest.param(b"code\n1\n", "p.json", "Unsupported file type .json: upload a .csv or .xlsx file.", id="type"),
        pytest.param(b"not a workbook", "p.xlsx", "The file is not a readable XLSX workbook (BadZipFile).",
                     id="bad-xlsx"),
    ],
)
def test_bad_files_get_a_clear_message(content, name, message):
    with pytest.raises(FileRejected) as rejected:
        read_table(content, name, max_bytes=100 if name == "p.csv" and content.startswith(b"x") else 10_000)
    assert str(rejected.value) == message


@pytest.mark.django_db
def test_export_escapes_every_formula_like_cell_and_reimports_unchanged():
    unit = factories.unit()
    names = ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tTab", "\rCR", "plain"]
    for index, name in enumerate(names):
        Product.objects.create(code=f"J{index}", name=name, unit=unit)
    dataset = ProductResource().export(Product.objects.filter(code__startswith="J").order_by("code"))
    assert [row[1] for row in dataset] == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "'\tTab", "'\rCR",
                                           "plain"]
    result = run(ProductResource, dataset.csv)
    assert (result.is_valid, result.unchanged) == (True, 7)


@pytest.mark.django_db
def test_xlsx_round_trip():
    unit = factories.unit()
    Product.objects.create(code="K1", name="=cmd", unit=unit, default_pri_seconds="3.2500")
    xlsx = ProductResource().export(Product.objects.filter(code="K1")).export("xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).worksheets[0]
    assert sheet["B2"].value == "'=cmd"
    product = Product.objects.get(code="K1")
    product.name = "changed"
    product.save()
    result = run(ProductResource, xlsx, name="products.xlsx")
    assert (result.is_valid, result.updated) == (True, 1)
    assert Product.objects.get(code="K1").name == "=cmd"


@pytest.mark.django_db
def test_tree_import_creates_parents_listed_after_children_and_rejects_cycles():
    text = (f"{EQUIPMENT_HEADER}\n"
            "M-LINE,Line,,5,,M-SITE,,,,,medium,,,{},1\n"
            "M-SITE,Site,,3,,,,,,,high,,,{},1\n")
    assert run(EquipmentResource, text).written
    assert dict(Equipment.objects.filter(code__startswith="M-").values_list("code", "path")) == {
        "M-SITE": "M-SITE", "M-LINE": "M-SITE/M-LINE"}

    cycle = (f"{EQUIPMENT_HEADER}\n"
             "M-SITE,Site,,3,,M-LINE,,,,,high,,,{},1\n")
    result = run(EquipmentResource, cycle)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "parent", "This parent makes the tree circular."),
        (2, "parent", "The parent must sit at a higher taxonomy level (a smaller level number)."),
    ]


@pytest.mark.django_db
def test_moving_a_node_by_import_repaths_descendants_outside_the_file(admin_user):
    site = factories.equipment("N-SITE")
    area_a = factories.equipment("N-A", parent=site, level=4)
    factories.equipment("N-B", parent=site, level=4)
    line = factories.equipment("N-LINE", parent=area_a, level=5)
    factories.equipment("N-UNIT", parent=line, level=6, equipment_class=factories.equipment_class())
    exported = export_csv(EquipmentResource, Equipment.objects.filter(code="N-LINE"))
    moved = exported.replace(",N-A,", ",N-B,")

    result = run(EquipmentResource, moved, name="move.csv", user=admin_user)

    assert (result.updated, result.repathed) == (1, 1)
    unit = Equipment.objects.get(code="N-UNIT")
    assert unit.path == "N-SITE/N-B/N-LINE/N-UNIT"
    latest = unit.history.latest()
    assert (latest.path, latest.history_user, latest.history_change_reason) == (
        "N-SITE/N-B/N-LINE/N-UNIT", admin_user, "import move.csv")


@pytest.mark.django_db
def test_attribute_schema_errors_are_row_errors():
    factories.equipment_class("O-PU", schema={"type": "object", "properties": {"stages": {"type": "integer"}}})
    factories.equipment("O-LINE", level=5)
    text = (f"{EQUIPMENT_HEADER}\n"
            'O-P1,Pump,,6,O-PU,O-LINE,,,,,medium,,,"{""stages"": ""two""}",1\n')
    result = run(EquipmentResource, text)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "attributes", "stages: must be of type integer")]
