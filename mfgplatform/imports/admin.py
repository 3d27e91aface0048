"""Admin views of the catalog import: upload, preview with every bad row listed, confirm, progress.

Import and export each need their own permission (`<app>.import_<model>`, `<app>.export_<model>`),
not just staff status or the right to edit.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from import_export.admin import ExportMixin

from ..audit import record_event
from ..models import ImportJob, ImportStatus
from .files import FileRejected
from .jobs import import_job_create, job_progress, max_upload_bytes, start_confirm, start_preview


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
            if job.status != ImportStatus.PREVIEWED:
                messages.error(request, "This import is not waiting for confirmation.")
            else:
                job = start_confirm(job)
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
            changelist_url=reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
        ))
