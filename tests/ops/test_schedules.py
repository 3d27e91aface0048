"""`manage.py schedule_jobs`: default schedules in django-celery-beat, or the SQL-only jobs in pg_cron."""

import datetime as dt
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_celery_beat.models import PeriodicTask

from mfgplatform.models import AuditLog, MaterializedViewRefresh
from mfgplatform.operations.schedules import DEFAULT_SCHEDULES, pg_cron_jobs, pg_cron_status
from reliability.sensor_aggregate import record_sensor_writes

from .conftest import database_url

pytestmark = pytest.mark.django_db

EXPECTED = {
    "recover-lost-work": ("mfgplatform.recover_lost_work", "* * * * *"),
    "refresh-views": ("mfgplatform.refresh_views", "*/15 * * * *"),
    "maintain-chunks": ("mfgplatform.maintain_chunks", "10 2 * * *"),
    "apply-sensor-retention": ("mfgplatform.apply_sensor_retention", "20 2 * * *"),
    "purge-ingest-receipts": ("mfgplatform.purge_ingest_receipts", "30 2 * * *"),
    "archive-audit-log": ("mfgplatform.archive_audit_log", "40 2 * * *"),
    "send-compliance-reports": ("mfgplatform.send_compliance_reports", "5 * * * *"),
    "weekly-data-quality": ("mfgplatform.weekly_data_quality", "30 5 * * 1"),
    "backup": ("mfgplatform.backup_database", "30 1 * * *"),
}


def _installed() -> dict[str, tuple[str, str]]:
    result = {}
    for task in PeriodicTask.objects.select_related("crontab"):
        c = task.crontab
        result[task.name] = (task.task, f"{c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week}")
    return result


def test_installs_the_default_schedules_once_and_keeps_admin_edits():
    out = StringIO()
    call_command("schedule_jobs", stdout=out)
    assert _installed() == EXPECTED
    assert "created: refresh-views, maintain-chunks" in out.getvalue()
    assert PeriodicTask.objects.get(name="refresh-views").expire_seconds == 14 * 60

    # An operator retimes a job in the admin; installing again keeps the edit.
    entry = PeriodicTask.objects.get(name="send-compliance-reports")
    entry.crontab.hour = "7"
    entry.crontab.save()
    entry.enabled = False
    entry.save()
    out = StringIO()
    call_command("schedule_jobs", stdout=out)
    assert "kept: refresh-views" in out.getvalue()
    assert PeriodicTask.objects.count() == len(EXPECTED)
    assert PeriodicTask.objects.get(name="send-compliance-reports").enabled is False

    call_command("schedule_jobs", reset=True, stdout=StringIO())
    assert PeriodicTask.objects.get(name="send-compliance-reports").enabled is True
    assert _installed()["send-compliance-reports"] == ("mfgplatform.send_compliance_reports", "5 * * * *")


def test_pg_cron_outside_its_database_is_refused_with_a_clear_error():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_setting('cron.database_name', true)")
        database, cron_database = cursor.fetchone()
    assert pg_cron_status()[0] is False
    with pytest.raises(CommandError) as error:
        call_command("schedule_jobs", engine="pg_cron", stdout=StringIO())
    assert str(error.value) == (
        f"pg_cron: pg_cron is not available in this database: it runs jobs from database '{cron_database}' "
        f"(cron.database_name), this is '{database}'. Use --engine celery, or run the platform on '{cron_database}'."
    )
    assert PeriodicTask.objects.count() == 0  # nothing half-installed


def test_the_pg_cron_job_sql_runs_and_records_itself_like_the_celery_jobs():
    """The commands pg_cron would run, executed here directly (pg_cron itself only runs in its own database)."""
    jobs = pg_cron_jobs(retention_days=400)
    assert set(jobs) == {"mfgplatform-refresh-views", "mfgplatform-apply-sensor-retention"}
    assert [schedule for schedule, _ in jobs.values()] == ["*/15 * * * *", "20 2 * * *"]
    # Two readings a minute apart just after a whole hour, so they share a chunk whatever the hour of the run
    # (an hour apart, they straddled a chunk boundary on runs late in the day).
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=500)).replace(minute=1, second=0, microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality) "
                       "VALUES (%s, 1, 'temp', 1.0, 0), (%s, 1, 'temp', 2.0, 0)", [old, old + dt.timedelta(minutes=1)])
        record_sensor_writes(old, old + dt.timedelta(minutes=1))
        for _, command in jobs.values():  # the refresh first, then retention
            cursor.execute(command)
        cursor.execute("SELECT count(*) FROM fact_sensor_event")
        assert cursor.fetchone()[0] == 0
        # The refresh job ran the sensor aggregate's pass; retention left its hours alone.
        cursor.execute("SELECT sum(readings) FROM agg_sensor_hourly")
        assert cursor.fetchone()[0] == 2
    retention = AuditLog.objects.get(action="job.apply_sensor_retention.succeeded")
    assert retention.payload["engine"] == "pg_cron"
    assert retention.payload["rows"] == 1  # one chunk dropped
    refreshed = AuditLog.objects.get(action="job.refresh_views.succeeded")
    from mfgplatform.aggregates.registry import refresh_plan

    names = [view.name for view in refresh_plan()]
    assert "agg_sensor_hourly" in names
    assert refreshed.payload["rows"] == len(names)
    logged = list(MaterializedViewRefresh.objects.filter(triggered_by="pg_cron").order_by("id")
                  .values_list("view_name", flat=True))
    assert logged == names  # registry order


def test_the_pg_cron_job_is_skipped_while_the_celery_job_holds_the_lock():
    from mfgplatform.operations.jobs import advisory_lock
    from mfgplatform.operations.schedules import sensor_retention_sql

    with advisory_lock("apply_sensor_retention") as acquired, psycopg.connect(database_url()) as other:
        assert acquired
        other.execute(sensor_retention_sql(400))
        [action] = other.execute("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        other.rollback()
    assert action == "job.apply_sensor_retention.skipped"


def test_every_default_schedule_expires_before_its_next_run():
    for schedule in DEFAULT_SCHEDULES:
        minute, hour, *_ = schedule.crontab.split()
        interval = 15 * 60 if minute == "*/15" else 24 * 3600
        assert schedule.expires_seconds < interval


def test_the_pg_cron_job_and_the_celery_job_run_one_refresh_loop():
    """Both engines call mfg_refresh_aggregates with the registry's plan: what one refreshed the other finds
    unchanged, and a failing entry fails alone, its dependents skipped, the rest refreshed, either way."""
    from mfgplatform.aggregates.refresh import plan_json, refresh_changed_views, run_refresh_loop
    from mfgplatform.aggregates.registry import IncrementalAggregate, MaterializedView, refresh_plan
    from mfgplatform.operations.schedules import refresh_views_sql

    [(_, command)] = [job for name, job in pg_cron_jobs(retention_days=400).items() if name.endswith("views")]
    assert f"mfg_refresh_aggregates($plan${plan_json(refresh_plan())}$plan$::jsonb, 'pg_cron')" in command

    first = refresh_changed_views(triggered_by="celery")
    assert (bool(first.refreshed), first.unchanged) == (True, [])
    with connection.cursor() as cursor:
        cursor.execute(command)
    # The change-skipping state is shared: pg_cron refreshed no materialized view, it only ran the passes.
    by_cron = set(MaterializedViewRefresh.objects.filter(triggered_by="pg_cron").values_list("view_name", flat=True))
    assert by_cron == {view.name for view in refresh_plan() if isinstance(view, IncrementalAggregate)}

    broken = IncrementalAggregate("agg_broken", "mfgplatform", "a pass that fails", function="no_such_pass")
    blocked = MaterializedView("mv_quality_by_defect", "quality", "reads the broken one", depends_on=("agg_broken",))
    independent = next(view for view in refresh_plan() if view.name == "mv_shift_occurrence")
    plan = [broken, blocked, independent]
    celery = run_refresh_loop(plan, triggered_by="celery-broken", force=True)
    assert [(step.name, step.result) for step in celery] == [
        ("agg_broken", "failed"), ("mv_quality_by_defect", "skipped"), ("mv_shift_occurrence", "refreshed")]
    with connection.cursor() as cursor:  # forced, as the Celery call was: the views are current by now
        cursor.execute(refresh_views_sql(plan).replace("'pg_cron') AS r", "'pg_cron', true) AS r"))
    logged = list(MaterializedViewRefresh.objects.filter(triggered_by__in=["celery-broken", "pg_cron"],
                                                         view_name__in=[view.name for view in plan])
                  .order_by("id").values_list("triggered_by", "view_name", "outcome"))
    assert logged == [(by, name, outcome) for by in ("celery-broken", "pg_cron") for name, outcome in (
        ("agg_broken", "failed"), ("mv_quality_by_defect", "skipped"), ("mv_shift_occurrence", "success"))]
    failed_run = AuditLog.objects.get(action="job.refresh_views.failed")
    assert failed_run.payload == {"engine": "pg_cron", "error": "views failed to refresh: agg_broken"}
