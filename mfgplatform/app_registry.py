"""What the apps declare for the shared layer, in a module of an agreed name, found on first read.

The shared layer never imports a domain app; a domain declares its KPI formulas and element sources in
`<app>/kpis.py`, its fact formats in `<app>/facts.py`, its aggregates in `<app>/aggregates.py` and its
compliance findings in `<app>/compliance.py`, each calling the registry's `register`. Reading a registry
imports that module of every installed app once (Django's autodiscovery), so an app's declarations are
there whoever asks first.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from django.utils.module_loading import autodiscover_modules

Entry = TypeVar("Entry")


class AppRegistry(Generic[Entry]):
    def __init__(self, module_name: str, what: str):
        self.module_name, self.what = module_name, what
        self._entries: dict[str, Entry] = {}
        self._discovered = False

    def register(self, key: str, entry: Entry) -> Entry:
        """Adds an entry; the same key again is allowed only with an equal entry (a module imported twice)."""
        existing = self._entries.get(key)
        if existing is not None and existing != entry:
            raise ValueError(f"{self.what} {key} is registered twice with different definitions")
        self._entries[key] = entry
        return entry

    def entries(self) -> dict[str, Entry]:
        if not self._discovered:
            autodiscover_modules(self.module_name)
            self._discovered = True
        return dict(self._entries)
