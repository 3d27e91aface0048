"""Sustained sensor ingest while the KPI views refresh: does ingest keep up?

    .venv/bin/python -m bench.sustained_ingest [--seconds 20] [--units 750] [--batch 5000] [--seed-size small]

In one scratch database (bench_sustained_<DATABASE name>, all migrations, dropped afterwards):

1. seed the simulated plant (`seed_iso_compliant --size <--seed-size>`) and populate the views once;
2. baseline: POST sensor readings through the ingest API's full request path (in process, as in
   `python -m bench`) in batches of `--batch`, into fresh time ranges, for `--seconds` of ingest time;
3. the same, while a second thread runs full view refreshes back to back the way the scheduled job
   does (`refresh_changed_views(force=True)`: every materialized view, CONCURRENTLY once populated,
   and the incremental pass of each incremental aggregate, which re-aggregates the hours written
   since its previous pass);
4. print both rates, their ratio, the p99 batch time (request including its commit), the refresh
   passes and their durations, and whether ingest kept up with the required rate.

The required rate defaults to perf-notes T1: sustained ingest ≥ 30,000 rows/s with p99 batch commit
< 1 s. `--units 750` × 4 tags is T1's example of 3,000 tags. The rate counts the time spent in the
requests only; building the JSON bodies (a gateway's work) is left out of both phases alike.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field

from bench.scratch import run_in_scratch_database

REQUIRED_ROWS_PER_SECOND = 30_000  # perf-notes T1, sustained ingest
REQUIRED_P99_BATCH_SECONDS = 1.0  # perf-notes T1, p99 batch commit
MAX_WALL_SECONDS_FACTOR = 4  # a phase stops after this many times --seconds of wall clock, whatever happens


@dataclass
class IngestPhase:
    name: str
    rows: int = 0
    batch_seconds: list[float] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(self.batch_seconds)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds

    @property
    def p99_batch_seconds(self) -> float:
        return statistics.quantiles(self.batch_seconds, n=100, method="inclusive")[98]


@dataclass
class RefreshLoop:
    """Full refresh passes, back to back, in a thread of its own (with its own connection)."""

    max_passes: int
    pass_seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        from django.db import connection

        from mfgplatform.aggregates.refresh import refresh_changed_views

        try:
            for _ in range(self.max_passes):
                if self.stop.is_set():
                    break
                started = time.perf_counter()
                run = refresh_changed_views(force=True, triggered_by="bench:sustained")
                self.pass_seconds.append(time.perf_counter() - started)
                self.failures.extend(run.failed)
        finally:
            connection.close()


def ingest_for(name: str, seconds: float, units: int, batch_size: int) -> IngestPhase:
    """POST batches into a fresh time range until `seconds` of request time have been spent."""
    from django.test import Client

    from bench.ingest import bench_equipment, fresh_offset_minutes, sensor_events, sensor_rows
    from mfgplatform.models import IngestToken

    equipment = bench_equipment(units)
    _, token = IngestToken.issue(f"bench-sustained-{name}")
    client = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    # Far more minutes than any phase can use: the generator is lazy and the loop below is bounded.
    rows = sensor_rows(equipment, 10_000_000, fresh_offset_minutes(equipment))
    phase = IngestPhase(name)
    wall_deadline = time.perf_counter() + seconds * MAX_WALL_SECONDS_FACTOR
    while phase.seconds < seconds and time.perf_counter() < wall_deadline:
        batch = list(itertools.islice(rows, batch_size))
        body = json.dumps({"events": sensor_events(batch, first_id=phase.rows)})
        started = time.perf_counter()
        response = client.post("/api/ingest/v1/events", data=body, content_type="application/json")
        phase.batch_seconds.append(time.perf_counter() - started)
        if response.status_code != 200 or response.json()["rejected"] or response.json()["duplicates"]:
            raise RuntimeError(f"the API did not land the benchmark batch: {response.content[:300]!r}")
        phase.rows += len(batch)
    return phase


def print_phase(phase: IngestPhase) -> None:
    print(f"{phase.name:<22} {phase.rows:>10,} rows in {phase.seconds:5.1f} s  {phase.rows_per_second:>9,.0f} rows/s  "
          f"batch median {statistics.median(phase.batch_seconds) * 1000:5.0f} ms  "
          f"p99 {phase.p99_batch_seconds * 1000:5.0f} ms  max {max(phase.batch_seconds) * 1000:5.0f} ms", flush=True)


def refreshed_views_summary() -> list[tuple[str, int, float, float, float]]:
    """(view, refreshes, median s, max s, median rows) of the refreshes run during the loaded phase
    (rows: of the view, or for an incremental aggregate the rows its pass wrote)."""
    from django.db.models import Count, Max

    from mfgplatform.models import MaterializedViewRefresh, RefreshOutcome

    entries = (MaterializedViewRefresh.objects.filter(triggered_by="bench:sustained", outcome=RefreshOutcome.SUCCESS)
               .values("view_name").annotate(count=Count("id"), longest=Max("duration_seconds")).order_by("view_name"))
    summary = []
    for entry in entries:
        refreshes = MaterializedViewRefresh.objects.filter(
            triggered_by="bench:sustained", view_name=entry["view_name"], outcome=RefreshOutcome.SUCCESS,
        )
        durations = refreshes.values_list("duration_seconds", flat=True)
        rows = refreshes.values_list("row_count", flat=True)
        summary.append((entry["view_name"], entry["count"], statistics.median(durations), entry["longest"],
                        statistics.median(rows)))
    return summary


def run(args) -> None:
    from io import StringIO

    from django.core.management import call_command

    from mfgplatform.aggregates.registry import IncrementalAggregate, refresh_plan, refresh_views

    started = time.perf_counter()
    out = StringIO()
    call_command("seed_iso_compliant", "--size", args.seed_size, "--reset", "--no-progress", stdout=out)
    print(f"seeded ({args.seed_size}) in {time.perf_counter() - started:.1f} s: {out.getvalue().strip()}", flush=True)
    started = time.perf_counter()
    refresh_views(triggered_by="bench:populate")
    print(f"views populated in {time.perf_counter() - started:.1f} s", flush=True)

    baseline = ingest_for("baseline", args.seconds, args.units, args.batch)
    print_phase(baseline)

    loop = RefreshLoop(max_passes=args.max_refresh_passes)
    refresher = threading.Thread(target=loop.run, name="view-refresh", daemon=True)
    refresher.start()
    loaded = ingest_for("during refreshes", args.seconds, args.units, args.batch)
    loop.stop.set()
    refresher.join(timeout=300)
    print_phase(loaded)

    passes = loop.pass_seconds
    print(f"refresh passes (all views, back to back): {len(passes)}"
          + (f", median {statistics.median(passes):.2f} s, max {max(passes):.2f} s" if passes else "")
          + (f", FAILED views: {sorted(set(loop.failures))}" if loop.failures else ""), flush=True)
    aggregates = {view.name for view in refresh_plan() if isinstance(view, IncrementalAggregate)}
    for view_name, count, median, longest, rows in refreshed_views_summary():
        label, written = ("incremental passes", f", median {rows:,.0f} rows written") if view_name in aggregates \
            else ("refreshes", "")
        print(f"    {view_name:<28} {count:>3} {label:<18}  median {median:6.3f} s  max {longest:6.3f} s{written}")

    ratio = loaded.rows_per_second / baseline.rows_per_second
    kept_up = (loaded.rows_per_second >= args.required_rate
               and loaded.p99_batch_seconds < REQUIRED_P99_BATCH_SECONDS and bool(passes))
    print(f"\nbaseline {baseline.rows_per_second:,.0f} rows/s, during refreshes {loaded.rows_per_second:,.0f} rows/s, "
          f"ratio {ratio:.2f}")
    print(f"required ≥ {args.required_rate:,} rows/s with p99 batch < {REQUIRED_P99_BATCH_SECONDS:.0f} s "
          f"(perf-notes T1): {'KEPT UP' if kept_up else 'DID NOT KEEP UP'}"
          + ("" if passes else " (no refresh pass completed: the loaded phase measured nothing)"), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sustained_ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="ingest time per phase")
    parser.add_argument("--units", type=int, default=750, help="equipment units, 4 tags each")
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--seed-size", default="small", help="seed_iso_compliant size")
    parser.add_argument("--required-rate", type=int, default=REQUIRED_ROWS_PER_SECOND)
    parser.add_argument("--max-refresh-passes", type=int, default=200)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    return run_in_scratch_database("bench_sustained", lambda: run(args), keep_db=args.keep_db)


if __name__ == "__main__":
    sys.exit(main())
