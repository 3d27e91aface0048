"""Run one scheduled job now, from the shell: here in this process, or queued for the workers."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules

from mfgplatform.db_faults import EXIT_TEMPFAIL, classify
from mfgplatform.operations.jobs import PERIODIC_JOBS, SINGLE_ATTEMPT_HEADER


class Command(BaseCommand):
    help = (
        "Run a scheduled job now with the same lock, audit event and summary as a scheduled run. "
        "Example: manage.py run_job refresh_views. With --queue it goes to the Celery workers instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("job", nargs="?", help="Job name (see --list), e.g. refresh_views")
        parser.add_argument("--kwargs", default="{}", help='Job arguments as a JSON object, e.g. \'{"force": true}\'')
        parser.add_argument("--queue", action="store_true", help="Send it to the workers and print the task id")
        parser.add_argument("--list", action="store_true", help="List the jobs")

    def handle(self, *args, job, kwargs, queue, list, **options):
        autodiscover_modules("tasks")  # registers every app's jobs
        if list or not job:
            for name, task in sorted(PERIODIC_JOBS.items()):
                summary = next(iter((task.__doc__ or "").strip().splitlines()), "")
                self.stdout.write(f"{name:<28} {summary}")
            return
        task = PERIODIC_JOBS.get(job)
        if task is None:
            raise CommandError(f"unknown job {job!r}; known: {', '.join(sorted(PERIODIC_JOBS))}")
        try:
            arguments = json.loads(kwargs)
        except json.JSONDecodeError as error:
            raise CommandError(f"--kwargs is not JSON: {error}") from error
        if queue:
            self._queue(task, arguments)
        else:
            self._run_here(job, task, arguments)

    def _queue(self, task, arguments):
        try:
            sent = task.apply_async(kwargs=arguments)
        except Exception as error:  # noqa: BLE001 (kombu raises several kinds for an unreachable broker)
            raise CommandError(
                f"the job was not queued: the message broker is unreachable ({type(error).__name__}: {error}). "
                "Run it here without --queue, or again once the broker is back.",
                returncode=EXIT_TEMPFAIL,
            ) from error
        self.stdout.write(f"queued {task.name} as task {sent.id}")

    def _run_here(self, job, task, arguments):
        # One attempt, no in-process retries: a manual run reports a transient fault at once (exit 75)
        # instead of sleeping through back-off.
        outcome = task.apply(kwargs=arguments, headers={SINGLE_ATTEMPT_HEADER: True})
        if outcome.successful():
            self.stdout.write(json.dumps(outcome.result, default=str))
            return
        error = outcome.result
        fault = classify(error) if isinstance(error, BaseException) else None
        if fault is not None:
            raise CommandError(f"job {job} stopped: {fault.message}.", returncode=EXIT_TEMPFAIL)
        raise CommandError(f"job {job} failed: {type(error).__name__}: {error}")
