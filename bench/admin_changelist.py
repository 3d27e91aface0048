"""Server time of every fact changelist, unfiltered and filtered by each of its filters (target: 150 ms).

    .venv/bin/python manage.py seed_iso_compliant --size demo --days 365 && .venv/bin/python manage.py refresh_views
    .venv/bin/python -m bench.admin_changelist [--repeats 7] [--sweep]

Runs on a seeded development database (data shaped like the demo plant: 40 units, a year of runs,
stops, inspections, scrap and sensor readings), like `bench.workbench_pages`. For each fact admin it
requests, as a superuser through Django's full request path in process (test client: no network,
no browser), the unfiltered first page, each filter with a representative value (a line and an area
for the subtree filter, a unit, the first choice of every other filter), one day of the date
navigation and page 20. With `--sweep` every choice of every filter is requested once first and the
slowest choice of each filter is measured as well.

Prints the median, the minimum (closest to an idle machine's time) and the maximum over `--repeats`
requests, the SQL queries of one request, and as
the baseline of the same run the bare ORM read of the same 50 rows (the admin's queryset with its
filters, ordering and related rows, no rendering), with the ratio page / baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from urllib.parse import parse_qsl, urlencode

import django

TARGET_MS = 150
FACT_ADMINS = [
    ("production runs", "production", "factproduction"),
    ("downtime events", "reliability", "factdowntime"),
    ("inspections", "quality", "factquality"),
    ("scrap", "quality", "factscrap"),
    ("sensor readings", "reliability", "factsensorevent"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--sweep", action="store_true", help="also measure the slowest choice of every filter")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    user, _ = get_user_model().objects.get_or_create(
        username="bench-changelist", defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(user)
    client.bench_user = user
    print(f"{'changelist':<18} {'case':<44} {'median':>9} {'min':>8} {'max':>8} {'queries':>8} {'ORM read':>9} "
          f"{'ratio':>6}")
    slowest = 0.0
    for label, app, model in FACT_ADMINS:
        url = f"/admin/{app}/{model}/"
        for case, params in cases(client, url, sweep=args.sweep):
            median = measure(client, url, params, args.repeats, label, case)
            slowest = max(slowest, median)
    print(f"slowest median {slowest:.0f} ms (target {TARGET_MS} ms)")


def _timed(client, url: str, params: dict) -> float:
    started = time.perf_counter()
    response = client.get(url, params)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, params, response.status_code)
    return elapsed


def cases(client, url: str, *, sweep: bool) -> list[tuple[str, dict]]:
    """(case, query parameters): unfiltered, a representative value of every filter, a day, a deep
    page; with `sweep`, also the slowest choice of each filter."""
    from equipment.models import Equipment

    changelist = _changelist(client, url, {})
    result = [("unfiltered, first page", {})]
    for spec in changelist.filter_specs:
        choices = [_params(choice["query_string"]) for choice in spec.choices(changelist)
                   if _params(choice["query_string"])]
        if not choices:
            continue
        title = str(spec.title)
        if getattr(spec, "parameter_name", "") == "subtree":
            line = Equipment.objects.filter(taxonomy_level=5).order_by("code").values_list("code", flat=True)[0]
            area = Equipment.objects.filter(taxonomy_level=4).order_by("code").values_list("code", flat=True)[0]
            result += [(f"by {title}: line {line}", {"subtree": line}), (f"by {title}: area {area}", {"subtree": area})]
        else:
            result.append((f"by {title}: {_describe(choices[0])}", choices[0]))
        timed = [(_timed(client, url, params), params) for params in choices] if sweep and len(choices) > 1 else []
        if timed:
            _, worst = max(timed, key=lambda item: item[0])
            result.append((f"by {title}: slowest {_describe(worst)}", worst))
    hierarchy = changelist.model_admin.indexed_date_hierarchy
    if hierarchy is not None:
        last = hierarchy.bounds(changelist.queryset)[1]
        result.append((f"one day ({last})", {hierarchy.gte_param: hierarchy.encode(last),
                                             hierarchy.lt_param: hierarchy.encode(last + _one_day())}))
    result.append(("page 20", {"p": 20}))
    return result


def _changelist(client, url: str, params: dict):
    """The admin's ChangeList for the URL and parameters, built as the view builds it."""
    from django.test import RequestFactory
    from django.urls import resolve

    model_admin = resolve(url).func.model_admin
    request = RequestFactory().get(url, params)
    request.user = client.bench_user
    return model_admin.get_changelist_instance(request)


def _one_day():
    import datetime as dt

    return dt.timedelta(days=1)


def _params(query_string: str) -> dict:
    return dict(parse_qsl(query_string.lstrip("?")))


def _describe(params: dict) -> str:
    return urlencode(params)[:30]


def measure(client, url: str, params: dict, repeats: int, label: str, case: str) -> float:
    from django.conf import settings
    from django.db import connection, reset_queries

    _timed(client, url, params)  # warm: plans, caches of the connection
    times = [_timed(client, url, params) for _ in range(repeats)]
    settings.DEBUG = True
    reset_queries()
    client.get(url, params)
    queries = len(connection.queries)
    settings.DEBUG = False
    baseline = []
    page_queryset = _changelist(client, url, params).result_list
    for _ in range(repeats):
        started = time.perf_counter()
        list(page_queryset._chain())
        baseline.append((time.perf_counter() - started) * 1000)
    median, orm = statistics.median(times), statistics.median(baseline)
    flag = "" if median <= TARGET_MS else "  over target"
    print(f"{label:<18} {case:<44} {median:>6.0f} ms {min(times):>5.0f} ms {max(times):>5.0f} ms {queries:>8} "
          f"{orm:>6.1f} ms {median / orm:>6.1f}{flag}", flush=True)
    return median


if __name__ == "__main__":
    main()
