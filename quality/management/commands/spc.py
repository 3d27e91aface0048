"""Statistical process control charts: X̄–R, X̄–S, I–MR, p, np, c, u with Western Electric / Nelson rules."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from quality.spc import CHART_TYPES, RULE_SETS, control_chart, select
from quality.spc.estimators import DESCRIPTIONS as ESTIMATORS
from quality.spc.output import as_csv, as_json, as_table


def _baseline(value: str) -> tuple[dt.date, dt.date]:
    start, separator, end = value.partition("..")
    if not separator:
        raise ValueError("write the baseline as FIRST..LAST, e.g. 2025-01-01..2025-03-31")
    return dt.date.fromisoformat(start), dt.date.fromisoformat(end)


class Command(BaseCommand):
    help = (
        "Control chart of a characteristic (or of attribute inspections) with phase I limits and rule signals. "
        "Example: manage.py spc xbar_r --characteristic bore_diameter --from 2025-01-01 --to 2025-12-31 "
        "--baseline 2025-01-01..2025-03-31 --format table"
    )

    def add_arguments(self, parser):
        parser.add_argument("chart", choices=CHART_TYPES, help="Chart type")
        parser.add_argument("--characteristic", help="Measured characteristic (X̄–R, X̄–S, I–MR)")
        parser.add_argument("--product", help="Product code")
        parser.add_argument("--equipment", action="append", default=[],
                            help="Equipment, line, area or site code (its whole subtree); repeatable")
        parser.add_argument("--defect-type", help="Defect type code (p, np, c, u: only its defects count)")
        parser.add_argument("--range", dest="date_range", help="Named date range code, e.g. last_month")
        parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, help="First production date")
        parser.add_argument("--to", dest="end", type=dt.date.fromisoformat, help="Last production date")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="Reference day for named ranges")
        parser.add_argument("--baseline", help="Phase I production dates FIRST..LAST (default: the whole range)")
        parser.add_argument("--sigma", dest="estimator", choices=sorted(ESTIMATORS),
                            help="σ_within estimator (default: R̄/d₂ for X̄–R, S̄/c₄ for X̄–S, MR̄/d₂ for I–MR)")
        parser.add_argument("--rules", choices=RULE_SETS, default=RULE_SETS[0], help="Rule set")
        parser.add_argument("--points", action="store_true", help="List every point in the table output")
        parser.add_argument("--format", choices=("table", "json", "csv"), default="table")

    def handle(self, *args, **options):
        try:
            baseline = _baseline(options["baseline"]) if options["baseline"] else None
            selection = select(
                options["chart"], characteristic=options["characteristic"], product=options["product"],
                equipment=options["equipment"], start=options["start"], end=options["end"],
                date_range=options["date_range"], today=options["today"], baseline=baseline,
                defect_type=options["defect_type"],
            )
            result = control_chart(selection, estimator=options["estimator"], rule_set=options["rules"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["format"] == "json":
            self.stdout.write(as_json(result))
        elif options["format"] == "csv":
            self.stdout.write(as_csv(result), ending="")
        else:
            self.stdout.write(as_table(result, points=options["points"]), ending="")
