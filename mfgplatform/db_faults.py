"""Telling a passing database fault from a bug or bad data, so that every ingress answers it alike.

A *transient* fault is one where retrying the same request later is the right thing to do and the
request itself is not to blame: the connection was lost (a killed backend, a network cut, a server
restart), the server is shutting down or refusing connections, a lock or statement timed out, a
deadlock or serialization failure, or the server ran short of a resource (disk full, memory,
connections). Every write path of the platform runs in one transaction, so such a fault leaves
nothing written, and each ingress says so: `load_facts` exits with EX_TEMPFAIL (75), the ingest API
answers 503 with Retry-After, an admin page answers 503 with the same sentence, an import job ends
"failed" with it. Anything else is a bug or a refused value and keeps its own handling.

PostgreSQL names the fault in its SQLSTATE; a connection that died while idle raises without one
("the connection is closed", "server closed the connection unexpectedly"), which is recognised by
the error class and by the connection no longer being usable.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import psycopg
from django.db import DatabaseError, InterfaceError, connection

logger = logging.getLogger(__name__)

# Exit status of a command stopped by a transient fault: sysexits.h EX_TEMPFAIL ("try again later"),
# distinct from 1 (the input was rejected) so scripts can retry only what is worth retrying.
EXIT_TEMPFAIL = 75


@dataclass(frozen=True)
class DatabaseFault:
    kind: str
    reason: str  # for people: "the database connection was lost"
    retry_after: int  # seconds a client should wait before retrying
    sqlstate: str | None = None
    error: str = ""  # the first line of the driver's message, for logs and the audit trail

    @property
    def message(self) -> str:
        return f"{self.reason}; nothing was written; retry"


# SQLSTATE (exact, then class) → (kind, reason, Retry-After seconds).
_BY_STATE = {
    # 57P01 is what a backend hears both from pg_terminate_backend and from a server shutting down:
    # either way the client lost its connection, and a reconnect says whether the server is there.
    "57P01": ("connection_lost", "the database connection was lost", 5),
    "57P02": ("connection_lost", "the database connection was lost (the server crashed)", 15),
    "57P03": ("server_starting", "the database server is not accepting connections yet", 15),
    "55P03": ("lock_timeout", "the database timed out waiting for a lock", 2),
    "57014": ("statement_timeout", "the database cancelled a statement that took too long", 10),
    "40001": ("serialization_failure", "the database could not serialise concurrent writes", 1),
    "40P01": ("deadlock", "the database broke a deadlock between concurrent writes", 1),
    "53100": ("disk_full", "the database server's disk is full", 300),
    "53200": ("out_of_memory", "the database server is out of memory", 60),
    "53300": ("too_many_connections", "the database server has no free connection", 10),
}
_BY_CLASS = {
    "08": ("connection_lost", "the database connection was lost", 5),
    "53": ("insufficient_resources", "the database server is short of resources", 60),
}
_CONNECTION_LOST = ("connection_lost", "the database connection was lost", 5)


def _chain(error: BaseException):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def classify(error: BaseException) -> DatabaseFault | None:
    """The transient fault behind `error` (looking through Django's wrapping), or None."""
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    for link in _chain(error):
        state = getattr(link, "sqlstate", None)
        if state:
            found = _BY_STATE.get(state) or _BY_CLASS.get(state[:2])
            if found:
                return DatabaseFault(*found, sqlstate=state, error=first_line)
            return None  # a definite SQLSTATE that is not a fault: a refused value, a bug
        if isinstance(link, psycopg.OperationalError | psycopg.InterfaceError | InterfaceError):
            return DatabaseFault(*_CONNECTION_LOST, error=first_line)
    if isinstance(error, DatabaseError) and not _usable():
        return DatabaseFault(*_CONNECTION_LOST, error=first_line)
    return None


def _usable() -> bool:
    try:
        return connection.connection is not None and connection.is_usable()
    except Exception:  # noqa: BLE001 (any failure to ask means the connection is gone)
        return False


def discard_broken_connection() -> None:
    """Drop the connection a fault left behind so the next query opens a fresh one (for the audit
    event of the failed attempt). Inside a transaction nothing can be done: the caller's atomic
    block rolls back and Django closes the connection at the end of the request."""
    if connection.in_atomic_block:
        return
    try:
        connection.close()
    except DatabaseError:
        logger.debug("closing the broken database connection failed; it is discarded anyway")


def record_fault(action: str, fault: DatabaseFault, **payload) -> bool:
    """Write the audit event of an attempt a fault stopped, on a fresh connection. Returns False (and
    logs) when the database is still unreachable: the caller's own message still goes out."""
    from .audit import record_event

    discard_broken_connection()
    try:
        record_event(action, cause=fault.kind, sqlstate=fault.sqlstate, error=fault.error,
                     outcome=fault.message, **payload)
    except DatabaseError:
        logger.warning("Could not write the audit event %s: the database is still unreachable (%s)",
                       action, fault.reason)
        return False
    return True


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Database unavailable</title></head>
<body><h1>The database is unavailable</h1><p>{reason}. Nothing was written by this request. The page will
work again once the database is back; try again in {retry_after} seconds.</p></body></html>"""


class DatabaseFaultMiddleware:
    """Turn a transient database fault raised by any view into 503 with Retry-After (problem+json for
    the APIs, a short page for people) instead of a server error: the request is not broken, the
    database is away for a moment. Other exceptions pass through untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError | psycopg.Error):
            return None
        fault = classify(exception)
        if fault is None:
            return None
        logger.warning("%s %s: %s (%s)", request.method, request.path, fault.reason, fault.error)
        return fault_response(request, fault)


def fault_response(request, fault: DatabaseFault):
    from django.http import HttpResponse, JsonResponse

    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse({"title": "Service unavailable", "status": 503, "detail": fault.message,
                                 "cause": fault.kind, "retryable": True}, status=503)
        response["Content-Type"] = "application/problem+json"
    else:
        response = HttpResponse(_PAGE.format(reason=fault.reason.capitalize(), retry_after=fault.retry_after),
                                status=503)
    response["Retry-After"] = str(fault.retry_after)
    return response
