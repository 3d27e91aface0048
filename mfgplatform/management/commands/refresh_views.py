"""Refresh the KPI materialized views in dependency order and log each refresh."""

from django.core.management.base import BaseCommand, CommandError

from mfgplatform.models import RefreshOutcome
from mfgplatform.views_registry import refresh_order, refresh_views


class Command(BaseCommand):
    help = (
        "Refresh the materialized views (all, or the named ones and the views that depend on them). "
        "A never-populated view gets a plain refresh, later ones run CONCURRENTLY."
    )

    def add_arguments(self, parser):
        parser.add_argument("views", nargs="*", help="View names (default: all registered views)")
        parser.add_argument("--blocking", action="store_true", help="Plain REFRESH even when populated")
        parser.add_argument("--list", action="store_true", help="Print the refresh order and exit")

    def handle(self, *args, views, blocking, list, **options):
        names = views or None
        try:
            order = refresh_order(names)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if list:
            for view in order:
                deps = ", ".join(view.depends_on) or "-"
                self.stdout.write(f"{view.name:<28} {view.app_label:<12} after: {deps}")
            return
        log = refresh_views(names, concurrently=False if blocking else None, triggered_by="manage.py refresh_views")
        for entry in log:
            mode = "concurrently" if entry.concurrently else "plain"
            if entry.outcome == RefreshOutcome.SUCCESS:
                self.stdout.write(
                    f"{entry.view_name:<28} {entry.duration_seconds:8.3f} s {entry.row_count:>10} rows  {mode}"
                )
            else:
                self.stderr.write(f"{entry.view_name:<28} {entry.outcome}: {entry.error}")
        if any(entry.outcome != RefreshOutcome.SUCCESS for entry in log):
            raise CommandError("some views did not refresh; see mv_refresh_log")
