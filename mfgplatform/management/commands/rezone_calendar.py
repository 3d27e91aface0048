"""Change the plant calendar (PLANT_TIME_ZONE, PRODUCTION_DAY_START) of a database that holds history, on
purpose: the facts' production days and shift labels follow the new calendar, an audit event names the old
and new calendar, the user who decided and why, in the same transaction; then every calendar-dependent
aggregate is rebuilt in the new calendar (docs/kpi.md, "Changing the plant calendar")."""

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mfgplatform.aggregates.calendar_settings import (
    calendar_dependent_tables,
    configured_calendar,
    stored_calendar,
    write_calendar,
)
from mfgplatform.aggregates.registry import refresh_views
from mfgplatform.audit import record_event
from mfgplatform.ingest.relabel import mark_rule_labels, relabel
from mfgplatform.models import RefreshOutcome


class Command(BaseCommand):
    help = ("Re-zone the history to the plant calendar the settings name (PLANT_TIME_ZONE, PRODUCTION_DAY_START): "
            "audited, then the calendar-dependent aggregates are rebuilt.")

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username of the person who decided the change.")
        parser.add_argument("--reason", required=True, help="Why the plant calendar changes (kept in the audit log).")

    def handle(self, *args, user, reason, **options):
        stored, configured = stored_calendar(), configured_calendar()
        if stored is None:
            raise CommandError("The plant calendar functions do not exist yet: run `manage.py migrate` first.")
        if stored == configured:
            self.stdout.write(f"The plant calendar is already {configured.describe()}; nothing to do.")
            return
        if not reason.strip():
            raise CommandError("--reason must say why the plant calendar changes.")
        actor = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: user}, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {user!r}: name the person who decided the change.")
        with transaction.atomic():
            mark_rule_labels()
            write_calendar(configured)
            relabelled = relabel()
            record_event(
                "calendar.rezoned", actor=actor, object_type="plant_calendar",
                old_time_zone=stored.time_zone, new_time_zone=configured.time_zone,
                old_day_start=stored.day_start.strftime("%H:%M"), new_day_start=configured.day_start.strftime("%H:%M"),
                reason=reason.strip(), os_user=getpass.getuser(), rebuilt=calendar_dependent_tables(),
                relabelled_facts=relabelled,
            )
        relabelled_text = ", ".join(f"{table} {count:,}" for table, count in relabelled.items())
        self.stdout.write(f"Plant calendar changed from {stored.describe()} to {configured.describe()} "
                          f"(audited for {actor.get_username()}); facts relabelled: {relabelled_text}; "
                          "rebuilding the aggregates …")
        log = refresh_views(full=True, triggered_by="manage.py rezone_calendar")
        failed = [entry for entry in log if entry.outcome != RefreshOutcome.SUCCESS]
        for entry in log:
            self.stdout.write(f"{entry.view_name:<28} {entry.outcome} {entry.duration_seconds or 0:.3f} s")
        if failed:
            raise CommandError("the calendar changed, but some aggregates did not rebuild; see mv_refresh_log and "
                               "run `manage.py refresh_views --full` once fixed.")
