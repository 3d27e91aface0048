"""The installation check behind `manage.py verify_iso_compliance`: each check passes or says how to fix it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import connection
from django.utils import timezone

from ..operations.schedules import DEFAULT_SCHEDULES, scheduled_pg_cron_jobs
from .periods import current_production_date
from .records import PROJECT_APPS, audit_trail_gaps

DEFAULT_VIEW_FRESHNESS = dt.timedelta(minutes=30)
KPI_SAMPLE_DAYS = 7
KPI_SAMPLE_CODES = ("oee", "availability", "effectiveness", "quality_ratio", "fpy", "ppm_defective", "scrap_ratio",
                    "mtbf", "mttr", "failure_rate")
KPI_TOLERANCE = 1e-9


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str
    fix: str = ""


# Reference code lists that migrations load, with the least number of rows a loaded list has.
REFERENCE_LISTS = (
    ("ref_iso14224_equipment_class", 1, "migrate equipment"),
    ("ref_iso14224_failure_mode", 1, "migrate reliability"),
    ("ref_iso14224_failure_mechanism", 1, "migrate reliability"),
    ("ref_iso14224_failure_cause", 1, "migrate reliability"),
    ("ref_iso14224_detection_method", 1, "migrate reliability"),
    ("ref_iso14224_maintenance_activity", 1, "migrate reliability"),
    ("dim_downtime_reason", 1, "migrate reliability"),
    ("dim_quality_defect_type", 1, "migrate quality"),
    ("ref_kpi_definition", 1, "migrate mfgplatform"),
    ("dim_unit_of_measure", 1, "migrate mfgplatform"),
    ("dim_time", 1440, "migrate mfgplatform"),
)


def check_tables() -> CheckResult:
    existing = set(connection.introspection.table_names(include_views=False))
    expected = {
        model._meta.db_table for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and model._meta.managed and not model._meta.proxy
    }
    missing = sorted(expected - existing)
    return CheckResult("tables present", not missing,
                       f"{len(expected) - len(missing)}/{len(expected)} tables" + (f"; missing {', '.join(missing)}"
                                                                                   if missing else ""),
                       "manage.py migrate")


def check_hypertable() -> CheckResult:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'fact_sensor_event'")
        present = cursor.fetchone() is not None
    return CheckResult("fact_sensor_event is a hypertable", present,
                       "hypertable" if present else "plain table or missing",
                       "manage.py migrate reliability (the TimescaleDB backend creates the hypertable)")


def _registered_views() -> list:
    """Both kinds of view, in refresh order (materialized views first where the order is free)."""
    from ..aggregates.registry import refresh_plan

    return refresh_plan()


def _incremental_aggregates(views: list) -> list:
    from ..aggregates.registry import IncrementalAggregate

    return [view for view in views if isinstance(view, IncrementalAggregate)]


def _existing_aggregates(views: list) -> set[str]:
    """The incremental aggregates whose table has a primary key and whose pass function exists."""
    aggregates = _incremental_aggregates(views)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.name FROM unnest(%s::text[], %s::text[]) AS a(name, function)
             WHERE EXISTS (SELECT 1 FROM pg_index AS i WHERE i.indrelid = to_regclass('public.' || a.name)
                                                         AND i.indisprimary AND i.indisvalid)
               AND to_regprocedure('public.' || a.function || '(boolean)') IS NOT NULL
            """,
            [[view.name for view in aggregates], [view.function for view in aggregates]],
        )
        return {name for (name,) in cursor.fetchall()}


def check_views_indexed() -> CheckResult:
    views = _registered_views()
    names = [view.name for view in views]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT m.matviewname,
                   EXISTS (SELECT 1 FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indrelid
                            WHERE c.relname = m.matviewname AND i.indisunique AND i.indisvalid
                              AND i.indpred IS NULL AND i.indexprs IS NULL)
              FROM pg_matviews AS m WHERE m.schemaname = 'public' AND m.matviewname = ANY(%s)
            """,
            [names],
        )
        indexed = dict(cursor.fetchall())
    # An incremental aggregate is a table with its key and its pass function (both from a migration).
    indexed.update(dict.fromkeys(_existing_aggregates(views), True))
    missing = [name for name in names if name not in indexed]
    unindexed = [name for name, ok in indexed.items() if not ok]
    problems = ([f"missing {', '.join(missing)}"] if missing else []) + (
        [f"no plain unique index (needed for CONCURRENTLY) on {', '.join(unindexed)}"] if unindexed else [])
    return CheckResult("materialized views with unique indexes", not problems,
                       "; ".join(problems) or f"{len(names)} views", "manage.py migrate")


def check_reference_lists() -> CheckResult:
    problems = []
    with connection.cursor() as cursor:
        for table, minimum, _ in REFERENCE_LISTS:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (constant names)
            count = cursor.fetchone()[0]
            if count < minimum:
                problems.append(f"{table} has {count} rows (expected ≥ {minimum})")
        today = current_production_date()
        cursor.execute("SELECT count(*) FROM dim_date WHERE date IN (%s, %s)", [today, today + dt.timedelta(days=31)])
        if cursor.fetchone()[0] < 2:
            problems.append(f"dim_date does not cover today ({today}) and the next month")
    return CheckResult("reference code lists loaded", not problems, "; ".join(problems) or "all loaded",
                       "manage.py migrate (code lists), manage.py load_calendar (dates)")


def refresh_interval() -> dt.timedelta:
    """The interval of the installed refresh-views schedule (default 15 minutes)."""
    from django_celery_beat.models import PeriodicTask

    entry = PeriodicTask.objects.filter(name="refresh-views", enabled=True).select_related("crontab").first()
    if entry is None or entry.crontab is None:
        return DEFAULT_VIEW_FRESHNESS / 2
    schedule = entry.crontab.schedule
    # remaining_estimate(last_run) is the time from now to the first due time after last_run.
    now = timezone.now()
    first = now + schedule.remaining_estimate(now)
    second = now + schedule.remaining_estimate(first + dt.timedelta(seconds=1))
    return max(second - first, dt.timedelta(minutes=1))


def check_views_fresh(now: dt.datetime | None = None) -> CheckResult:
    from ..models import MaterializedViewRefresh, RefreshOutcome, ViewSourceState

    now = now or timezone.now()
    limit = 2 * refresh_interval()
    views = _registered_views()
    names = [view.name for view in views]
    with connection.cursor() as cursor:
        cursor.execute("SELECT matviewname, ispopulated FROM pg_matviews WHERE matviewname = ANY(%s)", [names])
        populated = dict(cursor.fetchall())
    # An incremental aggregate is current once a pass has run recently (its log entry, below).
    populated.update(dict.fromkeys(_existing_aggregates(views), True))
    last_refresh = {}
    for entry in MaterializedViewRefresh.objects.filter(view_name__in=names, outcome=RefreshOutcome.SUCCESS).order_by(
            "view_name", "-started_at").distinct("view_name"):
        last_refresh[entry.view_name] = entry.started_at
    for state in ViewSourceState.objects.filter(view_name__in=names):
        last_refresh[state.view_name] = max(last_refresh.get(state.view_name, state.checked_at), state.checked_at)
    problems = []
    for name in names:
        if not populated.get(name):
            problems.append(f"{name} not populated")
        elif name not in last_refresh or now - last_refresh[name] > limit:
            age = ("never" if name not in last_refresh
                   else f"{(now - last_refresh[name]).total_seconds() / 60:.0f} min ago")
            problems.append(f"{name} last refreshed {age}")
    return CheckResult(f"views populated and fresh (within {limit.total_seconds() / 60:.0f} min)", not problems,
                       "; ".join(problems) or f"{len(names)} views fresh",
                       "manage.py refresh_views; make sure a Celery worker and exactly one beat run")


def check_jobs_scheduled() -> CheckResult:
    from django_celery_beat.models import PeriodicTask

    entries = {task.name: task for task in PeriodicTask.objects.filter(name__in=[s.name for s in DEFAULT_SCHEDULES])}
    cron_jobs = scheduled_pg_cron_jobs()
    problems = []
    for schedule in DEFAULT_SCHEDULES:
        entry = entries.get(schedule.name)
        in_celery = entry is not None and entry.enabled and entry.task == schedule.task
        in_cron = schedule.sql_only and cron_jobs.get(f"mfgplatform-{schedule.name}", False)
        if not (in_celery or in_cron):
            problems.append(f"{schedule.name} not scheduled" if entry is None else f"{schedule.name} disabled")
    return CheckResult("jobs scheduled", not problems, "; ".join(problems) or f"{len(DEFAULT_SCHEDULES)} jobs",
                       "manage.py schedule_jobs (or enable the entry under Periodic tasks)")


def check_kpis_match_reference(today: dt.date | None = None) -> CheckResult:
    """The views equal an independent plain-Python computation of the current definitions from the facts
    (mfgplatform.kpi.reference) for the last KPI_SAMPLE_DAYS complete days: every element of every unit ×
    shift occurrence, and the KPIs per equipment and day computed from either."""
    name = "KPIs from views equal the reference"
    try:
        from ..kpi.reference import ReferenceFetch, compare_with_views, compute
        from ..kpi.reference.source import COVERED
        from ..kpi.registry import kpi_formulas
        from ..kpi.service import compute_kpis
    except ImportError:
        return CheckResult(name, False, "the KPI service is not installed", "install the KPI engine (mfgplatform.kpi)")
    end = (today or current_production_date()) - dt.timedelta(days=1)
    start = end - dt.timedelta(days=KPI_SAMPLE_DAYS - 1)
    reference = compute(start, end)
    differences = [str(d) for d in compare_with_views(reference)]
    formulas = kpi_formulas()
    codes = [code for code in KPI_SAMPLE_CODES if code in formulas and set(formulas[code].sources) <= set(COVERED)]
    options = {"start": start, "end": end, "group_by": "equipment", "granularity": "day"}
    fetch = ReferenceFetch(computed=reference)
    expected = {(r.kpi, r.period, r.group): r.value for r in compute_kpis(codes, fetch=fetch, **options)}
    from_views = compute_kpis(codes, **options)
    for result in from_views:
        value = expected.pop((result.kpi, result.period, result.group), None)
        if not _same(result.value, value):
            differences.append(f"{result.kpi} {result.group} {result.period}: view {result.value}, reference {value}")
    differences += [f"{kpi} {group} {period}: only in the reference" for (kpi, period, group) in expected]
    rows = len(reference.time_model) + len(reference.events) + len(reference.support)
    detail = (f"{len(differences)} differences, e.g. {'; '.join(differences[:3])}" if differences
              else f"{rows} rows of elements and {len(from_views)} KPI values equal ({', '.join(codes)}; "
                   f"{start}..{end})")
    return CheckResult(name, not differences, detail,
                       "manage.py refresh_views --blocking; if it persists, a view disagrees with the definitions: "
                       "manage.py kpi … --from-facts lists every difference")


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=KPI_TOLERANCE, abs_tol=KPI_TOLERANCE)


def check_audit_trail() -> CheckResult:
    gaps = [gap for gap in audit_trail_gaps() if not gap.is_complete]
    detail = "; ".join(
        f"{g.table}: {g.rows_without_creation_record} rows without creation record, "
        f"{g.changes_without_user} changes without user" for g in gaps
    )
    return CheckResult("audit trail complete", not gaps, detail or "every row has its creation record",
                       "write master data through the admin, imports or services (never queryset.update/bulk_create "
                       "without history); set the history user in commands and tasks")


CHECKS: tuple[Callable[[], CheckResult], ...] = (
    check_tables, check_hypertable, check_views_indexed, check_reference_lists, check_views_fresh,
    check_jobs_scheduled, check_kpis_match_reference, check_audit_trail,
)


def run_checks() -> list[CheckResult]:
    results = []
    for check in CHECKS:
        try:
            results.append(check())
        except Exception as error:  # a check that cannot run has failed; keep checking the rest
            connection.close_if_unusable_or_obsolete()
            results.append(CheckResult(check.__name__.removeprefix("check_").replace("_", " "), False,
                                       f"{type(error).__name__}: {error}", "see the error"))
    return results
