"""Readable change lists on the admin's history pages (django-simple-history).

The library shows each changed field as its raw old and new values: a JSON attribute object as one long
dict shortened in the middle, a choice as its stored code, a flag as True/False. Here a JSON object
change is listed key by key ("Attributes · rated_power_kw: 5.5 → 7.5", "… added", "… removed"), a choice
by its label ("Medium → High"), a flag as yes/no and an empty value as "—".
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.html import conditional_escape
from django.utils.text import capfirst
from simple_history.template_utils import HistoricalRecordContextHelper

EMPTY = "—"
ABSENT = object()


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    def context_for_delta_changes(self, delta) -> list[dict[str, Any]]:
        rows = []
        for change in delta.changes:
            field = self.model._meta.get_field(change.field)
            label = capfirst(field.verbose_name)
            if isinstance(field, models.JSONField) and _is_object(change.old) and _is_object(change.new):
                rows += _key_changes(label, change.old or {}, change.new or {})
            elif getattr(field, "flatchoices", None):
                choices = {str(key): value for key, value in field.flatchoices}
                rows.append(_row(label, _choice(choices, change.old), _choice(choices, change.new)))
            elif isinstance(field, models.BooleanField):
                rows.append(_row(label, _flag(change.old), _flag(change.new)))
            else:
                old, new = self.stringify_delta_change_values(change, *(
                    self.prepare_delta_change_value(change, value) for value in (change.old, change.new)))
                rows.append({"field": label, "old": old or EMPTY, "new": new or EMPTY})
        return rows


def _is_object(value: Any) -> bool:
    return value is None or isinstance(value, dict)


def _key_changes(label: str, old: dict, new: dict) -> list[dict[str, Any]]:
    """One row per key added, removed or changed, in key order."""
    rows = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key, ABSENT), new.get(key, ABSENT)
        if before == after:
            continue
        name = f"{label} · {key}"
        if before is ABSENT:
            rows.append(_row(f"{name} (added)", EMPTY, _json(after)))
        elif after is ABSENT:
            rows.append(_row(f"{name} (removed)", _json(before), EMPTY))
        else:
            rows.append(_row(name, _json(before), _json(after)))
    return rows


def _json(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return json.dumps(value, ensure_ascii=False)


def _choice(choices: dict[str, Any], value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    return str(choices.get(str(value), value))


def _flag(value: Any) -> str:
    return EMPTY if value is None else ("yes" if value else "no")


def _row(field: str, old: str, new: str) -> dict[str, Any]:
    return {"field": field, "old": conditional_escape(old), "new": conditional_escape(new)}
