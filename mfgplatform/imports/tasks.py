"""Celery tasks of big imports: thin wrappers that load the job and call the service."""

from celery import shared_task

from ..models import ImportStatus


@shared_task(name="mfgplatform.preview_import", ignore_result=True, soft_time_limit=1800, time_limit=1900)
def preview_import_task(job_id: str) -> None:
    from .dispatch import run_attempt
    from .jobs import import_job_preview

    # Idempotent: a redelivered or repeated task finds the job previewed, or held by another attempt.
    run_attempt(job_id, ImportStatus.PREVIEWING, import_job_preview)


@shared_task(name="mfgplatform.confirm_import", ignore_result=True, soft_time_limit=1800, time_limit=1900)
def confirm_import_task(job_id: str) -> None:
    from .dispatch import run_attempt
    from .jobs import import_job_confirm

    # Claimed by start_confirm; a redelivered task finds the job completed or failed and does nothing.
    run_attempt(job_id, ImportStatus.IMPORTING, lambda job: import_job_confirm(job, claimed=True))
