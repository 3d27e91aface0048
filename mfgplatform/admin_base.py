"""Shared admin bases: master data (history, change reasons, service-backed saves) and read-only facts.

Master data admins record every edit with django-simple-history, the acting user and a change reason
typed on the form. Models with invariants beyond constraints (tree paths, attribute schemas) save
through their domain service, so the admin is never a weaker write path than an import or a command.

Fact tables hold millions of rows. Their admins are read-only and never count the table: the
paginator estimates the count from the planner, the full-count link is off, and the date navigation
reads only MIN/MAX over an indexed column instead of Django's DISTINCT over the whole table.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Max, Min
from django.utils.functional import cached_property
from simple_history.admin import SimpleHistoryAdmin

from . import bounds
from .admin_history import ReadableHistoryHelper
from .calendar import UNSCHEDULED
from .hierarchy import MAX_CHANGE_REASON_LENGTH, set_history_context
from .imports.admin import CatalogImportExportMixin

# --- Counting without COUNT(*) -----------------------------------------------------------------


def planner_row_estimate(queryset: models.QuerySet) -> int | None:
    """The planner's row estimate for `queryset` (EXPLAIN, no execution), or None if unavailable.

    For an unfiltered table this is the statistics' tuple count (pg_class.reltuples, summed over
    the chunks of a hypertable) scaled to the current size; for a filtered one, the selectivity
    estimate of its WHERE clause.
    """
    try:
        plan = json.loads(queryset.order_by().select_related(None).values("pk").explain(format="json"))
    except (ValueError, TypeError):
        return None
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """A paginator that counts exactly only when the planner expects a small result.

    Above `exact_count_threshold` estimated rows the page numbers rest on the estimate, which is
    typically within a few percent; that is the price of a list that answers in milliseconds on
    a table of millions of rows.
    """

    exact_count_threshold = 10_000

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, models.QuerySet):
            return super().count
        estimate = planner_row_estimate(self.object_list)
        if estimate is not None and estimate > self.exact_count_threshold:
            return estimate
        return self.object_list.count()


# --- Date navigation over an indexed column ------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # exclusive


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


@dataclass(frozen=True)
class IndexedDateHierarchy:
    """Year → month → day navigation filtering on `<field>__gte` / `<field>__lt`.

    `field` is either a foreign key to dim_date (stored as the integer YYYYMMDD date key, the
    production day) or a DateTimeField (periods in UTC). Both must be indexed: the choices come
    from MIN and MAX of the field, which PostgreSQL answers from the index ends.
    """

    field: str
    is_date_key: bool = True

    @property
    def gte_param(self) -> str:
        return f"{self.field}__gte"

    @property
    def lt_param(self) -> str:
        return f"{self.field}__lt"

    def encode(self, day: dt.date) -> str:
        if self.is_date_key:
            return str(day.year * 10000 + day.month * 100 + day.day)
        return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).isoformat()

    def decode(self, value: Any) -> dt.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).date()
        if isinstance(value, dt.date):
            return value
        if self.is_date_key:
            key = int(value)
            return dt.date(key // 10000, key // 100 % 100, key % 100)
        return dt.datetime.fromisoformat(str(value)).astimezone(dt.UTC).date()

    def selected_period(self, params: dict[str, Any]) -> Period | None:
        try:
            start, end = self.decode(params.get(self.gte_param)), self.decode(params.get(self.lt_param))
        except (TypeError, ValueError):
            return None
        if start is None or end is None:
            return None
        return Period(start, end)

    def bounds(self, queryset: models.QuerySet) -> tuple[dt.date | None, dt.date | None]:
        column = f"{self.field}_id" if self.is_date_key else self.field
        edges = queryset.order_by().aggregate(first=Min(column), last=Max(column))
        return self.decode(edges["first"]), self.decode(edges["last"])

    def context(self, changelist) -> dict[str, Any]:
        """Context for Django's admin/date_hierarchy.html."""
        first, last = self.bounds(changelist.queryset)
        if first is None or last is None:
            return {"show": False}
        selected = self.selected_period(changelist.params)

        def link(period: Period | None) -> str:
            if period is None:
                return changelist.get_query_string(remove=[f"{self.field}__"])
            return changelist.get_query_string(
                {self.gte_param: self.encode(period.start), self.lt_param: self.encode(period.end)},
                [f"{self.field}__"],
            )

        back = None
        level = "top"
        if selected is not None:
            span = (selected.end - selected.start).days
            level = "day" if span <= 1 else "month" if span <= 31 else "year"
        if level == "top" and first.year == last.year:
            level = "year"  # a single year: go straight to its months, as Django does
        if level == "top":
            choices = [
                Period(dt.date(year, 1, 1), dt.date(year + 1, 1, 1)) for year in range(first.year, last.year + 1)
            ]
            titles = [str(period.start.year) for period in choices]
        elif level == "year":
            if selected is not None:
                back = {"link": link(None), "title": "All dates"}
            months = []
            month = dt.date(first.year, first.month, 1)
            while month <= last:
                months.append(Period(month, _next_month(month)))
                month = _next_month(month)
            choices, titles = months, [period.start.strftime("%B %Y") for period in months]
        elif level == "month":
            year_start = dt.date(first.year, 1, 1)
            back = {"link": link(Period(year_start, dt.date(first.year + 1, 1, 1))), "title": str(first.year)}
            days = [
                Period(first + dt.timedelta(days=offset), first + dt.timedelta(days=offset + 1))
                for offset in range((last - first).days + 1)
            ]
            choices, titles = days, [period.start.strftime("%d %B").lstrip("0") for period in days]
        else:
            month_start = dt.date(first.year, first.month, 1)
            back = {"link": link(Period(month_start, _next_month(month_start))), "title": month_start.strftime("%B %Y")}
            choices, titles = [], []
        return {
            "show": True,
            "back": back,
            "choices": [{"link": link(period), "title": title} for period, title in zip(choices, titles, strict=True)],
        }


# --- Admin bases ---------------------------------------------------------------------------------


class ChangeReasonForm(forms.ModelForm):
    """A model form with the change reason that the history records next to the user."""

    change_reason = forms.CharField(
        max_length=MAX_CHANGE_REASON_LENGTH,
        required=False,
        help_text="Why this change? Shown in the history next to your name.",
    )

    def validate_with_service(self) -> None:
        """Run the domain service's checks on `self.instance`; subclasses override."""

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        problems = bounds.row_problems(self.instance)
        if problems:
            self._update_errors(ValidationError({
                name if name in self.fields else NON_FIELD_ERRORS: reason for name, reason in problems.items()}))
            return
        try:
            self.validate_with_service()
        except ValidationError as error:
            self._update_errors(error)


class MasterDataAdmin(CatalogImportExportMixin, SimpleHistoryAdmin):
    """Base admin for dimensions, reference code lists and ontology terms: history with user and
    reason, CSV/XLSX import and export keyed by business codes (set `resource_classes`)."""

    form = ChangeReasonForm
    list_per_page = 100
    save_on_top = True
    readonly_fields: tuple[str, ...] = ("created_at", "updated_at")
    # History needs the history model's own view permission, which the Viewer role lacks.
    enforce_history_permissions = True

    def get_historical_record_context_helper(self, request, historical_record):
        # Changed keys of JSON attributes and choice labels instead of raw values.
        return ReadableHistoryHelper(self.model, historical_record)

    # Not named after the form field: a read-only form renders each field through the admin's attribute
    # lookup and would call a method of the same name as a display function.
    def history_reason(self, request, form, change: bool) -> str:
        """The reason typed on the form, or a plain default that still names the admin as the source."""
        typed = form.cleaned_data.get("change_reason", "") if form is not None else ""
        return typed or ("edited in the admin" if change else "created in the admin")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Nothing will be saved, so there is no reason to ask for.
            fields = [name for name in fields if name != "change_reason"]
        return fields

    def save_with_service(self, request, obj, reason: str) -> None:
        """Save `obj`; admins of models with invariants override this to call their service."""
        set_history_context(obj, user=request.user, reason=reason)
        obj.save()

    def save_model(self, request, obj, form, change) -> None:
        self.save_with_service(request, obj, self.history_reason(request, form, change))

    def delete_model(self, request, obj) -> None:
        set_history_context(obj, user=request.user, reason="deleted in the admin")
        obj.delete()

    def delete_queryset(self, request, queryset) -> None:
        # One delete per row: QuerySet.delete() on a tracked model would skip the history records.
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdminMixin:
    """Viewable, never writable from the admin (facts arrive through loaders, events through code)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LargeTableAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only list of a table with millions of rows: no COUNT, no DISTINCT, indexed navigation."""

    change_list_template = "admin/large_table_change_list.html"
    # Row links without the current filters: preserving them resolves the URL of every row again (50
    # URL resolutions a page); a record of a fact is read-only, so there is no save to return from.
    preserve_filters = False
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    # Icontains search would scan the table; fact admins search by exact keys only, if at all.
    search_fields: tuple[str, ...] = ()
    indexed_date_hierarchy: IndexedDateHierarchy | None = None

    def changelist_view(self, request, extra_context=None):
        # No navigation sidebar: the fact tables are wide, and rendering the sidebar's links to every
        # model was a seventh of the page's server time.
        extra_context = {**(extra_context or {}), "indexed_date_hierarchy": self.indexed_date_hierarchy,
                         "is_nav_sidebar_enabled": False}
        return super().changelist_view(request, extra_context)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.concrete_fields]


class ShiftFilter(admin.RelatedFieldListFilter):
    """Filter facts by shift; facts outside every shift occurrence (no shift) are offered as Unscheduled."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_value_display = UNSCHEDULED


def shift_label(obj) -> str:
    """A fact's shift for the changelists: its code, or Unscheduled outside every shift occurrence."""
    return obj.shift.code if obj.shift_id else UNSCHEDULED


def duration_minutes(started_at, ended_at) -> str:
    """A fact's duration for the changelists: minutes with one decimal, "open" while it runs."""
    if ended_at is None:
        return "open"
    return f"{(ended_at - started_at).total_seconds() / 60:,.1f}"
