"""Catalog imports refuse malformed rows with the row and the reason, never with a server error, never
leaving a job stuck, and never applying a file twice."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from equipment.models import Equipment
from equipment.resources import EquipmentResource
from mfgplatform.imports.engine import CatalogImporter
from mfgplatform.imports.files import FileRejected, read_table
from mfgplatform.imports.jobs import import_job_create, import_job_preview
from mfgplatform.models import AuditLog, ImportJob
from quality.models import DefectType
from quality.resources import DefectTypeResource

from ..admin_workbench import factories

DEFECT_HEADER = "code,name,category,severity,description,is_reworkable,is_active\n"


def _run(resource_class, content: bytes, name="file.csv"):
    table = read_table(content, name, max_bytes=10_000_000)
    return CatalogImporter(resource_class(), reason="import test").run(table, dry_run=False)


def _errors(result):
    return [(error.row, error.column, error.message) for error in result.errors]


@pytest.mark.django_db
def test_rows_that_do_not_match_the_header_are_reported():
    text = DEFECT_HEADER + "D-1,Scratch,visual,minor,,0,1\nD-2,Dent\nD-3,Crack,visual,minor,,0,1,surplus\n"
    result = _run(DefectTypeResource, text.encode())
    assert _errors(result) == [
        (3, "", "The row has 2 cell(s); the header has 7 column(s)."),
        (4, "", "The row has 1 value(s) beyond the header's 7 column(s)."),
    ]
    assert not DefectType.objects.filter(code__startswith="D-").exists()


@pytest.mark.django_db
def test_a_nul_byte_in_a_cell_is_reported():
    result = _run(DefectTypeResource, (DEFECT_HEADER + "D-1,Scr\x00atch,visual,minor,,0,1\n").encode())
    assert _errors(result) == [(2, "name", "Contains a NUL character.")]


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["D-1\t", "\tD-1", "D-1\n"])
def test_a_code_with_surrounding_whitespace_is_refused(code):
    text = DEFECT_HEADER + f'"{code}",Scratch,visual,minor,,0,1\n'
    result = _run(DefectTypeResource, text.encode())
    assert _errors(result) == [(2, "code", "Has leading or trailing whitespace (a space, tab or line break).")]
    assert not DefectType.objects.filter(code__contains="D-1").exists()


@pytest.mark.django_db
def test_a_slash_in_a_tree_code_is_refused_so_paths_stay_unambiguous():
    factories.equipment("SL")
    header = ("code,name,description,taxonomy_level,equipment_class,parent,tag_number,serial_number,manufacturer,"
              "model_number,criticality,commissioned_on,decommissioned_on,attributes,is_active\n")
    result = _run(EquipmentResource, (header + "SL/EVIL,Evil,,3,,,,,,,,,,{},1\n").encode())
    assert _errors(result) == [
        (2, "code", "May not contain '/': it separates the levels of the tree's paths.")]
    assert not Equipment.objects.filter(code="SL/EVIL").exists()


def _xlsx(rows, formula_cell: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if formula_cell:
        sheet[formula_cell] = "=UPPER(B2)"  # openpyxl stores no computed value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_xlsx_formula_without_a_computed_value_is_refused():
    content = _xlsx([DEFECT_HEADER.strip().split(","), ["D-1", "Scratch", "visual", "minor", "", 0, 1]], "F2")
    with pytest.raises(FileRejected, match=r"Cell F2 \(row 2\) holds a formula without a computed value"):
        read_table(content, "defects.xlsx", max_bytes=10_000_000)


def test_an_xlsx_row_count_is_checked_before_the_rows_are_read():
    rows = [["code", "name"]] + [[f"D-{i}", "x"] for i in range(50)]
    with pytest.raises(FileRejected, match="has 50 data rows or more; the limit is 10"):
        read_table(_xlsx(rows), "defects.xlsx", max_bytes=10_000_000, max_rows=10)


def test_xlsx_cells_beyond_the_header_are_kept_for_the_report():
    rows = [["code", "name"], ["D-1", "x", "surplus"]]
    assert read_table(_xlsx(rows), "d.xlsx", max_bytes=10_000_000).rows == [["D-1", "x", "surplus"]]


@pytest.mark.django_db
def test_a_small_workbook_that_expands_past_the_threshold_runs_in_the_background(settings):
    settings.IMPORT_BACKGROUND_THRESHOLD_BYTES = 200_000
    rows = [DEFECT_HEADER.strip().split(",")] + [[f"D-{i}", "Scratch", "visual", "minor", "", 0, 1]
                                                 for i in range(5000)]
    content = _xlsx(rows)
    assert len(content) < settings.IMPORT_BACKGROUND_THRESHOLD_BYTES
    job = import_job_create(model=DefectType, resource_class=DefectTypeResource, file_name="d.xlsx",
                            content=content, user=None)
    assert job.in_background


@pytest.mark.django_db
def test_a_preview_that_fails_unexpectedly_is_rejected_and_audited():
    # A resource path that no longer imports: the preview raises inside the engine, not in the checks.
    job = ImportJob.objects.create(model_label="quality.DefectType", resource_path="quality.resources.Gone",
                                   file_name="d.csv", content=(DEFECT_HEADER + "D-1,S,visual,minor,,0,1\n").encode())
    import_job_preview(job)
    job.refresh_from_db()
    assert job.status == "rejected"
    assert AuditLog.objects.filter(action="import.rejected", object_id=str(job.pk)).exists()


@pytest.mark.django_db
def test_the_page_lists_a_bounded_number_of_problems_and_the_csv_has_all(client, admin_user):
    client.force_login(admin_user)
    text = DEFECT_HEADER + "".join(f"D-{i},Scratch,flying,minor,,0,1\n" for i in range(450))
    response = client.post(reverse("admin:quality_defecttype_import"),
                           {"file": SimpleUploadedFile("many.csv", text.encode())})
    page = client.get(response.url).content.decode()
    assert page.count("is not a valid choice") == 200
    assert "download all of them as CSV" in page
    download = client.get(response.url + "errors.csv")
    assert download.status_code == 200
    lines = download.content.decode().splitlines()
    assert len(lines) == 451
    assert lines[1] == "2,category,Value 'flying' is not a valid choice."


@pytest.mark.django_db
def test_a_quote_before_a_formula_character_survives_export_and_reimport():
    row = factories.defect_type("Q-APOS")
    row.description = "'-5 mm"
    row.save()
    exported = DefectTypeResource().export(DefectType.objects.filter(pk=row.pk)).csv
    row.description = "changed"
    row.save()
    result = _run(DefectTypeResource, exported.encode())
    assert result.errors == []
    row.refresh_from_db()
    assert row.description == "'-5 mm"


EQUIPMENT_HEADER = ("code,name,description,taxonomy_level,equipment_class,parent,tag_number,serial_number,"
                    "manufacturer,model_number,criticality,commissioned_on,decommissioned_on,attributes,is_active\n")


@pytest.mark.django_db
def test_a_parent_created_in_the_same_file_is_checked_like_a_stored_one():
    text = EQUIPMENT_HEADER + "P-PART,A part,,9,,,,,,,medium,,,{},1\nP-SITE,A site,,3,,P-PART,,,,,medium,,,{},1\n"
    result = _run(EquipmentResource, text.encode())
    assert _errors(result) == [
        (3, "parent", "The parent must sit at a higher taxonomy level (a smaller level number).")]
    assert not Equipment.objects.filter(code__startswith="P-").exists()
