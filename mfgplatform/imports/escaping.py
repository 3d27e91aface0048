"""Formula-injection escaping of exported cells (OWASP ASVS V1.2.10, CWE-1236).

A spreadsheet runs a cell that starts with =, +, -, @, a tab or a carriage return as a formula.
Every such text cell, headers included, is prefixed with a single quote on export; the importer
removes exactly that prefix again, so an export re-imports unchanged. A text that starts with the
quote itself is prefixed as well, so it keeps its own quote through the round trip.
"""

from __future__ import annotations

from typing import Any

import tablib

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE_PREFIX = "'"


# A value that itself starts with the prefix before a trigger ('-5 mm) is prefixed too, or the importer
# would take its own quote for the escape and drop it.
ESCAPED_STARTS = (*FORMULA_TRIGGERS, ESCAPE_PREFIX)


def escape_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(ESCAPED_STARTS):
        return ESCAPE_PREFIX + value
    return value


def unescape_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(ESCAPE_PREFIX) and value[1:].startswith(ESCAPED_STARTS):
        return value[1:]
    return value


def escape_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of `dataset` with every text cell and header escaped."""
    escaped = tablib.Dataset(headers=[escape_cell(header) for header in dataset.headers or []])
    for row in dataset:
        escaped.append([escape_cell(cell) for cell in row])
    return escaped
