"""Fault drill: the PostgreSQL *server* is killed (SIGKILL, every process of it) in the middle of a
`load_facts` and of an ingest API batch, then started again (crash recovery): nothing partial was written,
the caller was told to retry, and the retry lands everything once.

The shared development server serves every checkout on the machine and must never be stopped, so the drill
starts a throwaway cluster of its own: initdb into a temporary directory inside the TimescaleDB root with
that root's PostgreSQL 17 (TimescaleDB is needed: the schema has the sensor hypertable), run as the root's
`postgres` user through chroot, on a free port. Its database comes from a backup of the test database
restored with `manage.py restore`'s code, which also proves a restore onto another server. Needs root
(chroot), as `make services` does; skipped elsewhere.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from mfgplatform.backup.archive import create_backup
from mfgplatform.backup.postgres import Target
from mfgplatform.backup.restore import restore_backup

from .conftest import ROOT, free_port, production_events, wait_until

TSDB_ROOT = Path(os.environ.get("MFG_SERVICES_HOME", "/var/lib/mfgplatform")) / "timescaledb-trixie"
PG_BIN = "/usr/lib/postgresql/17/bin"
DAY = dt.date(2026, 1, 7)
UNIT, PRODUCT = "KILL-UNIT-1", "KILL-P1"
RUNS = 400

pytestmark = [pytest.mark.drill, pytest.mark.slow]


@dataclass
class PrivateServer:
    """A PostgreSQL 17 + TimescaleDB cluster of this test alone."""

    data_dir_in_root: str
    port: int

    @property
    def data_dir(self) -> Path:
        return TSDB_ROOT / self.data_dir_in_root.lstrip("/")

    def as_postgres(self, *command: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(["chroot", "--userspec=postgres:postgres", str(TSDB_ROOT), *command],
                              capture_output=True, text=True, timeout=120, **kwargs)

    def start(self) -> None:
        result = self.as_postgres(f"{PG_BIN}/pg_ctl", "-D", self.data_dir_in_root, "-l",
                                  f"{self.data_dir_in_root}/server.log", "-w", "-t", "90", "start")
        assert result.returncode == 0, result.stderr + self.log()

    def kill(self) -> None:
        """SIGKILL the postmaster and every backend at once: a crash, not a shutdown."""
        postmaster = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(postmaster)], capture_output=True,
                                  text=True).stdout.split()
        for pid in [postmaster, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not _alive(postmaster), timeout=20, what="the killed postmaster to be gone")
        # Until its parent reaps it, the dead postmaster is a zombie that still owns its PID, and PostgreSQL
        # would take the lock file as held; it is stale, as after any crash of the machine.
        (self.data_dir / "postmaster.pid").unlink()

    def stop(self) -> None:
        self.as_postgres(f"{PG_BIN}/pg_ctl", "-D", self.data_dir_in_root, "-m", "immediate", "-w", "stop")

    def log(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def target(self, dbname: str = "drill") -> Target:
        return Target("127.0.0.1", str(self.port), "postgres", "", dbname)

    def url(self, application_name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/drill?application_name={application_name}"

    def scalar(self, query: str):
        with self.target().connect(autocommit=True) as conn:
            return conn.execute(query).fetchone()[0]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (killed, not yet reaped by its parent) counts as gone.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[PrivateServer]:
    if os.geteuid() != 0 or not (TSDB_ROOT / PG_BIN.lstrip("/") / "initdb").exists():
        pytest.skip("the drill needs root and the TimescaleDB root of scripts/services.sh")
    name = f"/tmp/mfg-kill-drill-{uuid.uuid4().hex[:8]}"
    cluster = PrivateServer(name, free_port())
    cluster.data_dir.mkdir(mode=0o700)
    passwd = (TSDB_ROOT / "etc/passwd").read_text().splitlines()
    uid, gid = next(map(int, line.split(":")[2:4]) for line in passwd if line.startswith("postgres:"))
    os.chown(cluster.data_dir, uid, gid)
    try:
        result = cluster.as_postgres(f"{PG_BIN}/initdb", "-D", name, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                                     "--locale=C.UTF-8", "--no-sync")
        assert result.returncode == 0, result.stderr
        with (cluster.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {cluster.port}\nunix_socket_directories = ''\n"
                       "shared_preload_libraries = 'timescaledb'\ntimescaledb.telemetry_level = off\n"
                       "shared_buffers = 64MB\nmax_connections = 40\ntimezone = 'UTC'\n")
        cluster.start()
        # The schema and reference data of the test database, by backup and restore onto this server.
        scratch = tmp_path_factory.mktemp("kill-drill")
        with django_db_blocker.unblock():
            archive = create_backup(scratch / "backups", scratch / "no-audit")
        restore_backup(archive.path, cluster.target(), scratch / "audit")
        _manage(cluster, "drill-setup", "shell", "--no-imports", "-c", PLANT)
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.data_dir, ignore_errors=True)


PLANT = f"""
import datetime as dt
from decimal import Decimal
from equipment.models import Equipment
from devdata.simulation.reference import ensure_reference
from production.models import PlannedRunTime, Product
day = dt.date.fromisoformat("{DAY}")
reference = ensure_reference(day - dt.timedelta(days=1), day + dt.timedelta(days=1))
unit = Equipment.objects.create(code="{UNIT}", name="Kill drill press", taxonomy_level=6, path="{UNIT}",
                                equipment_class=reference.classes["XP"])
product = Product.objects.create(code="{PRODUCT}", name="Kill drill bracket", unit=reference.piece)
PlannedRunTime.objects.create(product=product, equipment=unit, valid_from=day, pri_seconds=Decimal("4"))
"""


def _env(server: PrivateServer, application_name: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": server.url(application_name), "CONN_MAX_AGE": "0",
            "PLANT_TIME_ZONE": "UTC", "PRODUCTION_DAY_START": "06:00", "AXES_ENABLED": "false", "DEBUG": "true"}


def _manage(server: PrivateServer, application_name: str, *arguments: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, capture_output=True, text=True,
                            env=_env(server, application_name), timeout=300)
    assert result.returncode == 0, result.stderr
    return result


def _waiting_insert(server: PrivateServer, application_name: str) -> bool:
    with server.target().connect(autocommit=True) as conn:
        return bool(conn.execute(
            """SELECT 1 FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'
                AND query LIKE '%%INSERT INTO fact_production%%'""", [application_name]).fetchone())


def _kill_while_inserting(server: PrivateServer, application_name: str) -> None:
    """Hold a lock the process's INSERT waits for, so the kill lands mid-transaction, then kill the server."""
    blocker = server.target().connect()
    blocker.execute("LOCK TABLE fact_production IN SHARE MODE")
    try:
        wait_until(lambda: _waiting_insert(server, application_name), timeout=60,
                   what=f"{application_name} to wait in its INSERT")
        server.kill()
    finally:
        with contextlib.suppress(psycopg.Error):
            blocker.close()
    server.start()


def _production_csv(runs: int, minute_offset: int = 0) -> bytes:
    start = dt.datetime.combine(DAY, dt.time(6), tzinfo=dt.UTC) + dt.timedelta(minutes=minute_offset)
    lines = ["equipment,product,started_at,ended_at,produced_qty,good_qty,scrap_qty,rework_qty"]
    for minute in range(runs):
        begin = start + dt.timedelta(minutes=minute)
        lines.append(f"{UNIT},{PRODUCT},{begin.isoformat()},{(begin + dt.timedelta(minutes=1)).isoformat()},15,14,1,0")
    return ("\n".join(lines) + "\n").encode()


def test_server_killed_mid_load_facts_keeps_nothing_and_the_retry_loads_once(server, tmp_path):
    path = tmp_path / "production.csv"
    path.write_bytes(_production_csv(RUNS))
    before = server.scalar("SELECT count(*) FROM fact_production")
    load = subprocess.Popen([sys.executable, "manage.py", "load_facts", "production", str(path)], cwd=ROOT,
                            env=_env(server, "kill-load"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    _kill_while_inserting(server, "kill-load")
    _, stderr = load.communicate(timeout=120)

    assert load.returncode == 75, stderr.decode()  # EX_TEMPFAIL: retry
    assert "nothing was written; retry" in stderr.decode()
    assert server.scalar("SELECT count(*) FROM fact_production") == before
    retry = subprocess.run([sys.executable, "manage.py", "load_facts", "production", str(path)], cwd=ROOT,
                           env=_env(server, "kill-load"), capture_output=True, text=True, timeout=300)
    assert retry.returncode == 0, retry.stderr
    assert server.scalar("SELECT count(*) FROM fact_production") == before + RUNS


def _post(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (the test's own server)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def web_app(server: PrivateServer, application_name: str, log: Path) -> Iterator[tuple[str, str]]:
    """gunicorn (one worker, persistent connections) on the private server and a new ingest token:
    (base URL, token), the web app answering; stopped afterwards."""
    issued = _manage(server, "drill-setup", "shell", "--no-imports", "-c",
                     f"from mfgplatform.models import IngestToken; print(IngestToken.issue('{application_name}')[1])")
    token = issued.stdout.strip().splitlines()[-1]
    port = free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--timeout", "120"],
        cwd=ROOT, env={**_env(server, application_name), "CONN_MAX_AGE": "60"}, stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(f"{base}/api/ingest/v1/openapi.json"), timeout=90, what="the web app to answer")
        yield base, token
    finally:
        web.terminate()
        web.wait(timeout=30)


def production_batch(prefix: str, runs: int = 100) -> dict:
    """`runs` one-minute production runs of the drill's unit from 18:00 of its day (after the loads' runs)."""
    return production_events(prefix, UNIT, PRODUCT, dt.datetime.combine(DAY, dt.time(18), tzinfo=dt.UTC), runs)


def test_server_killed_mid_api_batch_is_a_retryable_503_and_the_resent_batch_lands_once(server, tmp_path):
    log = tmp_path / "web.log"
    with web_app(server, "kill-web", log) as (base, token):
        batch = production_batch("kill")
        before = server.scalar("SELECT count(*) FROM fact_production")
        answer: dict = {}
        sender = threading.Thread(target=lambda: answer.update(response=_post(f"{base}/api/ingest/v1/events", token,
                                                                              batch)))
        sender.start()
        _kill_while_inserting(server, "kill-web")
        sender.join(timeout=120)

        status, problem = answer["response"]
        assert status == 503, (problem, log.read_text(errors="replace")[-2000:])
        assert problem["retryable"] is True
        assert server.scalar("SELECT count(*) FROM fact_production") == before
        time.sleep(0.5)
        status, result = _post(f"{base}/api/ingest/v1/events", token, batch)
        assert (status, result["accepted"], result["duplicates"]) == (200, 100, 0), result
        assert server.scalar("SELECT count(*) FROM fact_production") == before + 100
