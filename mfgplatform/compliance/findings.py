"""Findings a domain adds to the compliance report, without the shared layer importing the domain.

A domain registers a source in its `compliance.py` (autodiscovered like `kpis.py`); the report asks for
the findings by name and gets none when no app provides them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules

FindingSource = Callable[[dt.date, dt.date], list]
_sources: dict[str, FindingSource] = {}
_discovered = False


def register_findings(name: str, source: FindingSource) -> FindingSource:
    _sources[name] = source
    return source


def findings(name: str, start: dt.date, end: dt.date) -> list:
    global _discovered
    if not _discovered:
        autodiscover_modules("compliance")
        _discovered = True
    source = _sources.get(name)
    return source(start, end) if source else []
