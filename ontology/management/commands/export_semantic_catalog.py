"""Write the KPI model as a semantic catalog (Open Semantic Interchange shape, JSON)."""

import json

from django.core.management.base import BaseCommand

from ontology.ask.catalog import semantic_catalog


class Command(BaseCommand):
    help = "Export metrics, dimensions with their members, time grains and synonyms as OSI-shaped JSON."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write (default: standard output)")

    def handle(self, *args, **options):
        text = json.dumps(semantic_catalog(), indent=2, ensure_ascii=False, default=str)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stdout.write(f"wrote {options['output']}")
        else:
            self.stdout.write(text)
