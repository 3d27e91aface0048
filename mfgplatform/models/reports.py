"""Compliance report subscriptions, the reports generated for them and their deliveries."""

import datetime as dt

from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import F, Q


class ReportKind(models.TextChoices):
    ISO_COMPLIANCE = "iso_compliance", "ISO compliance (22400 OEE, 9001 quality, 14224 reliability, records)"


class ReportPeriodKind(models.TextChoices):
    """The period a scheduled report covers: always the previous complete one."""

    DAILY = "daily", "Previous production day"
    WEEKLY = "weekly", "Previous ISO week"
    MONTHLY = "monthly", "Previous month"
    QUARTERLY = "quarterly", "Previous quarter"


class DeliveryStatus(models.TextChoices):
    CLAIMED = "claimed", "Claimed (sending)"
    SENT = "sent", "Sent"


def validate_recipients(addresses: list[str]) -> None:
    if not addresses:
        raise ValidationError("At least one recipient is required.")
    for address in addresses:
        validate_email(address)


# A report covers the whole plant or one site, area or line (taxonomy levels 3–5) with its subtree.
SCOPE_LEVELS = (3, 4, 5)
DEFAULT_SEND_TIME = dt.time(6, 0)


def validate_scope(code: str) -> None:
    """An empty scope is the whole plant; otherwise the code of a site, an area or a line. The equipment
    is looked up through the app registry: the shared layer imports no domain app."""
    if not code:
        return
    level = apps.get_model("equipment", "Equipment").objects.filter(code=code).values_list(
        "taxonomy_level", flat=True).first()
    if level is None:
        raise ValidationError(f"No equipment has the code {code!r}.")
    if level not in SCOPE_LEVELS:
        raise ValidationError(f"{code} is not a site, an area or a line (taxonomy level {level}).")


class ReportSubscription(models.Model):
    """Who receives which compliance report, for which part of the plant and how often.

    The cadence is the period the report covers (the previous complete production day, ISO week,
    month or quarter); the report job sends it once the period is over and the plant's local clock
    (PLANT_TIME_ZONE) has passed `send_time`, once per recipient and period."""

    name = models.CharField(max_length=120, unique=True)
    report_kind = models.CharField(max_length=32, choices=ReportKind.choices, default=ReportKind.ISO_COMPLIANCE)
    scope = models.CharField(
        max_length=64, blank=True, default="",
        help_text="Code of a site, area or line: the report covers its subtree. Empty: the whole plant.",
    )
    period_kind = models.CharField(
        max_length=16, choices=ReportPeriodKind.choices, default=ReportPeriodKind.MONTHLY, verbose_name="cadence",
        help_text="Daily, weekly or monthly (or quarterly): each report covers the previous complete period.",
    )
    send_time = models.TimeField(
        default=DEFAULT_SEND_TIME, help_text="Local time in the plant's time zone after which a due report is sent.",
    )
    recipients = ArrayField(
        models.EmailField(), help_text="E-mail addresses, comma-separated."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "report_subscription"
        ordering = ["name"]
        verbose_name = "report subscription"

    def __str__(self) -> str:
        return self.name

    # Checked here rather than as field validators: a field validator is written into the migrations by its
    # import path, and migrations import no app module (docs/architecture.md).
    FIELD_CHECKS = {"recipients": validate_recipients, "scope": validate_scope}

    def clean_fields(self, exclude=None) -> None:
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name, check in self.FIELD_CHECKS.items():
            if name in (exclude or ()) or name in errors:
                continue
            try:
                check(getattr(self, name))
            except ValidationError as error:
                errors[name] = error.error_list
        if errors:
            raise ValidationError(errors)


class ComplianceReport(models.Model):
    """One generated report for one period, as it was sent: HTML body, PDF and CSV data.

    Generated once per kind and period; a retry reuses it, so every recipient receives the same
    document, and `content_hash` proves it was not changed afterwards.
    """

    report_kind = models.CharField(max_length=32, choices=ReportKind.choices)
    scope = models.CharField(max_length=64, blank=True, default="",
                             help_text="Site, area or line covered (with its subtree); empty: the whole plant")
    period_kind = models.CharField(max_length=16, choices=ReportPeriodKind.choices, blank=True)
    period_start = models.DateField(help_text="First production day covered")
    period_end = models.DateField(help_text="Last production day covered (inclusive)")
    generated_at = models.DateTimeField()
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the HTML, PDF and CSV files")
    html = models.TextField()
    pdf = models.BinaryField()
    csv_files = models.JSONField(default=dict, help_text="CSV data attached to the e-mail, by file name")
    images = models.JSONField(default=dict, help_text="Chart PNGs (base64) by content id, embedded in the HTML")
    summary = models.JSONField(default=dict, help_text="Per-section status and headline figures")

    class Meta:
        db_table = "compliance_report"
        ordering = ["-period_start", "report_kind"]
        verbose_name = "compliance report"
        constraints = [
            models.UniqueConstraint(
                fields=["report_kind", "scope", "period_start", "period_end"],
                name="compliance_report_once_per_scope_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="compliance_report_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_report_kind_display()} {self.scope or 'plant'} {self.period_start}…{self.period_end}"


class ReportDelivery(models.Model):
    """One recipient's copy of one report. The row is claimed (committed) before the e-mail is sent,
    so a retried job finds it and never sends the same report for the same period twice."""

    report = models.ForeignKey(ComplianceReport, on_delete=models.PROTECT, related_name="deliveries")
    subscription = models.ForeignKey(
        ReportSubscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    recipient = models.EmailField()
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.CLAIMED)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)

    class Meta:
        db_table = "report_delivery"
        ordering = ["-claimed_at"]
        verbose_name = "report delivery"
        verbose_name_plural = "report deliveries"
        constraints = [
            # (report, recipient) is (report kind, scope, period, recipient): a report is unique per kind,
            # scope and period.
            models.UniqueConstraint(fields=["report", "recipient"], name="report_delivery_once_per_recipient"),
            models.CheckConstraint(
                condition=Q(status=DeliveryStatus.CLAIMED) | Q(sent_at__isnull=False),
                name="report_delivery_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} → {self.recipient} ({self.status})"
