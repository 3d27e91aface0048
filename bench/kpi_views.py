"""KPI views: full refresh time of each view and KPI latency from the views against the same KPI
computed straight from the facts, in the same run; for the incremental aggregates, the rebuild and
an incremental pass after one new hour of data (readings; for the day-kept aggregates a stop and a
run per unit), next to the full refresh of the materialized view they replace.

    DATABASE_URL=postgres://postgres@127.0.0.1:5433/mfg_kpi .venv/bin/python manage.py seed_iso_compliant \\
        --size demo --days 365
    DATABASE_URL=postgres://postgres@127.0.0.1:5433/mfg_kpi .venv/bin/python -m bench.kpi_views

Targets: plant-wide OEE by day for a year in under 50 ms from the views and at least 50× faster than
from the facts, plant FPY and DPMO by week at least 50× faster; a full refresh costs at most 1 µs per
source row; the time model's pass with nothing written at most 20 ms, after one new hour of facts at
most 2 % of a rebuild.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

import django


def _timed(function, repeat: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


class _Rollback(Exception):
    pass


def _replaced_view_refresh(select_sql: str, unique_key: str, *indexes: str) -> float:
    """Seconds for a plain refresh of a materialized view of `select_sql` with the given unique key and
    indexes, as a replaced view had them, in a transaction rolled back afterwards."""
    from django.db import connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(f"CREATE MATERIALIZED VIEW bench_replaced AS {select_sql} WITH NO DATA")
            cursor.execute(f"CREATE UNIQUE INDEX ON bench_replaced ({unique_key})")
            for columns in indexes:
                cursor.execute(f"CREATE INDEX ON bench_replaced ({columns})")
            started = time.perf_counter()
            cursor.execute("REFRESH MATERIALIZED VIEW bench_replaced")
            seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        return seconds


def _sensor_hourly_comparison() -> tuple[float, float, int, float]:
    """(full refresh of the replaced view mv_sensor_hourly version 1, the incremental pass after one
    new hour of readings, the readings of that hour, a pass with nothing invalidated), each in a
    transaction rolled back afterwards so the database stays as it was."""
    from django.db import connection, transaction

    from mfgplatform.sql_objects import sql_object
    from reliability.sensor_aggregate import refresh_sensor_hourly

    sensor_hourly_v1 = sql_object("reliability", "mv_sensor_hourly").defining_select(1)
    timings = {"view": _replaced_view_refresh(sensor_hourly_v1, "equipment_id, tag, bucket", "bucket")}
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # The newest hour of readings once more, an hour later, as an ingest path writes it.
            cursor.execute("SELECT time_bucket(interval '1 hour', max(time)) FROM fact_sensor_event")
            newest_hour = cursor.fetchone()[0]
            cursor.execute("INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality) "
                           "SELECT time + interval '1 hour', equipment_id, tag, value, quality "
                           "FROM fact_sensor_event WHERE time >= %s", [newest_hour])
            timings["new_rows"] = cursor.rowcount
            cursor.execute("INSERT INTO agg_sensor_hourly_invalidation (low, high) "
                           "SELECT min(time), max(time) FROM fact_sensor_event WHERE time >= %s",
                           [newest_hour + dt.timedelta(hours=1)])
            started = time.perf_counter()
            refresh_sensor_hourly()
            timings["pass"] = time.perf_counter() - started
            started = time.perf_counter()
            refresh_sensor_hourly()
            timings["no_op"] = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return timings["view"], timings["pass"], timings["new_rows"], timings["no_op"]


# The materialized view each day-kept aggregate replaced (its last version and indexes), for the comparison.
def _replaced_views() -> dict[str, tuple[str, ...]]:
    from mfgplatform.sql_objects import sql_object

    time_model_v2 = sql_object("production", "mv_time_model").defining_select(2)
    downtime_by_reason_v3 = sql_object("reliability", "mv_downtime_by_reason").defining_select(3)
    return {
        "agg_time_model": (time_model_v2, "date_key, shift_id, equipment_id", "production_date",
                           "equipment_id, date_key"),
        "agg_downtime_by_reason": (downtime_by_reason_v3, "date_key, shift_id, equipment_id, reason_id",
                                   "production_date"),
    }


def _copy_latest_facts(cursor, table: str, start: str, end: str) -> int:
    """Each unit's latest row of `table` once more, moved to [now() - start, now() - end]: what an
    ingest path writes in the last hour."""
    cursor.execute("SELECT string_agg(quote_ident(column_name), ', ') FROM information_schema.columns "
                   "WHERE table_schema = 'public' AND table_name = %s "
                   "AND column_name NOT IN ('id', 'started_at', 'ended_at')", [table])
    columns = cursor.fetchone()[0]
    cursor.execute(f"INSERT INTO {table} ({columns}, started_at, ended_at) "  # noqa: S608 (fixed names)
                   f"SELECT {columns}, now() - interval '{start}', now() - interval '{end}' FROM {table} "
                   f"WHERE id IN (SELECT max(id) FROM {table} GROUP BY equipment_id)")
    return cursor.rowcount


def _day_aggregate_comparison(name: str, function: str, repeats: int = 5) -> dict[str, float]:
    """The plain refresh of the materialized view the aggregate replaced ("view"); passes with nothing
    written, each in its own transaction so that the clock moves between them as between scheduled
    passes (committed: they only bring the running occurrence up to date), the median in this connection
    ("no_op") and the first pass of a new connection ("no_op_new_connection"); the pass after one new stop
    and one new run per unit in the last hour ("pass", "facts", "written"), in a transaction rolled back
    afterwards so the facts stay as they were."""
    from django.db import connection, transaction

    timings: dict[str, float] = {"view": _replaced_view_refresh(*_replaced_views()[name])}
    connection.close()  # a new session: its catalog caches are cold, as a scheduled job's
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(f"SELECT {function}(false)")
        timings["no_op_new_connection"] = time.perf_counter() - started
        cursor.execute("SET jit = off")
        no_op = []
        for _ in range(repeats):
            started = time.perf_counter()
            cursor.execute(f"SELECT {function}(false)")
            no_op.append(time.perf_counter() - started)
        timings["no_op"] = statistics.median(no_op)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            facts = _copy_latest_facts(cursor, "fact_downtime", "50 minutes", "40 minutes")
            facts += _copy_latest_facts(cursor, "fact_production", "40 minutes", "10 minutes")
            started = time.perf_counter()
            cursor.execute(f"SELECT rows_written FROM {function}(false)")
            timings["pass"] = time.perf_counter() - started
            timings["written"] = cursor.fetchone()[0]
            timings["facts"] = facts
            raise _Rollback
    except _Rollback:
        pass
    return timings


class _RunningShift:
    """A shift occurrence running now, for the passes above: with none (a weekend, a night off), a pass
    with nothing written has nothing the clock moved, which would flatter it. A temporary shift on
    today's weekday from two hours ago for eight hours is added to the calendar and removed afterwards
    (each change recomputes every day of the day-kept aggregates once, untimed)."""

    CODE = "BENCH-RUNNING"

    def __enter__(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT FROM mv_shift_occurrence WHERE occurrence @> now())")
            self.added = not cursor.fetchone()[0]
        if self.added:
            from zoneinfo import ZoneInfo

            from django.conf import settings

            from mfgplatform.models import DimShift

            local = dt.datetime.now(ZoneInfo(settings.PLANT_TIME_ZONE)) - dt.timedelta(hours=2)
            start = local.replace(minute=0, second=0, microsecond=0)
            DimShift.objects.create(code=self.CODE, name="Bench: a shift running now", start_time=start.time(),
                                    end_time=(start + dt.timedelta(hours=8)).time(), weekdays=[start.isoweekday()],
                                    sort_order=99)
            self._calendar_changed()
        return self

    def __exit__(self, *exc):
        if self.added:
            from mfgplatform.models import DimShift

            DimShift.objects.filter(code=self.CODE).delete()
            self._calendar_changed()

    @staticmethod
    def _calendar_changed() -> None:
        from django.db import connection

        from mfgplatform.aggregates.registry import IncrementalAggregate, refresh_plan

        with connection.cursor() as cursor:
            # Only the calendar views: the other views depend on them but come back as they were.
            cursor.execute("REFRESH MATERIALIZED VIEW mv_shift_occurrence")
            cursor.execute("REFRESH MATERIALIZED VIEW mv_shift_segment_hour")
            for view in refresh_plan():
                if isinstance(view, IncrementalAggregate) and view.name in _replaced_views():
                    cursor.execute(f"SELECT {view.function}(false)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="Runs per KPI query from the views (median)")
    parser.add_argument("--facts-repeat", type=int, default=3, help="Runs per KPI query from the facts (median)")
    parser.add_argument("--skip-refresh", action="store_true")
    parser.add_argument("--day-aggregates-only", action="store_true",
                        help="Only the day-kept aggregates' rebuild and passes (no views, no KPI queries)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    from django.db import connection

    from mfgplatform.aggregates.registry import IncrementalAggregate, refresh_order, refresh_plan, refresh_views
    from mfgplatform.kpi import compute_kpis

    def count(table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        # No JIT for either path: it adds about a second of compilation to every large plan here,
        # which would flatter the views' speed-up (the refresh service turns it off too).
        cursor.execute("SET jit = off")

    facts = ["fact_production", "fact_downtime", "fact_quality", "fact_scrap", "fact_sensor_event"]
    rows = {table: count(table) for table in facts}
    print("source rows: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))

    if not args.skip_refresh and not args.day_aggregates_only:
        refresh_views(triggered_by="bench")  # populated, warm caches
    if not args.skip_refresh and not args.day_aggregates_only:
        print("\n| view | rows | plain refresh | concurrent refresh | source rows | µs per source row (plain) |")
        print("|---|---:|---:|---:|---:|---:|")
        for view in refresh_order():
            plain = refresh_views([view.name], concurrently=False, triggered_by="bench")
            concurrent = refresh_views([view.name], concurrently=True, triggered_by="bench")
            plain_entry = next(e for e in plain if e.view_name == view.name)
            concurrent_entry = next(e for e in concurrent if e.view_name == view.name)
            source_rows = sum(rows.get(t, 0) for t in view.sources) or count(view.sources[0])
            print(f"| {view.name} | {plain_entry.row_count:,} | {plain_entry.duration_seconds:.3f} s "
                  f"| {concurrent_entry.duration_seconds:.3f} s | {source_rows:,} "
                  f"| {plain_entry.duration_seconds / source_rows * 1e6:.2f} |")

    if not args.skip_refresh:
        aggregates = [view for view in refresh_plan() if isinstance(view, IncrementalAggregate)
                      and (view.name in _replaced_views() or not args.day_aggregates_only)]
        print("\n| incremental aggregate | rows | rebuild | source rows | µs per source row (rebuild) |")
        print("|---|---:|---:|---:|---:|")
        rebuilds = {}
        for view in aggregates:
            [rebuild] = refresh_views([view.name], full=True, triggered_by="bench")
            rebuilds[view.name] = rebuild.duration_seconds
            source_rows = sum(rows.get(t, 0) for t in view.sources) or count(view.sources[0])
            print(f"| {view.name} | {count(view.name):,} | {rebuild.duration_seconds:.3f} s | {source_rows:,} "
                  f"| {rebuild.duration_seconds / source_rows * 1e6:.2f} |")
        with _RunningShift() as running:
            if running.added:
                print("\n(no shift occurrence runs now: a temporary shift running now was added for the passes "
                      "below and removed afterwards)")
            for view in aggregates:
                if view.name in _replaced_views():
                    t = _day_aggregate_comparison(view.name, view.function)
                    print(f"\n{view.name}: pass with nothing written {t['no_op'] * 1000:.1f} ms (median of 5, "
                          f"first pass of a new connection {t['no_op_new_connection'] * 1000:.1f} ms); pass after "
                          f"one new hour ({t['facts']:,.0f} facts: a stop and a run per unit) "
                          f"{t['pass'] * 1000:.1f} ms "
                          f"({t['written']:,.0f} rows written), {t['pass'] / rebuilds[view.name] * 100:.1f} % of "
                          f"the rebuild; the view it replaces, plain refresh {t['view']:.3f} s")
        if any(view.name == "agg_sensor_hourly" for view in aggregates):
            replaced, one_hour, new_rows, no_op = _sensor_hourly_comparison()
            print(f"\nagg_sensor_hourly: incremental pass after one new hour ({new_rows:,} readings) "
                  f"{one_hour * 1000:.1f} ms, with nothing invalidated {no_op * 1000:.1f} ms; the view it replaces "
                  f"(mv_sensor_hourly version 1), plain refresh {replaced:.3f} s")

    if args.day_aggregates_only:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(production_date), max(production_date) FROM agg_time_model WHERE pq > 0")
        first, last = cursor.fetchone()
        cursor.execute("SELECT e.code FROM dim_equipment AS e WHERE e.taxonomy_level = 5 ORDER BY e.code LIMIT 1")
        line = cursor.fetchone()
        cursor.execute("SELECT c.code FROM ref_iso14224_equipment_class AS c JOIN dim_equipment AS e "
                       "ON e.equipment_class_id = c.id GROUP BY c.code ORDER BY count(*) DESC LIMIT 1")
        equipment_class = cursor.fetchone()
    year_start = max(first, last - dt.timedelta(days=364))
    month_start = max(first, last - dt.timedelta(days=29))
    print(f"\ndata from {first} to {last}; KPI year window {year_start}..{last}")

    cases = [
        ("plant-wide OEE by day, one year", ["oee"], {"start": year_start, "end": last, "granularity": "day"}),
        ("plant-wide OEE, A, E, QR by month, one year", ["oee", "availability", "effectiveness", "quality_ratio"],
         {"start": year_start, "end": last, "granularity": "month"}),
    ]
    if line:
        cases.append((f"line {line[0]} OEE by shift, 30 days", ["oee"],
                      {"equipment": [line[0]], "start": month_start, "end": last, "granularity": "shift"}))
    if equipment_class:
        cases.append((f"class {equipment_class[0]} MTBF, MTTR by failure mode, one year", ["mtbf", "mttr"],
                      {"equipment_classes": [equipment_class[0]], "start": year_start, "end": last,
                       "group_by": "failure_mode"}))
    cases.append(("plant FPY and DPMO by week, one year", ["fpy", "dpmo"],
                  {"start": year_start, "end": last, "granularity": "week"}))

    print("\n| query | results | from views (median) | from facts (median) | speed-up |")
    print("|---|---:|---:|---:|---:|")
    for label, codes, options in cases:
        from_views, results = _timed(lambda c=codes, o=options: compute_kpis(c, **o), args.repeat)
        from_facts, fact_results = _timed(lambda c=codes, o=options: compute_kpis(c, from_facts=True, **o),
                                          args.facts_repeat)
        same = [(r.period, r.group, r.value) for r in results] == [(r.period, r.group, r.value) for r in fact_results]
        print(f"| {label} | {len(results)}{'' if same else ' (DIFFERENT)'} | {from_views * 1000:.1f} ms "
              f"| {from_facts * 1000:.0f} ms | {from_facts / from_views:.0f}× |")


if __name__ == "__main__":
    main()
