"""Compute catalog KPIs for an equipment set, a date range and a granularity."""

import datetime as dt
import math

from django.core.management.base import BaseCommand, CommandError

from mfgplatform.aggregates.calendar_settings import CalendarSettingsChanged
from mfgplatform.kpi import Granularity, GroupBy, compute_kpis, kpi_formulas, listing
from mfgplatform.kpi.listing import occurrence_elements
from mfgplatform.kpi.output import as_csv, as_json, as_table
from mfgplatform.kpi.reference import ReferenceFetch, compare_with_views
from mfgplatform.kpi.service import resolve_dates, resolve_equipment
from mfgplatform.models import KpiDefinition


def same_value(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


class Command(BaseCommand):
    help = (
        "Compute KPIs as ratios of summed elements. Example: manage.py kpi oee availability "
        "--equipment LINE-1 --range last_month --granularity day --format table. "
        "`manage.py kpi elements …` lists every ISO 22400 element per work unit × shift occurrence instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("kpis", nargs="*",
                            help="KPI codes from the catalog (see --list), or `elements` alone for the elements "
                                 "per unit × shift occurrence (with --equipment, --class, --shift, the range and "
                                 "--format)")
        parser.add_argument("--list", action="store_true", help="List the catalog and which KPIs are computable")
        parser.add_argument("--equipment", action="append", default=[],
                            help="Equipment, line, area or site code (its whole subtree); repeatable")
        parser.add_argument("--class", dest="classes", action="append", default=[],
                            help="ISO 14224 equipment class code; repeatable")
        parser.add_argument("--range", dest="date_range", help="Named date range code, e.g. last_month")
        parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, help="First production date")
        parser.add_argument("--to", dest="end", type=dt.date.fromisoformat, help="Last production date")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="Reference day for named ranges")
        parser.add_argument("--granularity", choices=Granularity.ALL, default=Granularity.TOTAL)
        parser.add_argument("--by", dest="group_by", choices=GroupBy.ALL, default=GroupBy.NONE)
        parser.add_argument("--failure-mode", help="ISO 14224 failure mode code (reliability KPIs)")
        parser.add_argument("--characteristic", help="Measured characteristic (capability indices)")
        parser.add_argument("--product", help="Product code (capability indices)")
        parser.add_argument("--shift", help="Shift code: only that shift pattern's occurrences")
        parser.add_argument("--from-facts", action="store_true",
                            help="Compute the KPIs with the plain-Python reference straight from the facts and "
                                 "list every element and KPI in which the views differ from it (on stderr; exit "
                                 "status 1 when any does)")
        parser.add_argument("--format", choices=("table", "json", "csv"), default="table")

    def handle(self, *args, **options):
        if options["list"]:
            self._list()
            return
        if not options["kpis"]:
            raise CommandError("name at least one KPI (see --list)")
        if "elements" in options["kpis"]:
            self._elements(options)
            return
        selection = {
            "equipment": options["equipment"], "equipment_classes": options["classes"], "start": options["start"],
            "end": options["end"], "date_range": options["date_range"], "today": options["today"],
            "granularity": options["granularity"], "group_by": options["group_by"],
            "failure_mode": options["failure_mode"], "characteristic": options["characteristic"],
            "product": options["product"], "shift": options["shift"],
        }
        fetch = ReferenceFetch() if options["from_facts"] else None
        try:
            results = compute_kpis(options["kpis"], fetch=fetch, **selection)
        except (ValueError, CalendarSettingsChanged) as error:
            raise CommandError(str(error)) from error
        render = {"table": as_table, "json": as_json, "csv": as_csv}[options["format"]]
        self.stdout.write(render(results), ending="")
        if fetch is not None:
            self._compare(results, fetch, selection)

    def _compare(self, results, fetch: ReferenceFetch, selection: dict) -> None:
        """The views against the reference: every element of every unit × occurrence in the selection,
        then the KPIs as the views give them."""
        dates = resolve_dates(start=selection["start"], end=selection["end"], date_range=selection["date_range"],
                              today=selection["today"])
        reference = next(iter(fetch.computed.values()), None) or fetch.compute(dates.start, dates.end)
        differences = [str(d) for d in compare_with_views(
            reference, resolve_equipment(selection["equipment"], selection["equipment_classes"]))]
        from_views = compute_kpis([r.kpi for r in results if r.kpi in kpi_formulas()], **selection)
        expected = {(r.kpi, r.period, r.group): r.value for r in results}
        for result in from_views:
            value = expected.get((result.kpi, result.period, result.group))
            if not same_value(result.value, value):
                differences.append(f"{result.kpi} {result.group or ''} {result.period}: view {result.value}, "
                                   f"reference {value}")
        if not differences:
            self.stderr.write(f"The views equal the reference ({len(reference.time_model)} unit × shift rows, "
                              f"{dates.start}..{dates.end}).")
            return
        self.stderr.write(f"The views differ from the reference in {len(differences)} places:")
        for line in differences:
            self.stderr.write(f"  {line}")
        raise CommandError(f"the views differ from the reference in {len(differences)} places")

    def _elements(self, options):
        if options["kpis"] != ["elements"]:
            raise CommandError("`elements` lists the elements alone: name no KPI with it")
        for option in ("granularity", "group_by", "failure_mode", "characteristic", "product", "from_facts"):
            default = {"granularity": Granularity.TOTAL, "group_by": GroupBy.NONE}.get(option)
            if options[option] not in (default, False):
                raise CommandError(f"--{option.replace('_', '-')} does not apply to `elements` "
                                   "(always one row per work unit × shift occurrence)")
        try:
            rows = occurrence_elements(
                equipment=options["equipment"], equipment_classes=options["classes"], start=options["start"],
                end=options["end"], date_range=options["date_range"], today=options["today"], shift=options["shift"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(listing.RENDERERS[options["format"]](rows), ending="")

    def _list(self):
        formulas = kpi_formulas()
        catalog = {row.code: row for row in KpiDefinition.objects.all()}
        for code in sorted(set(formulas) | set(catalog)):
            formula = formulas.get(code)
            status = "computable" if formula else "not supported by the recorded data"
            name = formula.name if formula else catalog[code].name
            self.stdout.write(f"{code:<38} {status:<36} {name}")
