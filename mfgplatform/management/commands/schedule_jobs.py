"""Install the default job schedules (django-celery-beat, or pg_cron for the SQL-only jobs)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mfgplatform.operations.schedules import (
    DEFAULT_SCHEDULES,
    PgCronUnavailable,
    install_celery_schedules,
    install_pg_cron_jobs,
    sql_only_schedule_names,
)


class Command(BaseCommand):
    help = (
        "Install the default schedules of the platform's jobs. Idempotent: existing entries keep their "
        "admin edits unless --reset. With --engine pg_cron the SQL-only jobs run in pg_cron and their "
        "Celery entries are disabled."
    )

    def add_arguments(self, parser):
        parser.add_argument("--engine", choices=["celery", "pg_cron"], default="celery")
        parser.add_argument("--reset", action="store_true", help="Restore the default schedule of every entry")
        parser.add_argument("--list", action="store_true", help="Print the default schedules and exit")

    def handle(self, *args, engine: str, reset: bool, list: bool, **options):
        if list:
            for schedule in DEFAULT_SCHEDULES:
                where = "celery or pg_cron" if schedule.sql_only else "celery"
                self.stdout.write(f"{schedule.name:<26} {schedule.crontab:<14} {schedule.task:<40} {where}")
            return
        disable: tuple[str, ...] = ()
        if engine == "pg_cron":
            try:
                names = install_pg_cron_jobs(retention_days=settings.SENSOR_RETENTION_DAYS)
            except PgCronUnavailable as unavailable:
                raise CommandError(f"pg_cron: {unavailable}") from unavailable
            self.stdout.write(self.style.SUCCESS(f"pg_cron jobs registered: {', '.join(names)}"))
            disable = sql_only_schedule_names()
        result = install_celery_schedules(reset=reset, disable=disable)
        for label, names in (("created", result.created), ("reset", result.updated),
                             ("disabled (run by pg_cron)", result.disabled), ("kept", result.unchanged)):
            if names:
                self.stdout.write(f"Celery beat entries {label}: {', '.join(names)}")
        self.stdout.write(self.style.SUCCESS("Schedules installed (admin: Periodic tasks)."))
