"""Real parts for the operations tests: an SMTP server on loopback, a Celery worker and beat as
subprocesses against the real Redis (a database number of their own) and the test database."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import psycopg
import pytest
import redis
from aiosmtpd.controller import Controller
from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
# A Redis database of the operations tests alone: flushing it never touches the platform's queues.
# TEST_BROKER_URL moves it, so two checkouts can run their suites side by side.
TEST_BROKER = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/7")


def wait_until(condition: Callable[[], object], *, timeout: float = 30, interval: float = 0.1, what: str = ""):
    """Poll `condition` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what() if callable(what) else what or condition}")


# --- SMTP ---------------------------------------------------------------------------------------


@dataclass
class SmtpHandler:
    """Collects the messages it accepts. With `hold_first`, the first DATA waits until `release` is
    set and is then refused with a temporary error (the sender died meanwhile)."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    hold_first: bool = False
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    data_commands: int = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.data_commands += 1
        if self.hold_first and self.data_commands == 1:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
            return "451 4.3.0 try again later"
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: SmtpHandler


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpServer]:
    handler = SmtpHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 10
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        handler.release.set()
        controller.stop()


# --- Celery worker and beat -----------------------------------------------------------------------


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@dataclass
class CeleryProcess:
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def pool_children(self) -> list[int]:
        """The prefork pool's child processes (the ones that run tasks)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def stop(self) -> None:
        if self.process.poll() is None:
            # Cold shutdown: the tests are done with the process, no need to wait for a warm one.
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@dataclass
class CeleryHarness:
    env: dict[str, str]
    tmp: Path
    started: list[CeleryProcess] = field(default_factory=list)

    def _start(self, *arguments: str, ready_marker: str, name: str) -> CeleryProcess:
        log = self.tmp / f"{name}-{uuid.uuid4().hex[:6]}.log"
        handle = log.open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *arguments],
            cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
        )
        started = CeleryProcess(process, log)
        self.started.append(started)
        wait_until(lambda: ready_marker in started.output() or process.poll() is not None, timeout=60,
                   what=f"{name} to start")
        assert process.poll() is None, f"{name} exited:\n{started.output()}"
        return started

    def worker(self) -> CeleryProcess:
        return self._start(
            "worker", "--pool=prefork", "--concurrency=1", "--loglevel=INFO", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "-n", f"ops-test-{uuid.uuid4().hex[:6]}@%h",
            ready_marker=" ready.", name="worker",
        )

    def beat(self) -> CeleryProcess:
        return self._start(
            "beat", "--loglevel=INFO", "--max-interval=1", f"--schedule={self.tmp / 'beat-schedule'}",
            "--pidfile=", ready_marker="beat: Starting", name="beat",
        )

    def sender(self) -> Celery:
        return Celery("ops-test-sender", broker=TEST_BROKER)


@pytest.fixture
def celery_harness(tmp_path, smtp_server, monkeypatch) -> Iterator[CeleryHarness]:
    """Start workers and beat on demand, pointed at the test database, the test broker and the
    loopback SMTP server; stops them and empties the test broker afterwards."""
    # Celery prefers CELERY_BROKER_URL from the environment to a broker given in code: the test's
    # sender must publish where the workers listen.
    monkeypatch.setenv("CELERY_BROKER_URL", TEST_BROKER)
    broker = redis.Redis.from_url(TEST_BROKER)
    broker.flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": TEST_BROKER,
        "REDIS_URL": TEST_BROKER,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": smtp_server.host,
        "EMAIL_PORT": str(smtp_server.port),
        "EMAIL_TIMEOUT": "10",
        "AUDIT_ARCHIVE_DIR": str(tmp_path / "archive"),
        "JOB_RETRY_BACKOFF_SECONDS": "1",
        "JOB_LOCK_WAIT_SECONDS": "10",
        "CONN_MAX_AGE": "0",
        "DEBUG": "true",
        "PYTHONUNBUFFERED": "1",
    }
    harness = CeleryHarness(env, tmp_path)
    try:
        yield harness
    finally:
        for process in reversed(harness.started):
            process.stop()
        broker.flushdb()


# --- Reference data across transactional tests ----------------------------------------------------


@pytest.fixture(scope="module")
def keep_reference_data(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Restore every table's rows after the module's transactional tests.

    A transactional test ends by emptying every table, including the reference data the migrations
    loaded, which later tests in the session rely on. Serialized rollback restores it too but costs
    about 15 s per test through the ORM; copying the tables out once and back at the end of the module
    takes well under a second.
    """
    with django_db_blocker.unblock():
        snapshot = _copy_out_tables()
    yield
    with django_db_blocker.unblock():
        _copy_in_tables(snapshot)


def _user_tables(cursor) -> dict[str, str]:
    """The platform's tables (a hypertable counts once: its chunks are TimescaleDB's), each with its
    writable columns (generated columns are computed again on the way back in)."""
    cursor.execute(
        """
        SELECT format('%I.%I', n.nspname, c.relname),
               string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
          FROM pg_class AS c
          JOIN pg_namespace AS n ON n.oid = c.relnamespace
          JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
         GROUP BY 1 ORDER BY 1
        """
    )
    return dict(cursor.fetchall())


def _copy_out_tables() -> dict[tuple[str, str], bytes]:
    snapshot = {}
    with psycopg.connect(database_url()) as conn, conn.cursor() as cursor:
        for table, columns in _user_tables(cursor).items():
            buffer = bytearray()
            with cursor.copy(f"COPY (SELECT {columns} FROM {table}) TO STDOUT (FORMAT binary)") as copy:
                for chunk in copy:
                    buffer += chunk
            snapshot[(table, columns)] = bytes(buffer)
    return snapshot


def _copy_in_tables(snapshot: dict[tuple[str, str], bytes]) -> None:
    with psycopg.connect(database_url()) as conn, conn.cursor() as cursor:
        # Foreign keys and the audit trigger are not checked while rows go back as they were.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(f"TRUNCATE {', '.join(table for table, _ in snapshot)}")
        for (table, columns), data in snapshot.items():
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT binary)") as copy:
                copy.write(data)
        cursor.execute(
            """
            SELECT format('SELECT setval(%L, coalesce((SELECT max(%I) FROM %s), 0) + 1, false)',
                          pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname), a.attname,
                          format('%I.%I', n.nspname, c.relname))
              FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
              JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
               AND pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) IS NOT NULL
            """
        )
        for (statement,) in cursor.fetchall():
            cursor.execute(statement)


def production_events(prefix: str, equipment: str, product: str, start: dt.datetime, runs: int) -> dict:
    """An ingest API batch of `runs` consecutive one-minute production runs from `start`, 15 good pieces each,
    with event ids `<prefix>-<n>` (so a resent batch is recognised)."""
    return {"events": [
        {"event_id": f"{prefix}-{n}", "kind": "production", "equipment": equipment, "product": product,
         "started_at": (start + dt.timedelta(minutes=n)).isoformat(),
         "ended_at": (start + dt.timedelta(minutes=n + 1)).isoformat(), "produced_qty": 15, "good_qty": 15}
        for n in range(runs)
    ]}
