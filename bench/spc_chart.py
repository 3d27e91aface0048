"""Control charts: server time of an X̄–R chart over one characteristic and a year, read from the
subgroup aggregate, against the same chart with its subgroups computed from the raw measurements (the
aggregate's own SELECT run on fact_quality), in the same run; the characteristic page end to end
(chart, histogram from the measurements, indices, signals, HTML); and a plain refresh of the
aggregate's version 4 against version 3 (Σx, Σx²), which it replaced.

    DATABASE_URL=postgres://postgres@127.0.0.1:5433/mfg_spc .venv/bin/python manage.py seed_iso_compliant \\
        --size demo --days 365
    DATABASE_URL=postgres://postgres@127.0.0.1:5433/mfg_spc .venv/bin/python -m bench.spc_chart

Target: a chart over one characteristic and a year of demo data in at most 200 ms of server time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

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


def _plain_refresh(create_sql: str) -> float:
    """Seconds for a plain refresh of a view created by `create_sql` (renamed), rolled back afterwards."""
    from django.db import connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(create_sql.replace("mv_quality_measurement", "bench_measurement"))
            started = time.perf_counter()
            cursor.execute("REFRESH MATERIALIZED VIEW bench_measurement")
            seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per timing (median)")
    parser.add_argument("--facts-repeat", type=int, default=3)
    parser.add_argument("--no-refresh", action="store_true", help="skip the refresh comparison")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from quality.spc import control_chart, select

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(production_date), max(production_date) FROM mv_quality_measurement")
        first, last = cursor.fetchone()
        cursor.execute("""SELECT characteristic, count(*) FROM mv_quality_measurement
                           GROUP BY 1 ORDER BY 2 DESC""")
        characteristics = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM fact_quality WHERE kind = 'variable'")
        (measurements,) = cursor.fetchone()
    if first is None:
        raise SystemExit("mv_quality_measurement is empty: seed and run manage.py refresh_views first")
    print(f"{measurements:,} measurements, {first} … {last}, {len(characteristics)} characteristics")
    # The largest characteristic and a typical one (the median by subgroups).
    chosen = [characteristics[0], characteristics[len(characteristics) // 2]]

    print("\nX̄–R chart over the whole range (median of runs, same process)")
    print(f"{'characteristic':<18} {'subgroups':>9} {'signals':>8} {'aggregate':>10} {'from facts':>11} {'ratio':>6}")
    for code, subgroups in chosen:
        selection = select("xbar_r", characteristic=code, start=first, end=last)
        control_chart(selection)  # constants computed, caches warm
        fast, result = _timed(lambda s=selection: control_chart(s), args.repeat)
        slow, _ = _timed(lambda s=selection: control_chart(s, from_facts=True), args.facts_repeat)
        print(f"{code:<18} {subgroups:>9,} {result.chart.signal_count:>8,} {fast * 1000:>8.1f} ms "
              f"{slow * 1000:>8.1f} ms {slow / fast:>5.1f}×")

    user = get_user_model().objects.filter(is_superuser=True).first()
    if user is not None:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        client = Client()
        client.force_login(user)
        print("\ncharacteristic page, whole range (chart, histogram, indices, signals, HTML; in process)")
        for code, _ in chosen:
            url = f"/workbench/quality/characteristic/{code}/?start={first}&end={last}"
            client.get(url)
            seconds, response = _timed(lambda u=url: client.get(u), max(3, args.repeat // 2))
            print(f"{code:<18} {seconds * 1000:>8.1f} ms  {len(response.content) / 1e6:.1f} MB, status "
                  f"{response.status_code}")
    else:
        print("\n(no superuser: page timing skipped; manage.py ensure_demo_superuser creates one)")

    if not args.no_refresh:
        sql = Path(__file__).resolve().parent.parent / "quality" / "sql" / "mv_quality_measurement"
        versions = {number: (sql / f"v{number}.sql").read_text(encoding="utf-8") for number in (3, 4)}
        print("\nmv_quality_measurement, plain refresh (version 3: Σx, Σx²; version 4: mean, m2, min, max)")
        for number, create_sql in versions.items():
            seconds = statistics.median(_plain_refresh(create_sql) for _ in range(3))
            print(f"version {number}: {seconds:.2f} s ({seconds / measurements * 1e6:.2f} µs per measurement)")


if __name__ == "__main__":
    main()
