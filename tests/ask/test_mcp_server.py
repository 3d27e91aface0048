"""The MCP server over stdio, driven by the official SDK's client against a copy of the test database
(the server runs in its own process and writes audit rows, which must not leak into other tests)."""

import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from psycopg.conninfo import make_conninfo

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _dsn(dbname):
    db = settings.DATABASES["default"]
    return make_conninfo(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db.get("PASSWORD") or None,
                         dbname=dbname)


@pytest.fixture
def scratch_copy(django_db_setup, django_db_blocker):
    """A copy of the migrated test database (reference data included) for the server process."""
    source, name = settings.DATABASES["default"]["NAME"], f"mfg_mcp_{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        connection.close()
    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        # A template must have no other session; a terminated backend takes a moment to go away.
        for attempt in range(20):
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                         "AND pid <> pg_backend_pid()", [source])
            try:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 19:
                    raise
                time.sleep(0.25)
    db = settings.DATABASES["default"]
    yield f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{name}", name
    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _session_calls(url):
    params = StdioServerParameters(command=sys.executable, args=["manage.py", "mcp_server"], cwd=str(ROOT),
                                   env={**os.environ, "DATABASE_URL": url})
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        calls = {
            "metrics": await session.call_tool("list_metrics", {}),
            "oee": await session.call_tool("describe_metric", {"metric": "oee"}),
            "shifts": await session.call_tool("list_dimension_values", {"dimension": "shift"}),
            "resolve": await session.call_tool("resolve_question", {"question": "OEE last week by shift",
                                                                    "now": "2026-03-18T10:00:00"}),
            "query": await session.call_tool("query_metric", {"metrics": ["oee"], "start": "2026-03-09",
                                                              "end": "2026-03-15"}),
            "bad": await session.call_tool("describe_metric", {"metric": "DROP TABLE"}),
        }
    return tools, calls


def _payload(result):
    if result.structured_content is not None:
        content = result.structured_content
        return content.get("result", content) if isinstance(content, dict) else content
    return json.loads(result.content[0].text)


def test_tools_over_stdio_are_read_only_and_audited(scratch_copy):
    url, name = scratch_copy
    tools, calls = asyncio.run(_session_calls(url))
    assert set(tools) == {"list_metrics", "describe_metric", "list_dimension_values", "resolve_question",
                          "query_metric"}
    assert all(tool.annotations.read_only_hint for tool in tools.values())
    metrics = {m["code"]: m for m in _payload(calls["metrics"])}
    assert metrics["oee"]["computable"]
    assert not metrics["inventory_turns"]["computable"]
    assert _payload(calls["oee"])["trend"] == "higher is better"
    assert [s["code"] for s in _payload(calls["shifts"])] == ["A", "B", "C"]
    resolved = _payload(calls["resolve"])
    assert resolved["interpretation"]["granularity"] == "shift"
    assert resolved["interpretation"]["range"]["start"] == "2026-03-09"
    assert _payload(calls["query"])["rows"][0]["reason"] == "no recorded data in the selection"
    assert "unknown metric" in _payload(calls["bad"])["error"]
    with psycopg.connect(_dsn(name)) as conn:
        audited = conn.execute("SELECT object_id FROM audit_log WHERE action = 'mcp.call' ORDER BY id").fetchall()
    assert [row[0] for row in audited] == ["list_metrics", "describe_metric", "list_dimension_values",
                                           "resolve_question", "query_metric", "describe_metric"]
