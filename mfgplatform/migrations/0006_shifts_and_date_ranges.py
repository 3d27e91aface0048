"""Default three-shift pattern and the named date ranges that questions and reports use.

Date ranges resolve by the calendar semantics of docs/kpi.md: "last N days" are N complete
production days ending yesterday, "this ..." ranges run to today and are partial.
"""

import datetime as dt

from django.db import migrations

from mfgplatform.migrations.frozen.reference_data_v1 import bulk_load_with_history, delete_by_codes, reference_reason

REASON = reference_reason("0006_shifts_and_date_ranges")

WEEKDAYS = [1, 2, 3, 4, 5]

# (code, name, start, end, sort_order)
SHIFTS = [
    ("A", "Early", dt.time(6, 0), dt.time(14, 0), 1),
    ("B", "Late", dt.time(14, 0), dt.time(22, 0), 2),
    ("C", "Night", dt.time(22, 0), dt.time(6, 0), 3),  # crosses midnight; belongs to the day it starts
]

# (code, name, rule, length_days, description)
DATE_RANGES = [
    ("today", "Today", "today", None, "The current production day so far (partial)."),
    ("yesterday", "Yesterday", "yesterday", None, "The previous production day."),
    ("last_7_days", "Last 7 days", "last_n_days", 7, "7 complete production days ending yesterday."),
    ("last_14_days", "Last 14 days", "last_n_days", 14, "14 complete production days ending yesterday."),
    ("last_30_days", "Last 30 days", "last_n_days", 30, "30 complete production days ending yesterday."),
    ("last_90_days", "Last 90 days", "last_n_days", 90, "90 complete production days ending yesterday."),
    ("this_week", "This week", "this_week", None, "ISO week to date, Monday to today (partial)."),
    ("last_week", "Last week", "last_week", None, "The previous complete ISO week, Monday to Sunday."),
    ("this_month", "This month", "this_month", None, "Month to date (partial)."),
    ("last_month", "Last month", "last_month", None, "The previous complete calendar month."),
    ("this_quarter", "This quarter", "this_quarter", None, "Calendar quarter to date (partial)."),
    ("last_quarter", "Last quarter", "last_quarter", None, "The previous complete calendar quarter."),
    ("this_year", "This year", "this_year", None, "Calendar year to date (partial)."),
    ("last_year", "Last year", "last_year", None, "The previous complete calendar year."),
    ("this_fiscal_year", "This fiscal year", "this_fiscal_year", None, "Fiscal year to date (partial)."),
    ("last_fiscal_year", "Last fiscal year", "last_fiscal_year", None, "The previous complete fiscal year."),
    ("this_fiscal_quarter", "This fiscal quarter", "this_fiscal_quarter", None, "Fiscal quarter to date (partial)."),
    ("last_fiscal_quarter", "Last fiscal quarter", "last_fiscal_quarter", None,
     "The previous complete fiscal quarter."),
]


def load(apps, schema_editor):
    bulk_load_with_history(
        apps,
        "mfgplatform",
        "DimShift",
        [
            {"code": code, "name": name, "start_time": start, "end_time": end, "weekdays": WEEKDAYS,
             "planned_break_minutes": 30, "sort_order": sort_order}
            for code, name, start, end, sort_order in SHIFTS
        ],
        REASON,
    )
    bulk_load_with_history(
        apps,
        "mfgplatform",
        "DimDateRange",
        [
            {"code": code, "name": name, "rule": rule, "length_days": length_days, "description": description}
            for code, name, rule, length_days, description in DATE_RANGES
        ],
        REASON,
    )


def unload(apps, schema_editor):
    delete_by_codes(apps, "mfgplatform", "DimDateRange", [row[0] for row in DATE_RANGES], REASON)
    delete_by_codes(apps, "mfgplatform", "DimShift", [row[0] for row in SHIFTS], REASON)


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0005_audit_log_append_only")]

    operations = [migrations.RunPython(load, unload)]
