"""The time model's SELECT over every day: the current version against an earlier one, alternating in one
process, on a seeded development database (like bench.kpi_views), so that a new definition's cost is a
ratio to the old one measured under the same load.

    .venv/bin/python -m bench.time_model_versions [--baseline 6] [--repeat 5] [--overtime]

Each run materializes the SELECT opened to every day (what a rebuild computes before it compares and
writes) into a temporary table in a transaction rolled back afterwards, with JIT off as in the passes.
It also prints how many rows each version gives and how many of them are unscheduled occurrences.
`--overtime` first copies every run and stop that starts on a Friday between 06:00 and 14:00 (plant
time) to the Saturday after, where the demo calendar has no shift: Saturday overtime on every unit and
every week, so the unscheduled occurrences have work to do (rolled back with the rest).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import django


class _Rollback(Exception):
    pass


def _saturday_overtime(cursor) -> int:
    """Copy Friday's early-shift runs and stops to Saturday; the facts added."""
    added = 0
    for table in ("fact_production", "fact_downtime"):
        cursor.execute("SELECT string_agg(quote_ident(column_name), ', ') FROM information_schema.columns "
                       "WHERE table_schema = 'public' AND table_name = %s "
                       "AND column_name NOT IN ('id', 'started_at', 'ended_at', 'date_key')", [table])
        columns = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO {table} ({columns}, date_key, started_at, ended_at) "  # noqa: S608 (fixed names)
            f"SELECT {columns}, mfg_date_key(mfg_production_date(started_at + interval '1 day')), "
            f"started_at + interval '1 day', ended_at + interval '1 day' FROM {table} "
            "WHERE extract(isodow FROM started_at AT TIME ZONE mfg_plant_time_zone()) = 5 "
            "AND (started_at AT TIME ZONE mfg_plant_time_zone())::time >= time '06:00' "
            "AND (ended_at AT TIME ZONE mfg_plant_time_zone())::time <= time '14:00' AND ended_at IS NOT NULL"
            " AND ended_at - started_at < interval '8 hours'")
        added += cursor.rowcount
    return added


def _materialize(select_sql: str) -> tuple[float, int, int]:
    """(seconds, rows, rows of shift 0 with POT) of one run of `select_sql`, rolled back."""
    from django.db import connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            started = time.perf_counter()
            cursor.execute(f"CREATE TEMP TABLE bench_time_model AS {select_sql}")
            seconds = time.perf_counter() - started
            cursor.execute("SELECT count(*), count(*) FILTER (WHERE shift_id = 0 AND pot_s > 0) FROM bench_time_model")
            rows, unscheduled = cursor.fetchone()
            raise _Rollback
    except _Rollback:
        return seconds, rows, unscheduled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=int, help="the earlier version (default: the one before the current)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--overtime", action="store_true", help="add Saturday overtime first (rolled back)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection, transaction

    from mfgplatform.sql_objects import sql_object

    query = sql_object("production", "time_model_select")
    current = query.current_version
    baseline = args.baseline or current - 1
    selects = {version: query.defining_select(version) for version in (baseline, current)}
    timings: dict[int, list[float]] = {baseline: [], current: []}
    counts = {}
    try:
        with transaction.atomic():
            if args.overtime:
                with connection.cursor() as cursor:
                    print(f"Saturday overtime: {_saturday_overtime(cursor):,} runs and stops added")
            for _ in range(args.repeat):
                for version, select_sql in selects.items():
                    seconds, rows, unscheduled = _materialize(select_sql)
                    timings[version].append(seconds)
                    counts[version] = (rows, unscheduled)
            raise _Rollback
    except _Rollback:
        pass
    ratios = [new / old for old, new in zip(timings[baseline], timings[current], strict=True)]
    for version in (baseline, current):
        rows, unscheduled = counts[version]
        runs = ", ".join(f"{s:.2f}" for s in timings[version])
        print(f"time_model_select v{version}: median {statistics.median(timings[version]):.3f} s over every day "
              f"(runs: {runs}); {rows:,} rows, {unscheduled:,} unscheduled occurrences with time")
    print(f"v{current} / v{baseline}: median ratio {statistics.median(ratios):.2f} "
          f"(runs: {', '.join(f'{r:.2f}' for r in ratios)})")


if __name__ == "__main__":
    main()
