"""An MCP server on the official `mcp` SDK: metric-first, read-only tools over the KPI model.

Tools: list_metrics, describe_metric, list_dimension_values, resolve_question, query_metric. No tool
takes SQL; numbers come from the KPI service only; every call is written to the audit log with its
arguments. Run with `manage.py mcp_server` (stdio) or `--transport http` (streamable HTTP).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

from mfgplatform.audit import record_event
from mfgplatform.kpi import Granularity, GroupBy, compute_kpis
from mfgplatform.kpi.output import display_value

from .catalog import dimension_values, metric_codes, metric_entry
from .resolver import resolve_question as resolve

DIMENSIONS = ["equipment", "equipment_class", "product", "shift", "failure_mode", "defect_type", "downtime_reason",
              "characteristic"]
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
MAX_ROWS = 500

server = MCPServer(
    name="mfgplatform-kpis",
    instructions="Plant KPIs (ISO 22400, ISO 9001, ISO 14224) as ratios of summed elements. Start with "
                 "list_metrics or resolve_question; query_metric computes through the KPI service. Read-only.",
)


def _audited(tool: str, arguments: dict, work):
    close_old_connections()
    try:
        result = work()
        record_event("mcp.call", actor_label="mcp", object_type="mcp.tool", object_id=tool,
                     arguments=arguments, outcome="ok")
        return result
    except ValueError as error:
        record_event("mcp.call", actor_label="mcp", object_type="mcp.tool", object_id=tool,
                     arguments=arguments, outcome="error", error=str(error))
        return {"error": str(error)}


async def _run(tool: str, arguments: dict, work):
    return await sync_to_async(_audited, thread_sensitive=True)(tool, arguments, work)


@server.tool(annotations=READ_ONLY)
async def list_metrics() -> list[dict]:
    """Every KPI of the catalog: code, name, unit, trend direction and whether it can be computed."""
    def work():
        return [{key: entry[key] for key in ("code", "name", "unit", "trend", "computable")}
                for entry in map(metric_entry, metric_codes())]
    return await _run("list_metrics", {}, work)


@server.tool(annotations=READ_ONLY)
async def describe_metric(metric: str) -> dict:
    """Formula, elements, unit, trend direction, standard and synonyms of one KPI."""
    def work():
        if metric not in metric_codes():
            raise ValueError(f"unknown metric {metric!r}; see list_metrics")
        return metric_entry(metric)
    return await _run("describe_metric", {"metric": metric}, work)


@server.tool(annotations=READ_ONLY)
async def list_dimension_values(dimension: str) -> list[dict] | dict:
    """Members (code and name) of a dimension: equipment, equipment_class, product, shift, failure_mode,
    defect_type, downtime_reason or characteristic."""
    def work():
        if dimension not in DIMENSIONS:
            raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}")
        return dimension_values(dimension)
    return await _run("list_dimension_values", {"dimension": dimension}, work)


@server.tool(annotations=READ_ONLY)
async def resolve_question(question: str, now: str | None = None) -> dict:
    """How a question in English or German is understood: the query frame (metric, filters, production-date
    range, grain, group, order, comparison), matched words, ignored words, or the clarifying options."""
    def work():
        instant = dt.datetime.fromisoformat(now) if now else None
        return resolve(question, now=instant).as_dict()
    return await _run("resolve_question", {"question": question, "now": now}, work)


@server.tool(annotations=READ_ONLY)
async def query_metric(
    metrics: list[str], start: str | None = None, end: str | None = None, date_range: str | None = None,
    equipment: list[str] | None = None, equipment_classes: list[str] | None = None, shift: str | None = None,
    granularity: str = "total", group_by: str = "none", failure_mode: str | None = None,
    characteristic: str | None = None, product: str | None = None,
) -> dict:
    """Compute KPIs through the KPI service for an equipment scope (codes, whole subtrees), production
    dates (start/end ISO dates or a named date_range such as last_week), a granularity (shift, day, week,
    month, total) and an optional breakdown (equipment, equipment_class, failure_mode)."""
    arguments = {key: value for key, value in locals().items() if value is not None}

    def work():
        if granularity not in Granularity.ALL or group_by not in GroupBy.ALL:
            raise ValueError(f"granularity ∈ {Granularity.ALL}, group_by ∈ {GroupBy.ALL}")
        results = compute_kpis(
            metrics, equipment=equipment or [], equipment_classes=equipment_classes or [],
            start=dt.date.fromisoformat(start) if start else None, end=dt.date.fromisoformat(end) if end else None,
            date_range=date_range, granularity=granularity, group_by=group_by, failure_mode=failure_mode,
            characteristic=characteristic, product=product, shift=shift,
        )
        rows: list[dict[str, Any]] = [r.as_dict() | {"display": display_value(r)} for r in results[:MAX_ROWS]]
        return {"rows": rows, "truncated": len(results) > MAX_ROWS}
    return await _run("query_metric", arguments, work)
