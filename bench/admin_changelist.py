"""Fact-table changelist latency on millions of rows (target: under 150 ms per page).

    DATABASE_URL=postgres://postgres@127.0.0.1:5433/mfg_bench .venv/bin/python -m bench.admin_changelist --rows 5000000

Seeds fact_sensor_event (the hypertable) with `--rows` readings server-side if it holds fewer, then
requests the admin changelist as a superuser: unfiltered, filtered by equipment, one day of the date
navigation, and a deep page. Prints the median of 7 requests each and the queries of one request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.urls import reverse

    from equipment.models import Equipment
    from equipment.services import equipment_save

    settings.ALLOWED_HOSTS = ["*"]
    units = []
    for number in range(50):
        code = f"CLBENCH-{number:02d}"
        unit = Equipment.objects.filter(code=code).first()
        if unit is None:
            unit = Equipment(code=code, name=code, taxonomy_level=5)
            equipment_save(equipment=unit, reason="changelist benchmark")
        units.append(unit)
    with connection.cursor() as cursor:
        cursor.execute("SELECT approximate_row_count('fact_sensor_event')")
        present = cursor.fetchone()[0]
        if present < args.rows * 0.95:
            print(f"seeding {args.rows:,} sensor readings …")
            started = time.perf_counter()
            ids = [unit.pk for unit in units]
            cursor.execute(
                """
                INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality)
                SELECT timestamptz '2025-01-01' + (n / %s) * interval '1 minute',
                       (%s::bigint[])[1 + n %% %s], 'temp', random() * 100, 192
                FROM generate_series(0, %s - 1) AS n
                ON CONFLICT DO NOTHING
                """,
                [len(ids), ids, len(ids), args.rows],
            )
            cursor.execute("ANALYZE fact_sensor_event")
            print(f"  seeded in {time.perf_counter() - started:.1f} s")
        cursor.execute("SELECT approximate_row_count('fact_sensor_event')")
        print(f"fact_sensor_event ≈ {cursor.fetchone()[0]:,} rows")

    user_model = get_user_model()
    user = user_model.objects.filter(username="changelist-bench").first() or user_model.objects.create_superuser(
        "changelist-bench", "bench@example.com", "unused-Passw0rd!")
    client = Client()
    client.force_login(user)
    url = reverse("admin:reliability_factsensorevent_changelist")
    cases = {
        "unfiltered, first page": {},
        "filtered by equipment": {"equipment__id__exact": units[7].pk},
        "one day (date navigation)": {"time__gte": "2025-02-01T00:00:00+00:00",
                                      "time__lt": "2025-02-02T00:00:00+00:00"},
        "page 20": {"p": 20},
    }
    settings.DEBUG = True
    for label, params in cases.items():
        timings = []
        for _ in range(7):
            reset_queries()
            started = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        statements = [query["sql"] for query in connection.queries]
        counts = sum("COUNT(" in sql.upper() for sql in statements)
        print(f"  {label:<28} median {statistics.median(timings):7.1f} ms  "
              f"({len(statements)} queries, {counts} COUNT)")


if __name__ == "__main__":
    main()
