"""Findings a domain adds to the compliance report, without the shared layer importing the domain.

A domain registers a source in its `compliance.py` (autodiscovered like `kpis.py`); the report asks for
the findings by name and gets none when no app provides them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..app_registry import AppRegistry

FindingSource = Callable[[dt.date, dt.date], list]
_sources: AppRegistry[FindingSource] = AppRegistry("compliance", "findings source")


def register_findings(name: str, source: FindingSource) -> FindingSource:
    return _sources.register(name, source)


def findings(name: str, start: dt.date, end: dt.date) -> list:
    source = _sources.entries().get(name)
    return source(start, end) if source else []
