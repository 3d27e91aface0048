"""Server time of the KPI workbench pages on a seeded development database (target: 300 ms a page).

    .venv/bin/python manage.py seed_iso_compliant --size demo --days 365 && .venv/bin/python manage.py refresh_views
    .venv/bin/python -m bench.workbench_pages [--repeats 7]

Requests each page in process through Django's full request path as a superuser (test client: no
network, no browser) and prints the median time, the SQL queries of one request and, as the baseline
measured in the same run, the time of the bare KPI-service call for the page's node and range
(OEE and its factors), with the ratio page / baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client

    from equipment.models import Equipment
    from mfgplatform.kpi import compute_kpis
    from workbench.selection import plant_today

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = True  # to count the queries of a request
    user, _ = get_user_model().objects.get_or_create(username="bench-workbench",
                                                     defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(user)
    site = Equipment.objects.filter(parent__isnull=True).order_by("code").first()
    area = Equipment.objects.filter(parent=site).order_by("code").first()
    line = Equipment.objects.filter(parent=area).order_by("code").first()
    unit = Equipment.objects.filter(parent=line, equipment_class__code__startswith="X").order_by("code").first()
    today = plant_today()
    year_range = (today - dt.timedelta(days=365), today - dt.timedelta(days=1))
    year = f"start={year_range[0]}&end={year_range[1]}"
    pages = [
        ("home, plant, last 7 days", "/workbench/?range=last_7_days", None, "last_7_days"),
        ("home, plant, last 90 days", "/workbench/?range=last_90_days", None, "last_90_days"),
        ("home, plant, 365 days by week", f"/workbench/?{year}&granularity=week", None, year_range),
        ("home, area, last 30 days", f"/workbench/?node={area.code}&range=last_30_days", area, "last_30_days"),
        ("home, line, last week", f"/workbench/?node={line.code}&range=last_week", line, "last_week"),
        ("unit page, unit, last 30 days by day", f"/workbench/unit/?node={unit.code}&range=last_30_days",
         unit, "last_30_days"),
        ("unit page, line, 365 days by month",
         f"/workbench/unit/?node={line.code}&{year}&granularity=month", line, year_range),
        ("downtime Pareto, plant, last 30 days", "/workbench/downtime/?range=last_30_days", None, "last_30_days"),
        ("downtime Pareto, line, drilled", f"/workbench/downtime/?node={line.code}&range=last_30_days&reason=MINOR-JAM",
         line, "last_30_days"),
        ("quality, plant, last 30 days by week", "/workbench/quality/?range=last_30_days&granularity=week",
         None, "last_30_days"),
        ("reliability, plant, 365 days", f"/workbench/reliability/?{year}", None, year_range),
        ("home, plant, last week vs the week before", "/workbench/?range=last_week&compare=previous", None,
         "last_week"),
        ("downtime Pareto, plant, 365 days vs custom", f"/workbench/downtime/?{year}&compare=custom&"
         f"cstart={year_range[0]}&cend={year_range[0] + dt.timedelta(days=90)}", None, year_range),
        ("sensors, unit, last 7 days hourly", f"/workbench/sensors/?node={unit.code}&range=last_7_days",
         unit, "last_7_days"),
        ("sensors, unit, 365 days daily", f"/workbench/sensors/?node={unit.code}&{year}", unit, year_range),
        ("CSV export, home trend, last 90 days", "/workbench/?range=last_90_days&export=trend", None, "last_90_days"),
    ]
    print(f"{'page':<44} {'median':>9} {'min':>9} {'queries':>8} {'KPI call':>9} {'ratio':>6}")
    for name, url, node, date_range in pages:
        assert client.get(url).status_code == 200, url  # warm: imports, connection, plans
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - started)
        reset_queries()
        client.get(url)
        queries = len(connection.queries)
        baseline = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            dates = {"date_range": date_range} if isinstance(date_range, str) else \
                {"start": date_range[0], "end": date_range[1]}
            compute_kpis(["oee", "availability", "effectiveness", "quality_ratio"],
                         equipment=[node.code] if node else [], **dates)
            baseline.append(time.perf_counter() - started)
        page, kpi = statistics.median(times), statistics.median(baseline)
        print(f"{name:<44} {page * 1000:>7.0f} ms {min(times) * 1000:>6.0f} ms {queries:>8} {kpi * 1000:>6.1f} ms "
              f"{page / kpi:>6.1f}", flush=True)


if __name__ == "__main__":
    main()
