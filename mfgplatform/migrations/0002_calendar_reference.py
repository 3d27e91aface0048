"""Calendar reference data: one dim_date row per day of the configured range, the 1,440 minutes of
dim_time, each with its creation history record.

The range comes from CALENDAR_START_DATE / CALENDAR_END_DATE; `manage.py load_calendar` extends it
later without a migration.
"""

import datetime as dt

from django.conf import settings
from django.db import migrations

from mfgplatform.migrations.frozen.reference_data_v1 import (
    date_keys,
    delete_by_codes,
    load_calendar_days,
    load_times_of_day,
    reference_reason,
)

REASON = reference_reason("0002_calendar_reference")


def _configured_range() -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(settings.CALENDAR_START_DATE), dt.date.fromisoformat(settings.CALENDAR_END_DATE)


def load_calendar(apps, schema_editor):
    start, end = _configured_range()
    load_calendar_days(
        apps,
        start,
        end,
        fiscal_start_month=settings.FISCAL_YEAR_START_MONTH,
        holiday_country=settings.CALENDAR_HOLIDAY_COUNTRY,
        reason=REASON,
    )
    load_times_of_day(apps, REASON)


def unload_calendar(apps, schema_editor):
    start, end = _configured_range()
    delete_by_codes(apps, "mfgplatform", "DimDate", date_keys(start, end), REASON, key_field="date_key")
    delete_by_codes(apps, "mfgplatform", "DimTime", range(24 * 60), REASON, key_field="minute_of_day")


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0001_initial")]

    operations = [migrations.RunPython(load_calendar, unload_calendar)]
