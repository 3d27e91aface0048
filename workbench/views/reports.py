"""Compliance reports from the browser: preview a period's report for the plant or a site, area or
line, generate and store it, send a test to yourself, and see the subscriptions and their deliveries.
The report is the one the scheduled job and `manage.py audit_iso_compliance` produce
(mfgplatform.compliance), built on the KPI service."""

from __future__ import annotations

import base64
import smtplib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.mail import get_connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from equipment.models import Equipment
from mfgplatform.compliance.delivery import build_email, report_for_period
from mfgplatform.compliance.periods import parse_period
from mfgplatform.compliance.render import render
from mfgplatform.compliance.sections import build_document
from mfgplatform.models import ReportDelivery, ReportSubscription
from mfgplatform.models.reports import SCOPE_LEVELS

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


def _scopes() -> list[tuple[str, str]]:
    """(code, label) of every site, area and line, indented by level, in tree order."""
    nodes = Equipment.objects.filter(taxonomy_level__in=SCOPE_LEVELS).order_by("path")
    return [(code, f"{'· ' * (level - SCOPE_LEVELS[0])}{code} {name}")
            for code, name, level in nodes.values_list("code", "name", "taxonomy_level")]


def _scope(request, scopes) -> tuple[str, str | None]:
    """(the chosen scope code, "" = the whole plant; an error if it is not a site, an area or a line)."""
    code = (request.POST.get("scope") or request.GET.get("scope") or "").strip()
    if code and code not in dict(scopes):
        return "", f"Unknown scope {code!r}: choose a site, an area or a line."
    return code, None


def _query(text: str, scope: str) -> str:
    return urlencode({"period": text, **({"scope": scope} if scope else {})})


@workbench_view("mfgplatform.view_compliancereport")
def reports(request):
    text, period, error = _period(request)
    scopes = _scopes()
    scope, scope_error = _scope(request, scopes)
    error = error or scope_error
    if request.method == "POST" and period is not None and scope_error is None:
        if not request.user.has_perm(GENERATE_PERMISSION):
            raise PermissionDenied(f"Generating or sending a report needs the permission {GENERATE_PERMISSION}.")
        report, created = report_for_period(period, scope=scope)
        if request.POST.get("action") == "send-test":
            if not request.user.email:
                messages.error(request, "Your account has no e-mail address: add one to receive a test.")
            else:
                # A test goes to the requester only and is not a delivery: the subscribers still get theirs.
                message = build_email(report, request.user.email)
                message.subject = f"[test] {message.subject}"
                message.connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
                try:
                    message.send()
                except (smtplib.SMTPException, OSError) as failure:
                    messages.error(request, f"The mail server refused the test: {type(failure).__name__}: {failure}")
                    return redirect(f"{reverse('workbench:reports')}?{_query(text, scope)}")
                messages.success(request, f"Sent the report for {scope or 'the whole plant'}, {period.label} "
                                          f"to {request.user.email}.")
            return redirect(f"{reverse('workbench:reports')}?{_query(text, scope)}")
        messages.success(request, f"{'Generated' if created else 'Already stored'}: the report for "
                                  f"{scope or 'the whole plant'}, {period.label}.")
        return redirect(reverse("admin:mfgplatform_compliancereport_change", args=[report.pk]))

    # The report's large columns stay in the database: the table shows its period and scope only.
    deliveries = (ReportDelivery.objects.select_related("report", "subscription")
                  .defer("report__html", "report__pdf", "report__csv_files", "report__images")
                  .order_by("-claimed_at")[:20])
    return render_page(request, "workbench/reports.html", {
        "period_text": text, "period": period, "error": error, "examples": PERIOD_EXAMPLES,
        "scopes": scopes, "scope": scope, "query": _query(text, scope), "plant_zone": settings.PLANT_TIME_ZONE,
        "subscriptions": ReportSubscription.objects.order_by("name"),
        "deliveries": deliveries, "can_generate": request.user.has_perm(GENERATE_PERMISSION),
    }, title="Compliance reports")


@workbench_view("mfgplatform.view_compliancereport")
def preview(request):
    """The report for the period as it would be sent, built now and not stored (charts inlined)."""
    text, period, error = _period(request)
    if period is None:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    scope, scope_error = _scope(request, _scopes())
    if scope_error:
        return HttpResponse(scope_error, status=400, content_type="text/plain; charset=utf-8")
    rendered = render(build_document(period, scope=scope))
    html = rendered.html
    for content_id, png in rendered.images.items():
        html = html.replace(f"cid:{content_id}", f"data:image/png;base64,{base64.b64encode(png).decode()}")
    return HttpResponse(html)
