"""What a stored value may be, declared once per field and enforced at every way in.

Every ingress (the ingest API, `load_facts`, admin forms, catalog imports) asks this module, so a
value refused by one is refused by all, with the same reason:

- Numbers come from the model field that stores them: a DecimalField holds at most
  10^(max_digits - decimal_places) in magnitude, an integer field its column type's range, and a
  FloatField (a measured value, a sensor reading, a spec limit) at most MEASURED_VALUE_LIMIT in
  magnitude — far beyond any physical reading in the plant's units, and small enough that sums of
  squares over millions of readings stay finite in float8. NaN and infinities are never accepted.
- Timestamps lie within the calendar: from the first production day dim_date holds to the end of its
  last one, and no later than INGEST_FUTURE_TOLERANCE after now (a source's clock may run ahead;
  a reading from next year is a misconfigured source, not a fact).
- Text holds no NUL character (PostgreSQL cannot store it) and no unpaired surrogate (not Unicode).

docs/ingest.md lists the resulting limits.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models
from django.http import HttpResponseBadRequest

from . import calendar

# Largest magnitude of a measured (float) value. 1e12² × 1e8 readings is 1e32, well within float8.
MEASURED_VALUE_LIMIT = 1e12

_INTEGER_RANGES = {
    models.SmallIntegerField: (-(2**15), 2**15 - 1),
    models.PositiveSmallIntegerField: (0, 2**15 - 1),
    models.IntegerField: (-(2**31), 2**31 - 1),
    models.PositiveIntegerField: (0, 2**31 - 1),
    models.BigIntegerField: (-(2**63), 2**63 - 1),
}


def future_tolerance() -> dt.timedelta:
    return dt.timedelta(seconds=settings.INGEST_FUTURE_TOLERANCE_SECONDS)


# --- numbers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberBound:
    """Accepted magnitudes of one numeric column: |value| < limit (exclusive for decimals, whose
    largest value rounds up to the limit), values below `low` refused."""

    limit: float
    low: float | None = None
    integer: bool = False
    places: int | None = None  # a decimal column rounds to this many places before storing

    def reason(self, value) -> str | None:
        """Why `value` (an int, float or Decimal) cannot be stored here, or None."""
        if isinstance(value, bool):
            return "must be a number"
        if isinstance(value, float | Decimal):
            try:
                if not math.isfinite(value):
                    return "must be a finite number"
            except (OverflowError, InvalidOperation):
                return "must be a finite number"
        if self.integer and isinstance(value, float | Decimal) and value != int(value):
            return "must be a whole number"
        if self.low is not None and value < self.low:
            return "is negative" if self.low == 0 else f"is below {self.low:g}"
        magnitude = abs(value)
        if magnitude < self.limit and self.places is not None:
            # Only below the limit: rounding 1e200 to 3 places needs more digits than any context holds.
            exponent = Decimal(1).scaleb(-self.places)
            magnitude = Decimal(str(magnitude)).quantize(exponent, context=Context(prec=100))
        if magnitude >= self.limit:
            return f"is out of range (at most {self.describe_limit()} in magnitude)"
        return None

    def json_schema(self) -> dict[str, float | int]:
        """The same bound as JSON Schema keywords (the ingest API's OpenAPI document): exactly the
        values `reason` accepts, a decimal column's rounding included (a value that rounds up to the
        limit is refused, so the largest accepted magnitude lies half a unit of the last place below)."""
        if self.integer:
            keywords = {"maximum": int(self.limit) - 1}
            keywords["minimum"] = int(self.low) if self.low is not None else -keywords["maximum"]
            return keywords
        ceiling = self.limit - (0.5 * 10 ** -self.places if self.places is not None else 0)
        keywords: dict[str, float | int] = {"exclusiveMaximum": ceiling}
        if self.low is not None:
            keywords["minimum"] = self.low
        else:
            keywords["exclusiveMinimum"] = -ceiling
        return keywords

    def describe_limit(self) -> str:
        return f"{self.limit - 1:d}" if self.integer else f"{self.limit:g}"

    def sql_reason(self, raw: str) -> str:
        """WHEN clauses giving this bound's reason for the text value `raw`, already known to be a
        finite number (a CASE of facts.column_check)."""
        limit = int(self.limit) if self.integer else self.limit
        magnitude = f"abs({raw}::numeric)" if self.places is None else f"round(abs({raw}::numeric), {self.places})"
        return (f"WHEN {magnitude} >= {limit!r} "
                f"THEN 'is out of range (at most {self.describe_limit()} in magnitude)'")


def number_bound(field: models.Field) -> NumberBound | None:
    """The bound a model field declares by its type and precision, or None for a non-numeric field."""
    for kind, (low, high) in _INTEGER_RANGES.items():
        if type(field) is kind:
            return NumberBound(limit=high + 1, low=low if low == 0 else None, integer=True)
    if isinstance(field, models.DecimalField):
        return NumberBound(limit=float(10 ** (field.max_digits - field.decimal_places)), places=field.decimal_places)
    if isinstance(field, models.FloatField):
        return NumberBound(limit=MEASURED_VALUE_LIMIT)
    return None


def field_bound(model: type[models.Model], name: str, *, nonnegative: bool = False) -> NumberBound:
    bound = number_bound(model._meta.get_field(name))
    if bound is None:
        raise TypeError(f"{model._meta.label}.{name} is not numeric")
    if nonnegative and bound.low is None:
        bound = NumberBound(limit=bound.limit, low=0, integer=bound.integer, places=bound.places)
    return bound


def to_number(raw) -> int | float | Decimal | None:
    """A JSON or form number as given, or None if it is not one (bool, string, huge int beyond float)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        return None
    return raw


# --- text ----------------------------------------------------------------------------------------


def text_reason(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired surrogate (not valid Unicode)"
    return None


def code_reason(value: str, *, separator: str | None = None) -> str | None:
    """Why `value` cannot be a business code, or None. Codes are compared exactly, so "X" and "X" with a
    trailing tab would be two codes that look alike; in a tree a code containing the path separator
    would make a root's path look like a subtree of another root."""
    if reason := text_reason(value):
        return reason
    if value != value.strip():
        return "has leading or trailing whitespace (a space, tab or line break)"
    if separator and separator in value:
        return f"may not contain {separator!r}: it separates the levels of the tree's paths"
    return None


# --- timestamps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeWindow:
    """The instants a fact may carry: [earliest, latest]."""

    earliest: dt.datetime | None
    latest: dt.datetime | None

    def reason(self, instant: dt.datetime) -> str | None:
        if self.earliest is None or self.latest is None:
            return "cannot be placed: dim_date holds no days"
        if instant < self.earliest:
            return f"is before the calendar's first production day ({self.earliest.isoformat()})"
        if instant > self.latest:
            return f"is later than {self.latest.isoformat()} (the calendar's end or now plus the future tolerance)"
        return None


def time_window(now: dt.datetime | None = None) -> TimeWindow:
    """The window from dim_date's first production day to its last one's end, capped at now plus the
    future tolerance (two index reads)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(date), max(date) FROM dim_date")
        first, last = cursor.fetchone()
    if first is None:
        return TimeWindow(None, None)
    tz, day_start = ZoneInfo(settings.PLANT_TIME_ZONE), calendar.parse_clock(settings.PRODUCTION_DAY_START)
    earliest = calendar.local_instant(first, day_start, tz)
    calendar_end = calendar.local_instant(last + calendar.ONE_DAY, day_start, tz)
    latest = min(calendar_end, (now or dt.datetime.now(dt.UTC)) + future_tolerance())
    return TimeWindow(earliest.astimezone(dt.UTC), latest.astimezone(dt.UTC))


# --- whole rows (admin forms, catalog imports) ---------------------------------------------------


def _json_text_reason(value) -> str | None:
    """The first text problem anywhere in a JSON document (keys included), or None."""
    if isinstance(value, str):
        return text_reason(value)
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return None
    return next((reason for item in items if (reason := _json_text_reason(item))), None)


def row_problems(instance: models.Model) -> dict[str, str]:
    """{field name: reason} for every value of `instance` that its column cannot hold or that breaks
    the bounds above; used next to full_clean(), which checks choices, lengths and decimal places."""
    problems: dict[str, str] = {}
    for model_field in instance._meta.concrete_fields:
        if model_field.is_relation:
            continue
        value = getattr(instance, model_field.attname, None)
        if value is None:
            continue
        if isinstance(model_field, models.JSONField):
            reason = _json_text_reason(value)
        elif model_field.name == "code" and isinstance(value, str):
            has_paths = any(other.name == "path" for other in instance._meta.concrete_fields)
            reason = code_reason(value, separator="/" if has_paths else None)
        elif isinstance(value, str):
            reason = text_reason(value)
        elif (bound := number_bound(model_field)) is not None and to_number(value) is not None:
            reason = bound.reason(value)
        else:
            reason = None
        if reason:
            problems[model_field.name] = reason
    return problems


# --- query strings -------------------------------------------------------------------------------


class RefuseUnstorableQueryMiddleware:
    """A query parameter with a NUL character (`?area=%00`) would reach a filter of some list and make
    the database driver raise: answer 400 for every page at once instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            for text in (key, *values):
                if reason := text_reason(text):
                    return HttpResponseBadRequest(f"The query parameter {key!r} {reason}.",
                                                  content_type="text/plain; charset=utf-8")
        return self.get_response(request)
