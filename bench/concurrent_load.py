"""Concurrent ingest and admin load on the web app as deployed: gunicorn, real HTTP, a scratch database.

    .venv/bin/python -m bench.concurrent_load [--ingest-clients 16] [--admin-users 8] [--seconds 20]
                                              [--batch 2000] [--workers 2] [--seed-size tiny]

In one scratch database (bench_load_<DATABASE name>, all migrations, dropped afterwards): seed the
simulated plant (`seed_iso_compliant --size <--seed-size>`) so the admin pages have data, start
gunicorn with `--workers` sync workers on a free loopback port, then four phases of `--seconds` each:

1. one ingest client alone: sensor readings POSTed to /api/ingest/v1/events in batches of `--batch`
   with a bearer token, back to back (the baseline of the ingest figures);
2. one admin user alone, browsing a fixed round of pages: the fact changelists (sensor readings,
   production, downtime), the equipment changelist, a production record's and an equipment record's
   change page, and the performance home of the workbench (the baseline of the admin figures);
3. `--ingest-clients` ingest clients alone (how ingest scales with clients);
4. `--ingest-clients` ingest clients and `--admin-users` admin users at once.

Each client is a thread with its own HTTP connection; bodies are built before the clock starts for
each request. Printed per phase: events/s or requests/s, p50 and p99 of the request time, errors
(any answer but 200, refused events, connection failures), and the ratio of the concurrent figures to
the single-client baseline of the same run. Clients and server share the machine, so the figures are
the whole system's, not the server's alone.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.scratch import run_in_scratch_database

ROOT = Path(__file__).resolve().parent.parent
TAGS = ("temperature", "vibration", "current", "pressure")
UNITS_PER_CLIENT = 5
START_EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z


@dataclass
class Tally:
    """What one kind of client saw during a phase."""

    name: str
    counts_events: bool = False  # ingest: events/s; admin: requests/s
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    events: int = 0
    errors: int = 0
    first_error: str = ""
    by_page: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, latency: float, *, events: int = 0, error: str = "", page: str = "") -> None:
        with self.lock:
            self.latencies.append(latency)
            if page:
                self.by_page.setdefault(page, []).append(latency)
            self.events += events
            if error:
                self.errors += 1
                self.first_error = self.first_error or error

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")

    @property
    def per_second(self) -> float:
        done = self.events if self.counts_events else len(self.latencies)
        return done / self.seconds if self.seconds else 0.0

    def line(self, unit: str, baseline: Tally | None = None) -> str:
        ratio = f"   ratio to 1 client {self.per_second / baseline.per_second:5.2f}" if baseline else ""
        text = (f"  {self.name:<34} {self.per_second:>9,.1f} {unit}   requests {len(self.latencies):>6,}   "
                f"p50 {self.percentile(0.50):>6.0f} ms   p99 {self.percentile(0.99):>6.0f} ms   "
                f"errors {self.errors}{ratio}")
        if self.by_page:
            text += "\n    median by page: " + ", ".join(
                f"{page} {statistics.median(times) * 1000:.0f} ms" for page, times in self.by_page.items())
        return text + (f"\n    first error: {self.first_error[:200]}" if self.first_error else "")


class Server:
    """gunicorn on the scratch database, as deployed (sync workers), on a free loopback port."""

    def __init__(self, database_url: str, workers: int, log: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        from django.conf import settings

        # The same SECRET_KEY as this process: the staff session it creates must verify in the server.
        env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false", "SECRET_KEY": settings.SECRET_KEY,
               "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false",
               "CSRF_COOKIE_SECURE": "false", "AXES_ENABLED": "false", "CONN_MAX_AGE": "60"}
        if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
            # DEBUG off, as deployed: pages name the collected, hashed static files.
            subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                           check=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(workers), "--bind",
             f"127.0.0.1:{self.port}", "--timeout", "120", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/api/ingest/v1/openapi.json")[0] == 200:
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer: {log.read_text(errors='replace')[-2000:]}")

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                connection: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
        conn = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        if connection is None:
            conn.close()
        return response.status, data

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def sensor_batch(codes: list[str], first_minute: int, batch: int) -> tuple[bytes, int]:
    """Readings of `codes` × TAGS, minute after minute from `first_minute`; (body, minutes used).
    Each carries an event id, as the API requires, though unit, tag and instant identify a reading."""
    per_minute = len(codes) * len(TAGS)
    minutes = max(1, batch // per_minute)
    events = []
    for minute in range(first_minute, first_minute + minutes):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(START_EPOCH + 60 * minute))
        for code in codes:
            for number, tag in enumerate(TAGS):
                events.append(f'{{"event_id":"{code}-{tag}-{minute}","kind":"sensor","equipment":"{code}",'
                              f'"tag":"{tag}","time":"{stamp}",'
                              f'"value":{20 + number + (minute % 97) / 10:.2f}}}')
    return ('{"events":[' + ",".join(events) + "]}").encode(), minutes


def ingest_client(server: Server, token: str, codes: list[str], first_minute: int, batch: int, until: float,
                  tally: Tally, reached: list[int]) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    minute = first_minute
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    while time.monotonic() < until:
        body, used = sensor_batch(codes, minute, batch)
        minute += used
        started = time.perf_counter()
        try:
            status, data = server.request("POST", "/api/ingest/v1/events", body, headers, connection=conn)
        except (OSError, http.client.HTTPException) as error:
            tally.record(time.perf_counter() - started, error=f"{type(error).__name__}: {error}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
            continue
        latency = time.perf_counter() - started
        if status != 200:
            tally.record(latency, error=f"HTTP {status}: {data[:200]!r}")
            continue
        answer = json.loads(data)
        refused = answer.get("rejected") or 0
        tally.record(latency, events=answer.get("accepted", 0),
                     error=f"{refused} events refused: {data[:200]!r}" if refused else "")
    conn.close()
    with tally.lock:
        reached[0] = max(reached[0], minute)


def admin_user(server: Server, session: str, pages: list[str], offset: int, until: float, tally: Tally) -> None:
    headers = {"Cookie": f"sessionid={session}"}
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    for path in itertools.islice(itertools.cycle(pages), offset, None):
        if time.monotonic() >= until:
            break
        started = time.perf_counter()
        try:
            status, data = server.request("GET", path, headers=headers, connection=conn)
        except (OSError, http.client.HTTPException) as error:
            tally.record(time.perf_counter() - started, error=f"{path}: {type(error).__name__}: {error}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
            continue
        tally.record(time.perf_counter() - started, error="" if status == 200 else f"{path}: HTTP {status}",
                     page=path)
    conn.close()


def phase(server: Server, token: str, session: str, pages: list[str], units: list[str], *, ingest_clients: int,
          admin_users: int, seconds: float, batch: int, next_minute: list[int]) -> tuple[Tally, Tally]:
    ingest = Tally(f"ingest, {ingest_clients} client(s)", counts_events=True)
    admin = Tally(f"admin, {admin_users} user(s)")
    until = time.monotonic() + seconds
    threads = []
    for client in range(ingest_clients):
        codes = units[client * UNITS_PER_CLIENT:(client + 1) * UNITS_PER_CLIENT]
        threads.append(threading.Thread(target=ingest_client,
                                        args=(server, token, codes, next_minute[0], batch, until, ingest,
                                              next_minute)))
    for user in range(admin_users):
        threads.append(threading.Thread(target=admin_user, args=(server, session, pages, user, until, admin)))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ingest.seconds = admin.seconds = time.monotonic() - started
    # next_minute now holds the last minute any client wrote: the next phase writes after every reading of
    # this one (fresh chunks, as live ingest does).
    return ingest, admin


def prepare(ingest_clients: int, seed_size: str) -> tuple[str, str, list[str], list[str]]:
    """Seed, an ingest token, the readings' units, a staff session and the admin pages to browse."""
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from bench.ingest import bench_equipment
    from equipment.models import Equipment
    from mfgplatform.models import IngestToken
    from production.models import FactProduction

    if seed_size:
        started = time.perf_counter()
        call_command("seed_iso_compliant", "--size", seed_size, "--no-progress", stdout=StringIO())
        call_command("refresh_views", stdout=StringIO())
        print(f"seeded ({seed_size}) and refreshed in {time.perf_counter() - started:.0f} s", flush=True)
    units = sorted(bench_equipment(ingest_clients * UNITS_PER_CLIENT))
    _, token = IngestToken.issue("bench-load")
    user = get_user_model().objects.create_superuser("bench-admin", "bench@example.com", "bench-Pass-1")
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    pages = [reverse("admin:reliability_factsensorevent_changelist"),
             reverse("admin:production_factproduction_changelist"),
             reverse("admin:reliability_factdowntime_changelist"),
             reverse("admin:equipment_equipment_changelist")]
    record = FactProduction.objects.order_by("pk").first()
    if record is not None:
        pages.append(reverse("admin:production_factproduction_change", args=[record.pk]))
    unit = Equipment.objects.order_by("pk").first()
    pages.append(reverse("admin:equipment_equipment_change", args=[unit.pk]))
    pages.append(reverse("workbench:home"))
    return token, session, units, pages


def run(args) -> None:
    from django.db import connection

    token, session, units, pages = prepare(args.ingest_clients, args.seed_size)
    settings_dict = connection.settings_dict
    url = (f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@{settings_dict['HOST']}:"
           f"{settings_dict['PORT']}/{settings_dict['NAME']}")
    log = Path(f"/tmp/bench_load_gunicorn_{os.getpid()}.log")  # noqa: S108 (a log of this run only)
    server = Server(url, args.workers, log)
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    print(f"gunicorn {args.workers} sync workers on 127.0.0.1:{server.port}; {args.seconds:.0f} s per phase; "
          f"batches of {args.batch:,} readings; pages: {', '.join(pages)}", flush=True)
    next_minute = [0]
    try:
        # Warm-up, not counted: each gunicorn worker imports its views and opens its connection.
        for round_ in range(args.workers * 2):
            body, _ = sensor_batch(units[:UNITS_PER_CLIENT], -100_000 + 100 * round_, 100)
            server.request("POST", "/api/ingest/v1/events", body, {"Authorization": f"Bearer {token}",
                                                                    "Content-Type": "application/json"})
            for path in pages:
                server.request("GET", path, headers={"Cookie": f"sessionid={session}"})

        kind = {"token": token, "session": session, "pages": pages, "units": units, "seconds": args.seconds,
                "batch": args.batch, "next_minute": next_minute}
        one_ingest, _ = phase(server, ingest_clients=1, admin_users=0, **kind)
        _, one_admin = phase(server, ingest_clients=0, admin_users=1, **kind)
        many_ingest, _ = phase(server, ingest_clients=args.ingest_clients, admin_users=0, **kind)
        ingest, admin = phase(server, ingest_clients=args.ingest_clients, admin_users=args.admin_users, **kind)
    finally:
        server.stop()
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("alone:", flush=True)
    print(one_ingest.line("events/s"))
    print(one_admin.line("req/s"))
    print(many_ingest.line("events/s", one_ingest))
    print("together:")
    print(ingest.line("events/s", one_ingest))
    print(admin.line("req/s", one_admin), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.concurrent_load", description=__doc__.splitlines()[0])
    parser.add_argument("--ingest-clients", type=int, default=16)
    parser.add_argument("--admin-users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--batch", type=int, default=2000, help="readings per API batch")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--seed-size", default="tiny", help="seed_iso_compliant size ('' for none)")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    return run_in_scratch_database("bench_load", lambda: run(args), keep_db=args.keep_db)


if __name__ == "__main__":
    sys.exit(main())
