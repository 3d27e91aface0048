"""Refresh the KPI views in dependency order and log each refresh."""

from django.core.management.base import BaseCommand, CommandError

from mfgplatform.aggregates.calendar_settings import CalendarSettingsChanged
from mfgplatform.aggregates.registry import IncrementalAggregate, refresh_plan, refresh_views, registered_views
from mfgplatform.models import RefreshOutcome


class Command(BaseCommand):
    help = (
        "Refresh the materialized views and run the passes of the incremental aggregates (all, or the named ones "
        "and the views that depend on them). A never-populated view gets a plain refresh, later ones run "
        "CONCURRENTLY; an incremental pass re-aggregates what was written since the last one."
    )

    def add_arguments(self, parser):
        parser.add_argument("views", nargs="*", help="View names (default: all registered views)")
        parser.add_argument("--blocking", action="store_true", help="Plain REFRESH even when populated")
        parser.add_argument("--full", action="store_true",
                            help="Rebuild the incremental aggregates from everything their sources hold (for writes "
                                 "that bypassed the ingest paths); materialized views always refresh in full")
        parser.add_argument("--list", action="store_true", help="Print the refresh order and exit")

    def handle(self, *args, views, blocking, full, list, **options):
        names = views or None
        try:
            order = refresh_plan(names)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if list:
            for view in order:
                deps = ", ".join(view.depends_on) or "-"
                self.stdout.write(f"{view.name:<28} {view.app_label:<12} {_kind(view):<12} after: {deps}")
            return
        triggered_by = "manage.py refresh_views" + (" --full" if full else "")
        try:
            log = refresh_views(names, concurrently=False if blocking else None, full=full,
                                triggered_by=triggered_by)
        except CalendarSettingsChanged as changed:
            raise CommandError(str(changed)) from changed
        kinds = registered_views()
        for entry in log:
            if entry.outcome != RefreshOutcome.SUCCESS:
                self.stderr.write(f"{entry.view_name:<28} {entry.outcome}: {entry.error}")
            elif isinstance(kinds.get(entry.view_name), IncrementalAggregate):
                mode = "rebuilt" if full else "incremental"
                self.stdout.write(
                    f"{entry.view_name:<28} {entry.duration_seconds:8.3f} s {entry.row_count:>10} rows written  {mode}"
                )
            else:
                mode = "concurrently" if entry.concurrently else "plain"
                self.stdout.write(
                    f"{entry.view_name:<28} {entry.duration_seconds:8.3f} s {entry.row_count:>10} rows  {mode}"
                )
        if any(entry.outcome != RefreshOutcome.SUCCESS for entry in log):
            raise CommandError("some views did not refresh; see mv_refresh_log")


def _kind(view) -> str:
    return "incremental" if isinstance(view, IncrementalAggregate) else "materialized"
