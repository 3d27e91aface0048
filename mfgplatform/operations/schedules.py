"""The default job schedules, kept in code and installed by `manage.py schedule_jobs`.

With the Celery engine they become django-celery-beat PeriodicTasks (DatabaseScheduler; editable in
the admin). Installing is idempotent: an existing entry keeps an operator's edits unless --reset.

With the pg_cron engine the SQL-only jobs (view refresh, sensor retention) are registered in
pg_cron instead and their Celery entries are disabled, so nothing runs twice. pg_cron runs jobs
only from the database named by `cron.database_name`. Each pg_cron job takes the same advisory lock
as its Celery twin and writes the same audit_log events; the refresh job calls the same loop as the
Celery job (the database function mfg_refresh_aggregates) with the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from .jobs import lock_key, task_name


@dataclass(frozen=True)
class JobSchedule:
    name: str  # kebab-case entry name
    job: str  # job name; the task is "mfgplatform.<job>"
    crontab: str  # "minute hour day-of-month month day-of-week", UTC
    description: str
    expires_seconds: int  # a run not started by then is dropped (the next one is due)
    sql_only: bool = False  # can run in pg_cron

    @property
    def task(self) -> str:
        return task_name(self.job)


DEFAULT_SCHEDULES: tuple[JobSchedule, ...] = (
    JobSchedule("refresh-views", "refresh_views", "*/15 * * * *",
                "Every 15 minutes: refresh the KPI views whose sources changed", 14 * 60, sql_only=True),
    JobSchedule("maintain-chunks", "maintain_chunks", "10 2 * * *",
                "Daily 02:10: check the sensor hypertable's chunks; compress where licensed", 6 * 3600),
    JobSchedule("apply-sensor-retention", "apply_sensor_retention", "20 2 * * *",
                "Daily 02:20: drop sensor chunks older than SENSOR_RETENTION_DAYS", 6 * 3600, sql_only=True),
    JobSchedule("purge-ingest-receipts", "purge_ingest_receipts", "30 2 * * *",
                "Daily 02:30: delete ingest event-id receipts older than INGEST_RECEIPT_RETENTION_DAYS", 6 * 3600),
    JobSchedule("archive-audit-log", "archive_audit_log", "40 2 * * *",
                "Daily 02:40: archive audit events older than AUDIT_LOG_RETENTION_DAYS", 6 * 3600),
    # Hourly, because each subscription has its own send time in the plant's time zone.
    JobSchedule("send-compliance-reports", "send_compliance_reports", "5 * * * *",
                "Hourly at :05: e-mail the compliance reports whose send time has passed in the plant's time "
                "zone (once per scope, period and recipient)", 50 * 60),
    JobSchedule("weekly-data-quality", "weekly_data_quality", "30 5 * * 1",
                "Mondays 05:30: characteristics that went out of statistical control last week, with the rules",
                12 * 3600),
    # Before the retention and archive jobs, so the archive holds the last copy of what they remove.
    JobSchedule("backup", "backup_database", "30 1 * * *",
                "Daily 01:30: back up the database and the audit archive to BACKUP_DIR; delete archives beyond "
                "BACKUP_KEEP_COUNT and BACKUP_KEEP_DAYS", 6 * 3600),
    JobSchedule("recover-lost-work", "recover_lost_work", "* * * * *",
                "Every minute: record job runs lost with their worker; send stalled background imports again",
                50),
)


@dataclass
class InstallResult:
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    disabled: list[str]


def install_celery_schedules(*, reset: bool = False, disable: tuple[str, ...] = ()) -> InstallResult:
    """Create the default PeriodicTasks that are missing (all of them with `reset`); disable `disable`."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    result = InstallResult([], [], [], [])
    with transaction.atomic():
        for schedule in DEFAULT_SCHEDULES:
            minute, hour, day_of_month, month, day_of_week = schedule.crontab.split()
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month, day_of_week=day_of_week,
                timezone="UTC",
            )
            wanted = {
                "task": schedule.task, "crontab": crontab, "interval": None, "description": schedule.description,
                "expire_seconds": schedule.expires_seconds, "kwargs": "{}", "enabled": schedule.name not in disable,
            }
            entry = PeriodicTask.objects.filter(name=schedule.name).first()
            if entry is None:
                PeriodicTask.objects.create(name=schedule.name, **wanted)
                result.created.append(schedule.name)
            elif reset:
                for attribute, value in wanted.items():
                    setattr(entry, attribute, value)
                entry.save()
                result.updated.append(schedule.name)
            elif schedule.name in disable and entry.enabled:
                entry.enabled = False
                entry.save(update_fields=["enabled"])
                result.disabled.append(schedule.name)
            else:
                result.unchanged.append(schedule.name)
    return result


# --- pg_cron ------------------------------------------------------------------------------------------


class PgCronUnavailable(Exception):
    """pg_cron cannot schedule jobs from this database; the message says why and what to do."""


def pg_cron_status() -> tuple[bool, str]:
    """(usable, explanation) for scheduling pg_cron jobs from the current database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_cron'")
        if cursor.fetchone() is None:
            return False, "the pg_cron extension is not installed on this server"
        cursor.execute("SELECT current_database(), current_setting('cron.database_name', true)")
        database, cron_database = cursor.fetchone()
        if not cron_database:
            return False, ("pg_cron is not loaded (add it to shared_preload_libraries and set cron.database_name, "
                           "then restart PostgreSQL)")
        if cron_database != database:
            return False, (f"pg_cron is not available in this database: it runs jobs from database "
                           f"'{cron_database}' (cron.database_name), this is '{database}'. Use --engine celery, or "
                           f"run the platform on '{cron_database}'.")
    return True, f"pg_cron runs jobs from '{database}'"


def ensure_pg_cron() -> None:
    usable, explanation = pg_cron_status()
    if not usable:
        raise PgCronUnavailable(explanation)
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_cron")


def _audit_insert_sql(job: str, outcome: str, payload_sql: str) -> str:
    return (
        "INSERT INTO audit_log (occurred_at, actor_label, action, object_type, object_id, payload) "
        f"VALUES (now(), 'pg_cron:{job}', 'job.{job}.{outcome}', 'job', '', {payload_sql});"
    )


def _locked_job_sql(job: str, body: str, rows_sql: str) -> str:
    """A DO block that runs `body` under the job's advisory lock (the same key as the Celery job) and
    records the run in audit_log; it is a single transaction, so a failure leaves nothing behind."""
    key = lock_key(job)
    succeeded = _audit_insert_sql(
        job, "succeeded",
        f"jsonb_build_object('engine', 'pg_cron', 'rows', {rows_sql}, "
        "'duration_s', round(extract(epoch FROM clock_timestamp() - started)::numeric, 3))",
    )
    skipped = _audit_insert_sql(job, "skipped", "jsonb_build_object('engine', 'pg_cron', 'reason', 'already running')")
    return f"""DO $job$
DECLARE
    started timestamptz := clock_timestamp();
    affected bigint := 0;
    failures text[];
BEGIN
    IF NOT pg_try_advisory_xact_lock({key}) THEN
        {skipped}
        RETURN;
    END IF;
{body}
    {succeeded}
END
$job$;"""


def sensor_retention_sql(retention_days: int) -> str:
    body = f"""    SELECT count(*) INTO affected
      FROM drop_chunks('fact_sensor_event', older_than => now() - interval '{int(retention_days)} days');"""
    return _locked_job_sql("apply_sensor_retention", body, "affected")


def refresh_views_sql(views) -> str:
    """The refresh loop over `views` (the registry's plan, frozen into the job when it is installed), as
    the Celery job runs it: unchanged views skipped, each view isolated, failures logged. A run with a
    failure is recorded as failed, as the Celery job's is."""
    from ..aggregates.refresh import plan_json

    failed = _audit_insert_sql(
        "refresh_views", "failed",
        "jsonb_build_object('engine', 'pg_cron', 'error', 'views failed to refresh: ' || "
        "array_to_string(failures, ', '))",
    )
    body = f"""    SELECT count(*) FILTER (WHERE r.result IN ('refreshed', 'passed')),
           array_agg(r.aggregate_name) FILTER (WHERE r.result = 'failed')
      INTO affected, failures
      FROM mfg_refresh_aggregates($plan${plan_json(views)}$plan$::jsonb, 'pg_cron') AS r;
    IF failures IS NOT NULL THEN
        {failed}
        RETURN;
    END IF;"""
    return _locked_job_sql("refresh_views", body, "affected")


def pg_cron_jobs(*, retention_days: int) -> dict[str, tuple[str, str]]:
    """pg_cron job name -> (schedule, command) for the SQL-only jobs."""
    from ..aggregates.registry import refresh_plan

    crontabs = {schedule.job: schedule.crontab for schedule in DEFAULT_SCHEDULES}
    return {
        "mfgplatform-refresh-views": (crontabs["refresh_views"], refresh_views_sql(refresh_plan())),
        "mfgplatform-apply-sensor-retention": (crontabs["apply_sensor_retention"],
                                               sensor_retention_sql(retention_days)),
    }


def install_pg_cron_jobs(*, retention_days: int) -> list[str]:
    """Register (or update: cron.schedule replaces a job of the same name) the SQL-only jobs."""
    ensure_pg_cron()
    names = []
    with transaction.atomic(), connection.cursor() as cursor:
        for name, (schedule, command) in pg_cron_jobs(retention_days=retention_days).items():
            cursor.execute("SELECT cron.schedule(%s, %s, %s)", [name, schedule, command])
            names.append(name)
    return names


def scheduled_pg_cron_jobs() -> dict[str, bool]:
    """pg_cron job name -> active, for the platform's jobs; empty where pg_cron is not usable here."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('cron.job') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return {}
        cursor.execute("SELECT jobname, active FROM cron.job WHERE jobname LIKE 'mfgplatform-%%'")
        return dict(cursor.fetchall())


def sql_only_schedule_names() -> tuple[str, ...]:
    return tuple(schedule.name for schedule in DEFAULT_SCHEDULES if schedule.sql_only)
