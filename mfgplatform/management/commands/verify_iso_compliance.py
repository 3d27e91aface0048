"""Check that the installation is complete and consistent; exit 0 only when every check passes."""

import textwrap

from django.core.management.base import BaseCommand, CommandError

from mfgplatform.compliance.verification import run_checks

WIDTHS = (46, 6, 60)


class Command(BaseCommand):
    help = (
        "Verify the installation: schema objects, hypertable, views with unique indexes, reference code lists, "
        "views populated and fresh, jobs scheduled, KPIs from the views equal to the reference, audit trail "
        "complete. Exit code 0 only when everything holds."
    )

    def handle(self, *args, **options):
        results = run_checks()
        header = f"{'check':<{WIDTHS[0]}} {'result':<{WIDTHS[1]}} detail"
        self.stdout.write(header)
        self.stdout.write("-" * len(header.expandtabs()) + "-" * 50)
        for result in results:
            status = self.style.SUCCESS("PASS") if result.passed else self.style.ERROR("FAIL")
            lines = textwrap.wrap(result.detail, WIDTHS[2]) or [""]
            self.stdout.write(f"{result.name:<{WIDTHS[0]}} {status:<{WIDTHS[1]}} {lines[0]}")
            for line in lines[1:]:
                self.stdout.write(f"{'':<{WIDTHS[0]}} {'':<{WIDTHS[1]}} {line}")
            if not result.passed:
                self.stdout.write(f"{'':<{WIDTHS[0]}} {'':<{WIDTHS[1]}} fix: {result.fix}")
        failed = [result.name for result in results if not result.passed]
        if failed:
            raise CommandError(f"{len(failed)} of {len(results)} checks failed: {', '.join(failed)}")
        self.stdout.write(self.style.SUCCESS(f"All {len(results)} checks passed."))
