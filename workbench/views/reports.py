"""Compliance reports from the browser: preview a period's report, generate and store it, send a test
to yourself, and see the subscriptions' recent deliveries. The report is the one the scheduled job and
`manage.py audit_iso_compliance` produce (mfgplatform.compliance), built on the KPI service."""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.mail import get_connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from mfgplatform.compliance.delivery import build_email, report_for_period
from mfgplatform.compliance.periods import parse_period
from mfgplatform.compliance.render import render
from mfgplatform.compliance.sections import build_document
from mfgplatform.models import ReportDelivery, ReportSubscription

from .base import render_page, workbench_view

DEFAULT_PERIOD = "weekly"
GENERATE_PERMISSION = "mfgplatform.add_compliancereport"
PERIOD_EXAMPLES = ["daily", "weekly", "monthly", "quarterly", "2026-W43", "2026-10", "2026-Q3",
                   "2026-10-01..2026-10-31"]


def _period(request):
    text = (request.POST.get("period") or request.GET.get("period") or DEFAULT_PERIOD).strip()
    try:
        return text, parse_period(text), None
    except ValueError as error:
        return text, None, str(error)


@workbench_view("mfgplatform.view_compliancereport")
def reports(request):
    text, period, error = _period(request)
    if request.method == "POST" and period is not None:
        if not request.user.has_perm(GENERATE_PERMISSION):
            raise PermissionDenied(f"Generating or sending a report needs the permission {GENERATE_PERMISSION}.")
        report, created = report_for_period(period)
        if request.POST.get("action") == "send-test":
            if not request.user.email:
                messages.error(request, "Your account has no e-mail address: add one to receive a test.")
            else:
                # A test goes to the requester only and is not a delivery: the subscribers still get theirs.
                message = build_email(report, request.user.email)
                message.subject = f"[test] {message.subject}"
                message.connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
                message.send()
                messages.success(request, f"Sent the report for {period.label} to {request.user.email}.")
            return redirect(f"{reverse('workbench:reports')}?period={text}")
        messages.success(request, f"{'Generated' if created else 'Already stored'}: the report for {period.label}.")
        return redirect(reverse("admin:mfgplatform_compliancereport_change", args=[report.pk]))

    deliveries = ReportDelivery.objects.select_related("report", "subscription").order_by("-claimed_at")[:20]
    return render_page(request, "workbench/reports.html", {
        "period_text": text, "period": period, "error": error, "examples": PERIOD_EXAMPLES,
        "subscriptions": ReportSubscription.objects.order_by("pk"),
        "deliveries": deliveries, "can_generate": request.user.has_perm(GENERATE_PERMISSION),
    }, title="Compliance reports")


@workbench_view("mfgplatform.view_compliancereport")
def preview(request):
    """The report for the period as it would be sent, built now and not stored (charts inlined)."""
    text, period, error = _period(request)
    if period is None:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    rendered = render(build_document(period))
    html = rendered.html
    for content_id, png in rendered.images.items():
        html = html.replace(f"cid:{content_id}", f"data:image/png;base64,{base64.b64encode(png).decode()}")
    return HttpResponse(html)
