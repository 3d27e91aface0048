"""Real parts for the fault drills: a private Redis the test may stop, the web app under gunicorn, a
plant the processes can see (committed rows), and a way to kill the database sessions of one process.

Nothing here touches a shared service: Redis is a redis-server of the test's own on a free port, and
the sessions killed are found by the application_name the test gave its own processes.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import redis

from tests.ops.conftest import database_url, free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 1, 7)
UNIT = "DRILL-UNIT-1"
PRODUCT = "DRILL-P1"


def app_database_url(application_name: str) -> str:
    """The test database for a subprocess, tagged so that its sessions can be found and killed."""
    return f"{database_url()}?application_name={application_name}"


def sessions_of(application_name: str, *, query_like: str = "%", waiting_on_lock: bool = False) -> list[int]:
    sql = """SELECT pid FROM pg_stat_activity
              WHERE application_name = %s AND datname = current_database() AND query LIKE %s
                AND pid <> pg_backend_pid()"""
    if waiting_on_lock:
        sql += " AND wait_event_type = 'Lock'"
    with psycopg.connect(database_url(), autocommit=True) as conn:
        return [row[0] for row in conn.execute(sql, [application_name, query_like]).fetchall()]


def terminate(pids: list[int]) -> None:
    """pg_terminate_backend on the given sessions of this test's own processes only."""
    with psycopg.connect(database_url(), autocommit=True) as conn:
        for pid in pids:
            conn.execute("SELECT pg_terminate_backend(%s)", [pid])


def kill_when(application_name: str, *, query_like: str, waiting_on_lock: bool = False, timeout: float = 60,
              terminate_it: bool = True) -> int:
    """Wait until the process has a session running `query_like`, terminate that session (unless told not
    to: the caller kills the process instead), return its pid."""
    pids = wait_until(lambda: sessions_of(application_name, query_like=query_like, waiting_on_lock=waiting_on_lock),
                      timeout=timeout, what=f"{application_name} to run {query_like}")
    if terminate_it:
        terminate(pids)
    return pids[0]


class TableLock:
    """Holds a table lock in a session of the test's own, so that a statement of the process under test
    waits at a known point (where the drill kills its session)."""

    def __init__(self, table: str, mode: str):
        self.conn = psycopg.connect(database_url())
        self.conn.execute(f"LOCK TABLE {table} IN {mode} MODE")

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


@pytest.fixture
def table_lock() -> Iterator[Callable[[str, str], TableLock]]:
    held: list[TableLock] = []

    def take(table: str, mode: str = "SHARE") -> TableLock:
        held.append(TableLock(table, mode))
        return held[-1]

    yield take
    for lock in held:
        lock.release()


# --- a private Redis ------------------------------------------------------------------------------


@dataclass
class PrivateRedis:
    """A redis-server of the test's own: stopping it breaks nothing but the processes pointed at it."""

    port: int
    workdir: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=20, what="the private redis-server to start")

    def stop(self) -> None:
        """Shut it down as an outage would (the data kept in its append-only file, as a real one keeps it)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def _answers(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.exceptions.ConnectionError:
            return False


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


# --- processes of the platform ----------------------------------------------------------------------


@dataclass
class Platform:
    """The web app, workers and beat as subprocesses on the test database and the private Redis."""

    redis: PrivateRedis
    tmp: Path
    processes: list[tuple[subprocess.Popen, Path]] = field(default_factory=list)
    web_port: int = 0

    def env(self, application_name: str, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": app_database_url(application_name),
            "REDIS_URL": self.redis.url,
            "CELERY_BROKER_URL": self.redis.url,
            "CONN_MAX_AGE": "60",
            "DEBUG": "true",
            "AXES_ENABLED": "false",
            "JOB_RETRY_BACKOFF_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }

    def _spawn(self, command: list[str], env: dict[str, str], name: str) -> tuple[subprocess.Popen, Path]:
        log = self.tmp / f"{name}-{uuid.uuid4().hex[:6]}.log"
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        self.processes.append((process, log))
        return process, log

    def web(self, **extra: str) -> str:
        """gunicorn with 2 workers, as deployed; returns its base URL."""
        self.web_port = free_port()
        process, log = self._spawn(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind",
             f"127.0.0.1:{self.web_port}", "--timeout", "60"],
            self.env("drill-web", **extra), "web",
        )
        wait_until(lambda: "Booting worker" in log.read_text(errors="replace") or process.poll() is not None,
                   timeout=60, what="gunicorn to start")
        assert process.poll() is None, log.read_text(errors="replace")
        base = f"http://127.0.0.1:{self.web_port}"
        wait_until(lambda: _answers(f"{base}/api/ingest/v1/openapi.json"), timeout=60, what="the web app to answer")
        return base

    def celery(self, *arguments: str, ready: str, name: str, **extra: str) -> subprocess.Popen:
        process, log = self._spawn([sys.executable, "-m", "celery", "-A", "config", *arguments],
                                   self.env(f"drill-{name}", **extra), name)
        wait_until(lambda: ready in log.read_text(errors="replace") or process.poll() is not None, timeout=60,
                   what=f"{name} to start")
        assert process.poll() is None, log.read_text(errors="replace")
        return process

    def worker(self, name: str = "worker", **extra: str) -> subprocess.Popen:
        return self.celery("worker", "--pool=prefork", "--concurrency=1", "--loglevel=INFO", "--without-gossip",
                           "--without-mingle", "--without-heartbeat", "-n", f"drill-{uuid.uuid4().hex[:6]}@%h",
                           ready=" ready.", name=name, **extra)

    def beat(self, **extra: str) -> subprocess.Popen:
        return self.celery("beat", "--loglevel=INFO", "--max-interval=1", f"--schedule={self.tmp / 'beat'}",
                           "--pidfile=", ready="beat: Starting", name="beat", **extra)

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}" for _, log in self.processes)

    def stop(self) -> None:
        for process, _ in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process, _ in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback, test's own server)
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def platform(private_redis, tmp_path) -> Iterator[Platform]:
    running = Platform(private_redis, tmp_path)
    try:
        yield running
    finally:
        running.stop()
        # The processes' sessions end with them; wait so that the test's table flush is not blocked.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(sessions_of(name) for name in ("drill-web", "drill-worker")):
            time.sleep(0.1)


# --- a small plant, committed so that the processes see it ------------------------------------------------


@pytest.fixture
def drill_plant(transactional_db, settings):
    from devdata.simulation.reference import ensure_reference
    from equipment.models import Equipment
    from production.models import PlannedRunTime, Product

    settings.PLANT_TIME_ZONE, settings.PRODUCTION_DAY_START = "UTC", "06:00"
    reference = ensure_reference(DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1))
    unit = Equipment.objects.create(code=UNIT, name="Drill press", taxonomy_level=6, path=UNIT,
                                    equipment_class=reference.classes["XP"])
    product = Product.objects.create(code=PRODUCT, name="Drill bracket", unit=reference.piece)
    PlannedRunTime.objects.create(product=product, equipment=unit, valid_from=DAY, pri_seconds=Decimal("4"))
    return unit
