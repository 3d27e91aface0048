"""Filters of the compliance report templates."""

from django import template

from ..compliance.render import format_cell

register = template.Library()


@register.filter
def report_cell(value):
    """A table cell as the PDF and the e-mail show it (numbers to four significant digits)."""
    return format_cell(value)
