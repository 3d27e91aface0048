"""What a workbench page shows, read from its URL: equipment node, date range, granularity.

Every page keeps its whole state in the query string, so a view is bookmarkable and a link can
change one part of it (`Selection.query(node="LINE-1")`) while keeping the rest.

    node=LINE-1               an equipment code (the node and its subtree); absent = the whole plant
    range=last_7_days         a named range from dim_date_range, resolved in the plant's time zone
    start=2025-03-01&end=…    custom production dates (used when no range is given)
    granularity=day           shift, day, week or month, for trends
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from equipment.models import Equipment
from mfgplatform import calendar
from mfgplatform.choices import DateRangeRule
from mfgplatform.models import DimDateRange

DEFAULT_RANGE = "last_7_days"
GRANULARITIES = ("shift", "day", "week", "month")
DEFAULT_GRANULARITY = "day"


def plant_today() -> dt.date:
    """Today's production date in the plant's time zone."""
    return calendar.production_date(timezone.now(), ZoneInfo(settings.PLANT_TIME_ZONE),
                                    calendar.parse_clock(settings.PRODUCTION_DAY_START))


@dataclass(frozen=True)
class Selection:
    node: Equipment | None
    range_code: str | None
    range_label: str
    start: dt.date
    end: dt.date
    is_partial: bool
    granularity: str = DEFAULT_GRANULARITY
    error: str | None = None  # a bad parameter, shown on the page; the defaults were used instead

    @property
    def equipment(self) -> list[str]:
        """The KPI service's equipment argument: the node, or nothing for the whole plant."""
        return [self.node.code] if self.node else []

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Selection:
        """The period of the same length just before this one (for trends and comparisons)."""
        length = dt.timedelta(days=self.days)
        return replace(self, range_code=None, range_label="previous period", start=self.start - length,
                       end=self.end - length, is_partial=False)

    def params(self, **overrides) -> dict[str, str]:
        values: dict[str, str] = {}
        if self.node:
            values["node"] = self.node.code
        if self.range_code:
            values["range"] = self.range_code
        else:
            values["start"], values["end"] = self.start.isoformat(), self.end.isoformat()
        values["granularity"] = self.granularity
        for key, value in overrides.items():
            if value is None:
                values.pop(key, None)
            else:
                values[key] = str(value)
        if "start" in overrides or "end" in overrides:
            values.pop("range", None)
        return values

    def query(self, **overrides) -> str:
        """The query string of this selection with some parameters changed (None removes one)."""
        return urlencode(self.params(**overrides))


def _parse_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def named_ranges() -> list[DimDateRange]:
    return list(DimDateRange.objects.filter(is_active=True).order_by("id"))


def selection_from(request, *, ranges: list[DimDateRange] | None = None) -> Selection:
    """The selection of a request. An unknown equipment code is a 404 (a broken bookmark should say
    so); bad dates fall back to the default range with a message."""
    query = request.GET
    node = None
    if query.get("node"):
        node = Equipment.objects.filter(code=query["node"]).select_related("equipment_class").first()
        if node is None:
            raise Http404(f"No equipment with code {query['node']!r}")
    granularity = query.get("granularity") if query.get("granularity") in GRANULARITIES else DEFAULT_GRANULARITY
    today = plant_today()
    error = None
    start, end = _parse_date(query.get("start")), _parse_date(query.get("end"))
    range_code = query.get("range") or (None if start or end else DEFAULT_RANGE)
    if range_code is None:
        if start is None or end is None:
            error = "Give both a start and an end date (YYYY-MM-DD)."
        elif end < start:
            error = "The end date is before the start date."
        else:
            return Selection(node, None, f"{start.isoformat()} – {end.isoformat()}", start, end,
                             is_partial=end >= today, granularity=granularity)
        range_code = DEFAULT_RANGE
    ranges = ranges if ranges is not None else named_ranges()
    named = next((r for r in ranges if r.code == range_code), None)
    if named is None and range_code != DEFAULT_RANGE:
        error = error or f"Unknown date range {range_code!r}."
        named = next((r for r in ranges if r.code == DEFAULT_RANGE), None)
    if named is None:
        # The default works even where the date-range catalog was emptied.
        resolved = calendar.resolve_date_range(DateRangeRule.LAST_N_DAYS, today, length_days=7)
        return Selection(node, DEFAULT_RANGE, "Last 7 days", resolved.start, resolved.end, resolved.is_partial,
                         granularity=granularity, error=error)
    resolved = named.resolve(today)
    return Selection(node, named.code, named.name, resolved.start, resolved.end, resolved.is_partial,
                     granularity=granularity, error=error)


COMPARISONS = {"previous": "the period before", "year": "the same dates a year earlier", "custom": "custom dates"}


def comparison_from(request, selection: Selection) -> Selection | None:
    """The range to compare the selection with (like for like: same node, same granularity), from
    `compare=previous|year|custom` (custom: `cstart` and `cend`); None when no comparison is asked for
    or its dates are unusable."""
    kind = request.GET.get("compare")
    if kind == "previous":
        return selection.previous()
    if kind == "year":
        try:
            start, end = selection.start.replace(year=selection.start.year - 1), \
                selection.end.replace(year=selection.end.year - 1)
        except ValueError:  # 29 February
            start, end = selection.start - dt.timedelta(days=365), selection.end - dt.timedelta(days=365)
        return replace(selection, range_code=None, range_label="a year earlier", start=start, end=end,
                       is_partial=False)
    if kind == "custom":
        start, end = _parse_date(request.GET.get("cstart")), _parse_date(request.GET.get("cend"))
        if start and end and start <= end:
            return replace(selection, range_code=None, range_label=f"{start} – {end}", start=start, end=end,
                           is_partial=False)
    return None
