"""Answer a question about the KPIs in plain English or German."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from ontology.ask import answer_question
from ontology.ask.render import as_text


def _instant(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--now needs an ISO-8601 date-time, got {value!r}") from error


class Command(BaseCommand):
    help = 'Answer a question from the KPI model, e.g. manage.py ask "OEE of Pressing line 1 last week by shift"'

    def add_arguments(self, parser):
        parser.add_argument("question")
        parser.add_argument("--now", help="Freeze the clock (ISO 8601, plant time when no offset is given)")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--explain", action="store_true",
                            help="Show each phrase's candidate meanings with their priorities")

    def handle(self, *args, **options):
        now = _instant(options["now"]) if options["now"] else None
        answer = answer_question(options["question"], now=now, channel="command")
        if options["format"] == "json":
            self.stdout.write(json.dumps(answer, indent=2, default=str, ensure_ascii=False))
        else:
            self.stdout.write(as_text(answer, explain=options["explain"]), ending="")
