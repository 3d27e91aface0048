"""Admin views of the catalog import: upload, preview with every bad row listed, confirm, progress.

Import and export each need their own permission (`<app>.import_<model>`, `<app>.export_<model>`),
not just staff status or the right to edit.
"""

from __future__ import annotations

import csv

from django import forms
from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from import_export.admin import ExportMixin

from ..audit import record_event
from ..models import ImportJob, ImportStatus
from .escaping import escape_cell
from .files import FileRejected
from .jobs import import_job_create, job_progress, max_upload_bytes, start_confirm, start_preview

# An import page lists at most this many problems; the CSV download holds all of them.
ERRORS_SHOWN = 200


class ImportFileForm(forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8, with or without BOM) or XLSX, with the columns of an export.")
    reason = forms.CharField(max_length=80, required=False,
                             help_text="Why? Recorded in the history of every row, after the file name.")


class CatalogImportExportMixin(ExportMixin):
    """Export through django-import-export (escaped cells, own permission, audited) and import
    through the bulk catalog importer with preview and confirmation."""

    import_export_change_list_template = "admin/master_data_change_list.html"
    import_form_template = "admin/master_data/import_form.html"
    import_job_template = "admin/master_data/import_job.html"

    # --- permissions -----------------------------------------------------------------------------

    def _has_data_permission(self, request, action: str) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")

    def has_import_permission(self, request) -> bool:
        return bool(self.resource_classes) and self._has_data_permission(request, "import")

    def has_export_permission(self, request) -> bool:
        return bool(self.resource_classes) and self._has_data_permission(request, "export")

    # --- export ----------------------------------------------------------------------------------

    def get_data_for_export(self, request, queryset, **kwargs):
        dataset = super().get_data_for_export(request, queryset, **kwargs)
        record_event("export.completed", actor=request.user, request=request,
                     object_type=self.opts.label_lower, rows=len(dataset), headers=list(dataset.headers or []))
        return dataset

    # --- import ----------------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="{}_{}_import".format(*info)),
            path("import/<uuid:job_id>/", self.admin_site.admin_view(self.import_job_view),
                 name="{}_{}_import_job".format(*info)),
            path("import/<uuid:job_id>/errors.csv", self.admin_site.admin_view(self.import_errors_view),
                 name="{}_{}_import_errors".format(*info)),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_import_permission": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.opts, **extra}

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource_class = self.resource_classes[0]
        form = ImportFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # Read one byte past the limit: enough to know the file is too big, never the whole of it.
                content = upload.read(max_upload_bytes() + 1)
                job = import_job_create(model=self.model, resource_class=resource_class, file_name=upload.name,
                                        content=content, user=request.user, reason=form.cleaned_data["reason"],
                                        request=request)
            except FileRejected as rejection:
                form.add_error("file", str(rejection))
            else:
                start_preview(job)
                return HttpResponseRedirect(self._job_url(job))
        columns = [f.column_name for f in resource_class().importable_fields()]
        return TemplateResponse(request, self.import_form_template, self._context(
            request, title=f"Import {self.opts.verbose_name_plural}", form=form, columns=columns,
            max_bytes=max_upload_bytes(),
        ))

    def _job_url(self, job: ImportJob) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import_job", args=[job.pk])

    def import_job_view(self, request, job_id):
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ImportJob, pk=job_id, model_label=self.model._meta.label)
        if request.method == "POST":
            confirmed = start_confirm(job)
            if confirmed is None:
                messages.error(request, "This import is not waiting for confirmation.")
            else:
                job = confirmed
                if job.status == ImportStatus.COMPLETED:
                    counts = job.counts
                    messages.success(
                        request,
                        f"Imported {job.file_name}: {counts.get('new', 0)} new, {counts.get('updated', 0)} updated, "
                        f"{counts.get('unchanged', 0)} unchanged.",
                    )
            return HttpResponseRedirect(self._job_url(job))
        return TemplateResponse(request, self.import_job_template, self._context(
            request, title=f"Import of {job.file_name}", job=job, progress=job_progress(job),
            shown_errors=job.errors[:ERRORS_SHOWN], errors_shown_limit=ERRORS_SHOWN,
            errors_url=reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import_errors", args=[job.pk]),
            changelist_url=reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
        ))

    def import_errors_view(self, request, job_id):
        """Every problem of an import as CSV (the page shows the first ERRORS_SHOWN)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ImportJob, pk=job_id, model_label=self.model._meta.label)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
        writer = csv.writer(response)
        writer.writerow(["row", "column", "problem"])
        # The cells come from an uploaded file: escaped like every export, so a spreadsheet runs no formula.
        writer.writerows([escape_cell(str(error.get(name, ""))) for name in ("row", "column", "message")]
                         for error in job.errors)
        return response
