"""Hypothesis over the catalog import: random bytes, CSV and XLSX shapes through the job service.

Whatever the file, the preview ends "previewed" or "rejected" (never stuck in "previewing", never an
exception), a rejected file writes nothing, and a previewed one either completes or writes nothing.
"""

import io

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfgplatform.imports.jobs import import_job_confirm, import_job_create, import_job_preview
from quality.models import DefectType
from quality.resources import DefectTypeResource

pytestmark = pytest.mark.django_db

COLUMNS = ["code", "name", "category", "severity", "description", "is_reworkable", "is_active"]
CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "visual", "minor", "1", "0", "true", "X\t", "\tX", "a/b", "'-5", "=1+1", "\x00", "1e400"]),
    st.integers(-(10**6), 10**6),
)
ROW = st.lists(CELL, min_size=0, max_size=len(COLUMNS) + 2)
HEADERS = st.one_of(st.just(COLUMNS), st.permutations(COLUMNS), st.lists(st.sampled_from([*COLUMNS, "extra"]),
                                                                         max_size=8))


def _csv(header, rows) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogatepass")


def _xlsx(header, rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        # openpyxl refuses control characters in cells; such a cell is written as a formula instead,
        # which the reader must refuse as a formula without a computed value.
        sheet.append([f"=LEN({len(cell)})" if isinstance(cell, str) and any(ord(c) < 32 for c in cell) else cell
                      for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


FILES = st.one_of(
    st.tuples(st.just("random.csv"), st.binary(max_size=300)),
    st.tuples(st.just("random.xlsx"), st.binary(max_size=300)),
    st.builds(lambda h, r: ("shaped.csv", _csv(h, r)), HEADERS, st.lists(ROW, max_size=6)),
    st.builds(lambda h, r: ("shaped.xlsx", _xlsx(h, r)), HEADERS, st.lists(ROW, max_size=6)),
)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(upload=FILES)
def test_any_file_is_previewed_or_refused_and_a_refusal_writes_nothing(upload):
    name, content = upload
    before = DefectType.objects.count()
    job = import_job_create(model=DefectType, resource_class=DefectTypeResource, file_name=name, content=content,
                            user=None)
    import_job_preview(job)
    job.refresh_from_db()
    assert job.status in ("previewed", "rejected")
    assert DefectType.objects.count() == before
    if job.status == "rejected":
        assert job.errors or job.messages
        return
    import_job_confirm(job)
    job.refresh_from_db()
    assert job.status in ("completed", "failed")
    if job.status == "failed":
        assert DefectType.objects.count() == before
    else:
        assert DefectType.objects.count() == before + job.counts["new"]
