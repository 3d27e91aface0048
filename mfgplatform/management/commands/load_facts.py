"""Bulk-load one CSV file of facts; a file with any bad value lands nothing (docs/ingest.md)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mfgplatform.aggregates.calendar_settings import CalendarSettingsChanged
from mfgplatform.db_faults import EXIT_TEMPFAIL
from mfgplatform.ingest.facts import fact_formats
from mfgplatform.ingest.loader import DatabaseUnavailable, load_csv, write_rejects


class Command(BaseCommand):
    help = "Load facts from CSV keyed by business codes (COPY → SQL validation → one transaction)."

    def add_arguments(self, parser):
        parser.add_argument("fact", choices=sorted(fact_formats()),
                            help="Fact type (docs/ingest.md lists the columns).")
        parser.add_argument("file", help="CSV file with a header row, or - for standard input.")
        parser.add_argument("--rejects", type=Path,
                            help="Write the rejects report (row, column, reason) here instead of to stderr.")

    def handle(self, *args, fact: str, file: str, rejects: Path | None, **options):
        try:
            result = self._load(fact, file)
        except CalendarSettingsChanged as changed:
            raise CommandError(f"Not loaded: {changed}") from changed
        except DatabaseUnavailable as unavailable:
            # Exit 75 (EX_TEMPFAIL), not 1: the file is fine, the same command can simply run again.
            raise CommandError(f"Not loaded: {unavailable}.", returncode=EXIT_TEMPFAIL) from unavailable
        if not result.ok:
            if rejects:
                with rejects.open("w", newline="", encoding="utf-8") as out:
                    write_rejects(result.rejects, out)
            else:
                write_rejects(result.rejects, self.stderr)
            more = " (report truncated)" if result.rejects_truncated else ""
            raise CommandError(f"Rejected: {len(result.rejects)} problem(s){more}; nothing was loaded.")
        skipped = f", {result.skipped:,} already present" if result.skipped else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {result.inserted:,} {fact} rows{skipped} in {result.seconds:.2f} s "
                f"({result.rows_per_second():,.0f} rows/s), batch {result.batch}."
            )
        )

    def _load(self, fact: str, file: str):
        if file == "-":
            return load_csv(fact, sys.stdin.buffer)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open("rb") as stream:
            return load_csv(fact, stream)
