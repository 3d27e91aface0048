"""Run a resolved frame through the KPI service (the only source of numbers) and shape the answer.

A breakdown the service groups natively (machine, equipment class, failure mode) is one call; a
breakdown by line, area or by the members the question names is one call per member, so each row
is that member's ratio of summed elements, never an average of its machines' values.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import DatabaseError, transaction

from mfgplatform.kpi import compute_kpis
from mfgplatform.kpi.output import display_value
from mfgplatform.kpi.types import value_unit

from . import lexicon as lexicon_module
from .frame import DateSpan, Frame
from .lexicon import Lexicon
from .resolver import resolve_question

NATIVE_GROUPS = {"equipment", "equipment_class", "failure_mode"}
LEVELS = {"site": 3, "area": 4, "line": 5}


def answer_question(question: str, *, now: dt.datetime | None = None, channel: str | None = None,
                    user=None) -> dict:
    """The resolution and, when the question was understood, its rows. The JSON shape is documented
    in docs/ask.md and stable. With a `channel` the question is logged and `log_id` names the entry
    that feedback refers to."""
    started = time.perf_counter()
    lexicon = lexicon_module.current()
    resolution = resolve_question(question, now=now, lexicon=lexicon)
    resolved = time.perf_counter()
    answer = resolution.as_dict() | {"rows": [], "comparison_rows": []}
    if resolution.status == "answered":
        frame = resolution.frame
        try:
            with transaction.atomic():  # a failed query must not spoil the caller's transaction
                answer["rows"] = run_frame(frame, frame.range, lexicon)
                if frame.compare:
                    answer["comparison_rows"] = run_frame(frame, frame.compare, lexicon)
                    answer["change"] = _change(answer["rows"], answer["comparison_rows"])
        except (ValueError, DatabaseError) as error:
            # Understood but not computable now (e.g. a KPI view not yet refreshed): say so, keep the reading.
            answer["status"], answer["message"] = "declined", f"The KPI service could not answer: {error}"
            answer["rows"], answer["comparison_rows"] = [], []
        else:
            if frame.range.partial:
                answer["message"] = "The period is still running: figures are partial."
    answer["timing_ms"] = {"resolve": round((resolved - started) * 1000, 2),
                           "total": round((time.perf_counter() - started) * 1000, 2)}
    if channel:
        from .learning import log_answer

        answer["log_id"] = log_answer(answer, channel=channel, user=user).pk
    return answer


def run_frame(frame: Frame, span: DateSpan, lexicon: Lexicon) -> list[dict]:
    common = {
        "equipment_classes": frame.equipment_classes, "start": span.start, "end": span.end,
        "granularity": frame.granularity, "failure_mode": frame.failure_mode,
        "characteristic": frame.characteristic, "product": frame.product, "shift": frame.shift,
    }
    rows: list[dict] = []
    if frame.group_by in NATIVE_GROUPS:
        results = compute_kpis(frame.metrics, equipment=frame.equipment, group_by=frame.group_by, **common)
        prefix = frame.group_by
        rows = [_row(r, r.group, lexicon.labels.get(f"{prefix}:{r.group}", r.group)) for r in results]
    elif frame.group_by in LEVELS or frame.group_by == "member":
        for member in _members(frame, lexicon):
            for result in compute_kpis(frame.metrics, equipment=[member.code], **common):
                rows.append(_row(result, member.code, member.label))
    else:
        rows = [_row(r, None, None) for r in compute_kpis(frame.metrics, equipment=frame.equipment, **common)]
    return _ordered(rows, frame, lexicon)


def _members(frame: Frame, lexicon: Lexicon):
    equipment = {c.code: c for c in lexicon.members.get("equipment", [])}
    if frame.group_by == "member":
        return [equipment[code] for code in frame.equipment if code in equipment]
    level = LEVELS[frame.group_by]
    scopes = [equipment[code].path for code in frame.equipment if code in equipment]
    return sorted(
        (c for c in equipment.values() if c.level == level
         and (not scopes or any(c.path == s or c.path.startswith(f"{s}/") for s in scopes))),
        key=lambda c: c.code,
    )


def _row(result, group: str | None, label: str | None) -> dict:
    return {
        "kpi": result.kpi, "name": result.name, "period": result.period, "group": group, "group_label": label,
        "value": result.value, "display": display_value(result), "unit": value_unit(result.unit),
        "display_unit": result.unit, "reason": result.reason, "flags": result.flags, "elements": result.elements,
    }


def _ordered(rows: list[dict], frame: Frame, lexicon: Lexicon) -> list[dict]:
    if not frame.order:
        return rows
    trend = lexicon.metrics.get(frame.metrics[0], {}).get("trend", "higher")
    descending = {"highest": True, "lowest": False, "best": trend == "higher", "worst": trend != "higher"}[
        frame.order]
    ranked = [row for row in rows if row["kpi"] == frame.metrics[0]]
    with_value = sorted((r for r in ranked if r["value"] is not None), key=lambda r: r["value"], reverse=descending)
    ordered = with_value + [r for r in ranked if r["value"] is None]
    return ordered[:frame.limit] if frame.limit else ordered


def _change(rows: list[dict], before: list[dict]) -> list[dict]:
    """Per KPI and group: value now, value before and the difference (totals only)."""
    earlier = {(r["kpi"], r["group"]): r for r in before}
    changes = []
    for row in rows:
        other = earlier.get((row["kpi"], row["group"]))
        if other is None or row["value"] is None or other["value"] is None:
            continue
        changes.append({"kpi": row["kpi"], "group": row["group"], "value": row["value"], "before": other["value"],
                        "difference": row["value"] - other["value"]})
    return changes
