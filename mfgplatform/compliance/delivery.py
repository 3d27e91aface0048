"""Generate, store and e-mail compliance reports, once per period and recipient whatever the retries.

1. `report_for_period` returns the stored report of a kind and period, generating it only if there
   is none (the unique constraint settles a race between two generators).
2. `claim_deliveries` inserts one `ReportDelivery` per recipient and commits it before anything is
   sent; (report, recipient) is unique, so a retried job finds the claims of the first attempt.
3. `send_claimed` sends each claimed delivery inside a transaction that holds its row lock
   (FOR UPDATE SKIP LOCKED, so two workers never send the same copy) and marks it sent in the same
   transaction. A worker killed before the SMTP server accepted the message leaves the claim
   unsent and the retry sends it; the only window for a duplicate is a kill between the server's
   acceptance and the commit, a few milliseconds, and the stable Message-ID lets mail systems
   discard that copy.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models.reports import ComplianceReport, DeliveryStatus, ReportDelivery, ReportKind, ReportSubscription
from .mail import ReportEmail, message_id_for
from .periods import ReportPeriod, current_production_date, previous_period
from .render import render
from .sections import build_document

logger = logging.getLogger(__name__)


def report_for_period(
    period: ReportPeriod, kind: str = ReportKind.ISO_COMPLIANCE, scope: str = ""
) -> tuple[ComplianceReport, bool]:
    """(report, created): the stored report for the period and scope (a site, area or line code; empty:
    the whole plant), generated now if there is none."""
    key = {"report_kind": kind, "scope": scope, "period_start": period.start, "period_end": period.end}
    existing = ComplianceReport.objects.filter(**key).first()
    if existing is not None:
        return existing, False
    document = build_document(period, scope=scope)
    rendered = render(document)
    try:
        with transaction.atomic():
            report = ComplianceReport.objects.create(
                **key, period_kind=period.kind,
                generated_at=document.generated_at, content_hash=rendered.content_hash, html=rendered.html,
                pdf=rendered.pdf, csv_files=rendered.csv_files,
                images={cid: base64.b64encode(png).decode() for cid, png in rendered.images.items()},
                summary={**document.summary(), "text": rendered.text},
            )
    except IntegrityError:
        # Another run generated it between the lookup and the insert; every recipient gets that one.
        return ComplianceReport.objects.get(**key), False
    logger.info("Generated %s (%s)", report, rendered.content_hash[:12])
    return report, True


def claim_deliveries(
    report: ComplianceReport, recipients: list[str], subscription: ReportSubscription | None = None
) -> list[ReportDelivery]:
    """One committed claim per recipient (addresses compared case-insensitively)."""
    claims = []
    for recipient in dict.fromkeys(address.strip().lower() for address in recipients if address.strip()):
        delivery, _ = ReportDelivery.objects.get_or_create(
            report=report, recipient=recipient,
            defaults={"subscription": subscription, "claimed_at": timezone.now()},
        )
        claims.append(delivery)
    return claims


@dataclass
class SendOutcome:
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)  # being sent by another worker right now


def send_claimed(report: ComplianceReport, deliveries: list[ReportDelivery]) -> SendOutcome:
    """Send every claimed, unsent delivery; raises the first SMTP error after recording it (the job
    retries, and the deliveries already sent stay sent)."""
    outcome = SendOutcome()
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
    try:
        for claim in deliveries:
            _send_one(report, claim.pk, connection, outcome)
    finally:
        connection.close()
    return outcome


def _send_one(report: ComplianceReport, delivery_id: int, connection, outcome: SendOutcome) -> None:
    try:
        with transaction.atomic():
            delivery = (
                ReportDelivery.objects.select_for_update(skip_locked=True).filter(pk=delivery_id).first()
            )
            if delivery is None:
                outcome.busy.append(str(delivery_id))
                return
            if delivery.status == DeliveryStatus.SENT:
                outcome.already_sent.append(delivery.recipient)
                return
            message = build_email(report, delivery.recipient)
            message.connection = connection
            message.send()
            delivery.status, delivery.sent_at = DeliveryStatus.SENT, timezone.now()
            delivery.message_id, delivery.attempts, delivery.last_error = message.message_id, delivery.attempts + 1, ""
            delivery.save(update_fields=["status", "sent_at", "message_id", "attempts", "last_error"])
    except (smtplib.SMTPException, OSError) as error:
        ReportDelivery.objects.filter(pk=delivery_id).update(
            attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    outcome.sent.append(delivery.recipient)


def build_email(report: ComplianceReport, recipient: str) -> ReportEmail:
    slug = f"{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}"
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    scope = f"{report.scope} " if report.scope else ""
    return ReportEmail(
        subject=f"ISO compliance report {scope}{report.period_start:%Y-%m-%d} to {report.period_end:%Y-%m-%d} "
        f"[{report.summary.get('status', '')}]",
        text=report.summary.get("text", ""),
        html=report.html,
        images={cid: base64.b64decode(png) for cid, png in report.images.items()},
        pdf=(f"iso-compliance-{slug}.pdf", bytes(report.pdf)),
        csv_files=report.csv_files,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipient,
        message_id=message_id_for(report.pk, recipient, domain),
    )


@dataclass
class SubscriptionRun:
    subscription: str
    report_id: int
    period: str
    sent: list[str]
    already_sent: list[str]


def is_due(subscription: ReportSubscription, now: dt.datetime) -> bool:
    """Whether the plant's local clock has passed the subscription's send time today. The period is
    always the previous complete one, so a run after the send time on any later day still sends what
    a missed run did not (deliveries are unique per report and recipient)."""
    return now.astimezone(ZoneInfo(settings.PLANT_TIME_ZONE)).time() >= subscription.send_time


def send_due_reports(*, today=None, now: dt.datetime | None = None) -> list[SubscriptionRun]:
    """For every active subscription whose send time has passed in the plant's time zone: its report
    for its scope and previous complete period, to each recipient that has not had it yet. `today`
    (a production day) pins the period, e.g. for a rerun; it skips the send-time check."""
    now = now or timezone.now()
    runs = []
    for subscription in ReportSubscription.objects.filter(is_active=True).order_by("pk"):
        if today is None and not is_due(subscription, now):
            continue
        period = previous_period(subscription.period_kind, today or current_production_date(now))
        report, _ = report_for_period(period, subscription.report_kind, subscription.scope)
        claims = claim_deliveries(report, subscription.recipients, subscription)
        outcome = send_claimed(report, claims)
        runs.append(SubscriptionRun(subscription.name, report.pk, period.label, outcome.sent, outcome.already_sent))
    return runs
