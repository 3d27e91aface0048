"""Celery tasks of big imports: thin wrappers that load the job and call the service."""

from celery import shared_task

from ..models import ImportJob, ImportStatus


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

    def confirm(job: ImportJob) -> None:
        job.status = ImportStatus.PREVIEWED
        import_job_confirm(job)

    run_attempt(job_id, ImportStatus.IMPORTING, confirm)
