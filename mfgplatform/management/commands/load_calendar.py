"""Extend dim_date: insert the missing days of a range, each with its creation history record."""

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from mfgplatform.reference_data import load_calendar_days, reference_reason
from mfgplatform.system_account import record_system_event, system_user

REASON = reference_reason("load_calendar")


def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"not an ISO date (YYYY-MM-DD): {value!r}") from error


class Command(BaseCommand):
    help = (
        "Insert the dim_date rows of a date range that do not exist yet (existing days are left "
        "unchanged), using the fiscal-year start and holiday country from the settings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", help="First day, YYYY-MM-DD (default: CALENDAR_START_DATE)")
        parser.add_argument("--end", help="Last day, YYYY-MM-DD (default: CALENDAR_END_DATE)")

    def handle(self, *args, start: str | None, end: str | None, **options) -> None:
        first = _iso_date(start or settings.CALENDAR_START_DATE)
        last = _iso_date(end or settings.CALENDAR_END_DATE)
        if last < first:
            raise CommandError(f"--end {last} is before --start {first}")
        account = system_user()
        with transaction.atomic():
            inserted = load_calendar_days(
                apps,
                first,
                last,
                fiscal_start_month=settings.FISCAL_YEAR_START_MONTH,
                holiday_country=settings.CALENDAR_HOLIDAY_COUNTRY,
                reason=REASON,
                user_id=account.pk,
            )
            record_system_event(
                "master_data.calendar_loaded", account, command="load_calendar", reason=REASON,
                start=first.isoformat(), end=last.isoformat(), inserted=inserted,
            )
        present = (last - first).days + 1 - inserted
        self.stdout.write(
            self.style.SUCCESS(f"dim_date {first}..{last}: {inserted} day(s) inserted, {present} already present")
        )
