"""Generate the ISO compliance report for a period and scope (the plant, or a site, area or line);
optionally e-mail it to the subscribers of that scope (once per recipient)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mfgplatform.compliance.delivery import claim_deliveries, report_for_period, send_claimed
from mfgplatform.compliance.periods import parse_period
from mfgplatform.models import ReportSubscription
from mfgplatform.models.reports import validate_scope


class Command(BaseCommand):
    help = (
        "Generate (or reuse) the compliance report for a period: ISO 22400 OEE, ISO 9001 quality, ISO 14224 "
        "reliability, data retention and audit-trail completeness. --email sends it to the recipients of the "
        "active subscriptions (and --to), never twice to the same address for the same period."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", default="monthly",
                            help="daily|weekly|monthly|quarterly (previous complete one), YYYY-MM-DD, YYYY-Www, "
                                 "YYYY-MM, YYYY-Qn or YYYY-MM-DD..YYYY-MM-DD (default: monthly)")
        parser.add_argument("--scope", default="",
                            help="A site, area or line code: the report covers its subtree (default: the whole plant)")
        parser.add_argument("--email", action="store_true", help="E-mail the report")
        parser.add_argument("--to", action="append", default=[], help="An extra recipient (repeatable)")
        parser.add_argument("--output", type=Path, help="Also write the HTML, PDF and CSV files to this directory")

    def handle(self, *args, period: str, email: bool, to: list[str], output: Path | None, scope: str = "",
               **options):
        try:
            report_period = parse_period(period)
            validate_scope(scope)
        except (ValueError, ValidationError) as error:
            raise CommandError("; ".join(getattr(error, "messages", [str(error)]))) from error
        report, created = report_for_period(report_period, scope=scope)
        verb = "Generated" if created else "Reused the stored"
        self.stdout.write(f"{verb} report #{report.pk} for {report_period.label}: status {report.summary['status']}")
        for key, section in report.summary["sections"].items():
            self.stdout.write(f"  {key:<12} {section['status']:<12} {section['summary']}")
        if output is not None:
            self._write_files(report, output)
        if email:
            subscriptions = ReportSubscription.objects.filter(is_active=True, scope=scope)
            recipients = [address for subscription in subscriptions for address in subscription.recipients] + to
            if not recipients:
                raise CommandError("No recipients: add a report subscription in the admin or pass --to")
            outcome = send_claimed(report, claim_deliveries(report, recipients))
            self.stdout.write(f"Sent to: {', '.join(outcome.sent) or 'nobody new'}")
            if outcome.already_sent:
                self.stdout.write(f"Already sent for this period to: {', '.join(outcome.already_sent)}")

    def _write_files(self, report, output: Path) -> None:
        output.mkdir(parents=True, exist_ok=True)
        stem = f"iso-compliance-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}"
        (output / f"{stem}.html").write_text(report.html, encoding="utf-8")
        (output / f"{stem}.pdf").write_bytes(bytes(report.pdf))
        for name, content in report.csv_files.items():
            (output / name).write_text(content, encoding="utf-8")
        self.stdout.write(f"Files written to {output}")
