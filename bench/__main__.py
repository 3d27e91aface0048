"""Run the benchmarks against a scratch copy of the schema (never the development database).

    python -m bench [--units 50] [--minutes 5000] [--api-minutes 1000] [--batch 5000] [--seed-size small]

A database named bench_<DATABASE name> is created with every migration applied, used and dropped.
Each ingest figure is printed with its ratio to a raw COPY of the same rows into a plain table
with the same indexes, measured in the same run (the median of --repeats alternating runs).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench.scratch import run_in_scratch_database


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--minutes", type=int, default=5_000, help="load_facts: readings per unit and tag")
    parser.add_argument("--api-minutes", type=int, default=1_000, help="API: readings per unit and tag")
    parser.add_argument("--batch", type=int, default=5_000, help="API batch size")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed-size", default="small", help="seed_iso_compliant size to time ('' to skip)")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    return run_in_scratch_database("bench", lambda: run(args), keep_db=args.keep_db)


def _report(pairs: list[tuple[float, float]], name: str, rows: int) -> None:
    raw = statistics.median(r for r, _ in pairs)
    measured = statistics.median(m for _, m in pairs)
    ratios = [m / r for r, m in pairs]
    print(f"{name:<42} {rows:>10,} rows  {measured:>10,.0f} rows/s   raw COPY {raw:>10,.0f} rows/s   "
          f"ratio {statistics.median(ratios):.2f} (runs: {', '.join(f'{x:.2f}' for x in ratios)})", flush=True)


def run(args) -> None:
    from bench.ingest import run_api, run_load_facts

    pairs, rows = [], 0
    for _ in range(args.repeats):
        raw, loaded = run_load_facts(args.units, args.minutes)
        pairs.append((raw.rows_per_second, loaded.rows_per_second))
        rows = loaded.rows
    _report(pairs, "load_facts sensor_event", rows)

    pairs = []
    for _ in range(args.repeats):
        raw, api = run_api(args.units, args.api_minutes, args.batch)
        pairs.append((raw.rows_per_second, api.rows_per_second))
        rows = api.rows
    _report(pairs, f"ingest API (batches of {args.batch:,})", rows)

    if args.seed_size:
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        started = time.perf_counter()
        call_command("seed_iso_compliant", "--size", args.seed_size, "--reset", "--no-progress", stdout=out)
        seconds = time.perf_counter() - started
        print(f"seed_iso_compliant --size {args.seed_size}: {seconds:.1f} s — {out.getvalue().strip()}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
