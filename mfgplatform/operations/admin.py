"""Admin of the scheduled operations: report subscriptions, generated reports and deliveries, view
refresh state, and the operations status page (linked from the admin index as "Operations status").

Job schedules are django-celery-beat's "Periodic tasks" and job runs django-celery-results' "Task
results"; every run also leaves a "job.<name>.<outcome>" event in the audit log. The status page lists
the run and change history of every source together (mfgplatform.operations.history), filterable.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import DatabaseError
from django.db.models import Q
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from ..admin_base import ReadOnlyAdminMixin
from ..models import AuditLog, ComplianceReport, ReportDelivery, ReportSubscription, ViewSourceState
from ..models.operations import OperationsStatus
from ..models.reports import SCOPE_LEVELS
from .history import SOURCES as HISTORY_SOURCES
from .history import HistoryFilter, run_and_change_history
from .lost_work import find_lost_runs, lost_after

RECENT_JOB_EVENTS = 30
FAILURE_WINDOW = dt.timedelta(days=7)


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    fields = ("name", "report_kind", "scope", "period_kind", "send_time", "recipients", "is_active", "created_at",
              "updated_at")
    list_display = ("name", "report_kind", "scope_label", "period_kind", "send_time", "recipient_list", "is_active",
                    "updated_at")
    list_filter = ("report_kind", "period_kind", "is_active")
    search_fields = ("name",)
    readonly_fields = ("created_at", "updated_at")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "scope":
            # A choice of the sites, areas and lines (the equipment is read through the app registry:
            # the shared layer imports no domain app); the model's validator still checks the code.
            nodes = apps.get_model("equipment", "Equipment").objects.filter(taxonomy_level__in=SCOPE_LEVELS)
            choices = [("", "Whole plant")] + [
                (code, f"{'· ' * (level - SCOPE_LEVELS[0])}{code} {name}")
                for code, name, level in nodes.order_by("path").values_list("code", "name", "taxonomy_level")]
            return forms.ChoiceField(choices=choices, required=False, label="Scope", help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="scope", ordering="scope")
    def scope_label(self, obj: ReportSubscription) -> str:
        return obj.scope or "whole plant"

    @admin.display(description="recipients")
    def recipient_list(self, obj: ReportSubscription) -> str:
        return ", ".join(obj.recipients)


class ReportDeliveryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReportDelivery
    fields = ("recipient", "status", "claimed_at", "sent_at", "attempts", "last_error", "message_id")
    readonly_fields = fields
    extra = 0


@admin.register(ComplianceReport)
class ComplianceReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reports as they were sent; the stored HTML, PDF and CSV files are viewable here."""

    list_display = ("__str__", "scope", "period_start", "period_end", "overall_status", "generated_at",
                    "delivery_count", "files")
    list_filter = ("report_kind", "period_kind")
    date_hierarchy = "period_start"
    fields = ("report_kind", "scope", "period_kind", "period_start", "period_end", "generated_at", "content_hash",
              "overall_status", "files")
    readonly_fields = fields
    inlines = [ReportDeliveryInline]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).defer("html", "pdf", "csv_files", "images").annotate(
            deliveries_total=Count("deliveries"))

    @admin.display(description="status")
    def overall_status(self, obj: ComplianceReport) -> str:
        return obj.summary.get("status", "")

    @admin.display(description="deliveries", ordering="deliveries_total")
    def delivery_count(self, obj: ComplianceReport) -> int:
        return getattr(obj, "deliveries_total", 0)

    @admin.display(description="files")
    def files(self, obj: ComplianceReport) -> str:
        if obj.pk is None:
            return ""
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">HTML</a> · <a href="{}">PDF</a>',
            reverse("admin:mfgplatform_compliancereport_html", args=[obj.pk]),
            reverse("admin:mfgplatform_compliancereport_pdf", args=[obj.pk]),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/html/", wrap(self.html_view), name="mfgplatform_compliancereport_html"),
            path("<int:pk>/pdf/", wrap(self.pdf_view), name="mfgplatform_compliancereport_pdf"),
            *super().get_urls(),
        ]

    def _report(self, request, pk: int) -> ComplianceReport:
        from django.core.exceptions import PermissionDenied
        from django.shortcuts import get_object_or_404

        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(ComplianceReport, pk=pk)

    def html_view(self, request, pk: int) -> HttpResponse:
        """The e-mail's HTML with its content-id images inlined, as the recipients saw it."""
        report = self._report(request, pk)
        html = report.html
        for content_id, png in report.images.items():
            html = html.replace(f'src="cid:{content_id}"', f'src="data:image/png;base64,{png}"')
        response = HttpResponse(html)
        # The stored report is trusted output, but it must not run scripts inside the admin's origin.
        response["Content-Security-Policy"] = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
        return response

    def pdf_view(self, request, pk: int) -> HttpResponse:
        report = self._report(request, pk)
        response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="iso-compliance-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.pdf"')
        return response


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("report", "recipient", "status", "claimed_at", "sent_at", "attempts")
    list_filter = ("status",)
    list_select_related = ("report",)
    search_fields = ("=recipient",)
    raw_id_fields = ("report", "subscription")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("report__html", "report__pdf", "report__csv_files",
                                                   "report__images")


@admin.register(ViewSourceState)
class ViewSourceStateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("view_name", "refreshed_at", "checked_at")
    search_fields = ("view_name",)


@admin.register(OperationsStatus)
class OperationsStatusAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The daily-check page: last refresh of each view, chunk health, recent job runs and failures."""

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def get_model_perms(self, request) -> dict[str, bool]:
        # Listed in the index for every staff user, linking to the status page.
        return {"view": self.has_view_permission(request)}

    def changelist_view(self, request, extra_context=None):
        from django.core.exceptions import PermissionDenied

        if not self.has_view_permission(request):
            raise PermissionDenied
        history_filter = HistoryFilter.from_query(request.GET)
        context = {
            **self.admin_site.each_context(request),
            "title": "Operations status",
            "opts": self.opts,
            **operations_status(),
            "history": _safe(lambda: run_and_change_history(history_filter)),
            "history_filter": history_filter,
            "history_sources": [(key, label) for key, (label, _) in HISTORY_SOURCES.items()],
        }
        return TemplateResponse(request, "admin/mfgplatform/operations_status.html", context)


# The backup job runs daily; a last success older than this is flagged.
BACKUP_STALE_AFTER = dt.timedelta(hours=26)


def operations_status(now: dt.datetime | None = None) -> dict:
    """Everything the status page shows; each part degrades to an error message on its own."""
    now = now or timezone.now()
    return {
        "now": now,
        "views": _safe(_view_status),
        "chunks": _safe(_chunk_status),
        "schedules": _safe(_schedule_status),
        # Outcomes only: the "started" mark of every attempt and the minute-by-minute watch job's quiet
        # runs would push the real runs off the page.
        "job_events": AuditLog.objects.filter(action__startswith="job.").exclude(action__endswith=".started")
        .exclude(action="job.recover_lost_work.succeeded", payload__rows=0)
        .order_by("-occurred_at", "-id")[:RECENT_JOB_EVENTS],
        "failures": AuditLog.objects.filter(action__startswith="job.", occurred_at__gte=now - FAILURE_WINDOW)
        .filter(Q(action__endswith=".failed") | Q(action__endswith=".lost")).order_by("-occurred_at")[:50],
        # Computed on each view, so a run lost with the last worker shows even with nobody left to record it.
        "lost_runs": _safe(lambda: find_lost_runs(now)),
        "lost_after_seconds": int(lost_after().total_seconds()),
        "failure_window_days": FAILURE_WINDOW.days,
        "last_archive": AuditLog.objects.filter(action="audit.archived").order_by("-occurred_at").first(),
        "backup": _safe(_backup_status),
        "retention": {"sensor_days": settings.SENSOR_RETENTION_DAYS, "audit_days": settings.AUDIT_LOG_RETENTION_DAYS},
    }


def _safe(build):
    try:
        return {"rows": build(), "error": ""}
    except (DatabaseError, ValueError, ImportError) as error:
        return {"rows": [], "error": f"{type(error).__name__}: {error}"}


def _backup_status() -> list[dict]:
    """The last successful backup (from its audit event) and whether its archive is still on disk."""
    from ..backup.retention import last_backup

    last = last_backup()
    return [{"last": last, "dir": settings.BACKUP_DIR, "keep_count": settings.BACKUP_KEEP_COUNT,
             "keep_days": settings.BACKUP_KEEP_DAYS,
             "stale": last is None or last.age > BACKUP_STALE_AFTER}]


def _view_status() -> list[dict]:
    """Every registered view in refresh order, materialized views and incremental aggregates alike."""
    from django.db import connection

    from ..aggregates.registry import IncrementalAggregate, is_populated, refresh_plan
    from ..models import MaterializedViewRefresh, RefreshOutcome

    plan = refresh_plan()
    names = [view.name for view in plan]
    # pg_matviews and mv_source_state only know the materialized views; an incremental aggregate is a
    # plain table, so the registry answers for it and it has no source check.
    matviews = [view.name for view in plan if not isinstance(view, IncrementalAggregate)]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT m.matviewname, m.ispopulated, s.checked_at
              FROM pg_matviews AS m LEFT JOIN mv_source_state AS s ON s.view_name = m.matviewname
             WHERE m.matviewname = ANY(%s)
            """,
            [matviews],
        )
        found = {name: (populated, checked_at) for name, populated, checked_at in cursor.fetchall()}
    # The latest refresh of each view per outcome: the newest overall and the newest success.
    latest, last_success = {}, {}
    for entry in MaterializedViewRefresh.objects.filter(view_name__in=names).order_by(
            "view_name", "outcome", "-started_at").distinct("view_name", "outcome"):
        if entry.view_name not in latest or entry.started_at > latest[entry.view_name].started_at:
            latest[entry.view_name] = entry
        if entry.outcome == RefreshOutcome.SUCCESS:
            last_success[entry.view_name] = entry
    rows = []
    for view in plan:
        if isinstance(view, IncrementalAggregate):
            kind, populated, checked_at = "incremental aggregate", is_populated(view.name), None
        else:
            kind, (populated, checked_at) = "materialized view", found.get(view.name, (None, None))
        rows.append({"name": view.name, "kind": kind, "populated": populated, "latest": latest.get(view.name),
                     "last_success": last_success.get(view.name), "checked_at": checked_at})
    return rows


def _chunk_status() -> list:
    from .chunks import chunk_health

    return [chunk_health()]


def _schedule_status() -> list:
    from django_celery_beat.models import PeriodicTask

    return list(PeriodicTask.objects.select_related("crontab", "interval").order_by("name"))
