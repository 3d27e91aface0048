"""Template helpers of the workbench pages."""

from __future__ import annotations

from django import template

from ..tables import format_value

register = template.Library()


@register.filter
def display(value, kind: str = "percent") -> str:
    """A value as the data tables show it ("percent", "hours", "number", …)."""
    return format_value(value, kind)


@register.filter
def points(delta) -> str:
    """A change of a ratio in percentage points, signed."""
    return "—" if delta is None else f"{delta * 100:+.1f} pp"


@register.simple_tag(takes_context=True)
def export_url(context, table_name: str) -> str:
    """This page's URL with its current parameters, asking for one table as CSV."""
    request = context["request"]
    query = request.GET.copy()
    query["export"] = table_name
    return f"{request.path}?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def with_params(context, **overrides) -> str:
    """This page's query string with some parameters changed (an empty value removes one)."""
    query = context["request"].GET.copy()
    for key, value in overrides.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    query.pop("export", None)
    return f"?{query.urlencode()}"
