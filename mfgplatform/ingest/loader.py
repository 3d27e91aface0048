"""Load one CSV file of facts: all of it, or nothing with a report of every rejected value.

1. The header is checked against the fact's columns (unknown, duplicate or missing required ones).
2. The body is streamed by COPY into a temporary, all-text staging table, numbered by an identity
   column, so a bad value cannot abort the COPY (malformed CSV still can; it is reported with its
   line).
3. Checks across rows (overlapping downtime) run as queries; then one INSERT … SELECT moves the rows,
   with ids looked up by business code, guarded by every column and row check of the fact's format
   (`<app>/facts.py`): the first row failing one raises, so a clean file is checked and moved in a
   single scan of the staging table.
4. If that statement fails (a check, a cast, a constraint), it is rolled back to its savepoint and the
   detailed scan lists every reject with its row and column; any reject rolls the transaction back.
   A failure the checks do not explain is either a replayed reading (the insert is repeated skipping
   rows already present) or a value the table cannot hold, reported as such.

Rows in the report are record numbers of the file, the header being row 1.
"""

from __future__ import annotations

import csv
import io
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import BinaryIO

import psycopg
from django.conf import settings
from django.db import DatabaseError, DataError, IntegrityError, connection, transaction

from mfgplatform import bounds
from mfgplatform.audit import record_event
from mfgplatform.db_faults import DatabaseFault, classify, record_fault

from ..aggregates.calendar_settings import ensure_plant_calendar
from .facts import FactSpec, fact_formats

MAX_REJECTS = 10_000
COPY_CHUNK_BYTES = 1 << 20
COPY_LINE = re.compile(r"COPY staging, line (\d+)")


@dataclass(frozen=True, order=True)
class Reject:
    row: int
    column: str
    reason: str


@dataclass
class LoadResult:
    fact: str
    batch: uuid.UUID
    staged: int = 0
    inserted: int = 0
    rejects: list[Reject] = field(default_factory=list)
    rejects_truncated: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.rejects

    @property
    def skipped(self) -> int:
        """Rows already present (replayed sensor readings), which the unique key turned into no-ops."""
        return self.staged - self.inserted if self.ok else 0

    def rows_per_second(self) -> float:
        return self.staged / self.seconds if self.seconds else 0.0


class DatabaseUnavailable(Exception):  # noqa: N818 (names the situation, as the message does)
    """The database failed under the load (connection lost, server shutting down, disk full ...): the
    transaction rolled back, nothing was written, and the same file can be loaded again."""

    def __init__(self, fault: DatabaseFault):
        super().__init__(fault.message)
        self.fault = fault


class _Rejected(Exception):
    def __init__(self, rejects: list[Reject], truncated: bool = False):
        super().__init__(f"{len(rejects)} rejects")
        self.rejects, self.truncated = rejects, truncated


def write_rejects(rejects: list[Reject], out: io.TextIOBase) -> None:
    writer = csv.writer(out)
    writer.writerow(["row", "column", "reason"])
    writer.writerows((reject.row, reject.column, reject.reason) for reject in rejects)


def check_header(spec: FactSpec, header: list[str]) -> list[Reject]:
    rejects = []
    known = set(spec.names)
    seen: set[str] = set()
    for name in header:
        if name not in known:
            rejects.append(Reject(1, name, f"unknown column (expected: {', '.join(spec.names)})"))
        elif name in seen:
            rejects.append(Reject(1, name, "appears twice"))
        seen.add(name)
    rejects += [Reject(1, name, "required column is missing") for name in spec.required if name not in seen]
    return rejects


def load_csv(fact: str, stream: BinaryIO, *, actor_label: str = "load_facts") -> LoadResult:
    spec = fact_formats()[fact]
    # Production days and shifts are given in the plant calendar: refuse while it differs from the
    # one the history was computed with (CalendarSettingsChanged).
    ensure_plant_calendar()
    started = time.perf_counter()
    result = LoadResult(fact=fact, batch=uuid.uuid4())
    header_line = stream.readline().decode("utf-8-sig")
    header = [name.strip() for name in next(csv.reader([header_line]), [])]
    rejects = [Reject(1, "", "the file is empty")] if not any(header) else check_header(spec, header)
    try:
        if rejects:
            raise _Rejected(rejects)
        with transaction.atomic():
            result.staged = _stage(spec, header, stream)
            result.inserted = _move(spec, result.batch)
            record_event("ingest.loaded", actor_label=actor_label, object_type=spec.table, object_id=str(result.batch),
                         fact=fact, staged=result.staged, inserted=result.inserted)
    except _Rejected as rejected:
        result.rejects, result.rejects_truncated = sorted(rejected.rejects), rejected.truncated
        record_event("ingest.rejected", actor_label=actor_label, object_type=spec.table, object_id=str(result.batch),
                     fact=fact, rejects=len(result.rejects), first=[r.reason for r in result.rejects[:3]])
    except (DatabaseError, psycopg.Error) as error:
        fault = classify(error)
        if fault is None:
            raise
        # The file is not to blame: say what happened, and keep the attempt in the audit trail.
        record_fault("ingest.failed", fault, actor_label=actor_label, object_type=spec.table,
                     object_id=str(result.batch), fact=fact, staged=result.staged)
        raise DatabaseUnavailable(fault) from error
    result.seconds = time.perf_counter() - started
    return result


def _parameters(batch: uuid.UUID) -> dict[str, object]:
    window = bounds.time_window()
    # With no calendar at all every instant is "before the first production day".
    earliest = window.earliest.isoformat() if window.earliest else "infinity"
    latest = window.latest.isoformat() if window.latest else "infinity"
    return {"tz": settings.PLANT_TIME_ZONE, "day_start": settings.PRODUCTION_DAY_START, "batch": batch,
            "earliest": earliest, "latest": latest}


def _move(spec: FactSpec, batch: uuid.UUID) -> int:
    """Checks and inserts the staged rows; raises _Rejected with every problem found otherwise."""
    parameters = _parameters(batch)
    if not _has_set_problems(spec, parameters):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_REJECT_FUNCTION)
                cursor.execute(spec.guarded_insert_sql(), parameters)
                return cursor.rowcount
        except DatabaseError as error:
            if classify(error) is not None:
                raise  # the connection, not a row: nothing to scan
            # Otherwise some row fails: the detailed scan below says which.
    rejects, truncated = _validate(spec)
    if rejects:
        raise _Rejected(rejects, truncated)
    return _insert(spec, batch)


# Raised from the guard of the single-pass insert by the first row failing a check; only the
# rollback matters, the detailed scan then names the rows.
_REJECT_FUNCTION = """
    CREATE OR REPLACE FUNCTION pg_temp.load_facts_reject() RETURNS boolean LANGUAGE plpgsql AS
    $$ BEGIN RAISE EXCEPTION 'a staged row fails a load_facts check'; END $$"""


def _has_set_problems(spec: FactSpec, parameters: dict[str, object]) -> bool:
    if not spec.set_checks:
        return False
    union = " UNION ALL ".join(spec.set_checks)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS ({union})", parameters)
        return cursor.fetchone()[0]


def _insert(spec: FactSpec, batch: uuid.UUID) -> int:
    """Moves rows the detailed scan found valid after the guarded insert failed: rows already present
    (a replayed reading) are skipped where the fact allows it, and a value the checks let through but a
    column cannot hold (a number too large for numeric(14,3)) still rejects the file instead of raising."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(spec.insert_sql(skip_present=True), _parameters(batch))
            return cursor.rowcount
    except (DataError, IntegrityError) as error:
        raise _Rejected([Reject(0, "", f"the database refused a value: {str(error).splitlines()[0]}")]) from error


def _stage(spec: FactSpec, header: list[str], stream: BinaryIO) -> int:
    columns = ", ".join(f"{name} text" for name in spec.names)
    with connection.cursor() as cursor:
        # ON COMMIT DROP does not fire when the load runs inside an outer transaction (a savepoint).
        cursor.execute("DROP TABLE IF EXISTS pg_temp.staging")
        cursor.execute(
            # A cached identity: one sequence access per 100,000 rows instead of one per row.
            f"CREATE TEMP TABLE staging (row_no bigint GENERATED ALWAYS AS IDENTITY (CACHE 100000), {columns}) "
            "ON COMMIT DROP"
        )
        try:
            with transaction.atomic(), cursor.cursor.copy(
                f"COPY staging ({', '.join(header)}) FROM STDIN (FORMAT csv)"
            ) as copy:
                while chunk := stream.read(COPY_CHUNK_BYTES):
                    copy.write(chunk)
        except (DatabaseError, psycopg.Error) as error:
            if classify(error) is not None:
                raise  # the connection broke mid-COPY: the file is not malformed
            raise _Rejected([_copy_reject(error)]) from error
        cursor.execute("SELECT count(*) FROM staging")
        return cursor.fetchone()[0]


def _copy_reject(error: Exception) -> Reject:
    """A malformed CSV record: PostgreSQL names the data line, 1 being the first after the header."""
    diag = getattr(error, "diag", None) or getattr(error.__cause__, "diag", None)
    context = getattr(diag, "context", None) or ""
    match = COPY_LINE.search(context)
    message = getattr(diag, "message_primary", None) or str(error).splitlines()[0]
    return Reject(int(match.group(1)) + 1 if match else 0, "", f"malformed CSV: {message}")


def _validate(spec: FactSpec) -> tuple[list[Reject], bool]:
    queries = [
        f"SELECT s.row_no, c.column_name, c.reason FROM staging s {spec.joins} "
        f"CROSS JOIN LATERAL (VALUES {spec.reasons_values()}) AS c(column_name, reason) WHERE c.reason IS NOT NULL",
        *spec.set_checks,
    ]
    union = " UNION ALL ".join(queries)
    query = (
        f"SELECT row_no + 1, column_name, reason FROM ({union}) AS r(row_no, column_name, reason) "
        f"ORDER BY 1, 2 LIMIT {MAX_REJECTS + 1}"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, _parameters(uuid.UUID(int=0)))
        rows = cursor.fetchall()
    return [Reject(*row) for row in rows[:MAX_REJECTS]], len(rows) > MAX_REJECTS
