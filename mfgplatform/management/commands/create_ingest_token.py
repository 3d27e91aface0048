"""Issue the token a data source uses to push machine events; it is shown once, only its hash is kept."""

from django.core.management.base import BaseCommand, CommandError

from mfgplatform.models import IngestToken


class Command(BaseCommand):
    help = "Create an ingest API token for a data source and print it (once)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="Name of the data source, e.g. line-1-gateway.")
        parser.add_argument("--replace", action="store_true", help="Revoke the source's current token first.")
        parser.add_argument("--scope", choices=["ingest", "read"], default="ingest",
                            help="ingest: push events; read: ask questions (/api/ask/), nothing written.")

    def handle(self, *args, source: str, replace: bool, scope: str = "ingest", **options):
        existing = IngestToken.objects.filter(source=source)
        if existing.exists():
            if not replace:
                raise CommandError(f"Data source {source!r} already has a token; use --replace to revoke it.")
            existing.delete()
        _, token = IngestToken.issue(source, scope)
        self.stdout.write(token)
