"""Celery tasks of big imports: thin wrappers that load the job and call the service."""

from celery import shared_task

from ..models import ImportJob, ImportStatus


@shared_task(name="mfgplatform.preview_import", ignore_result=True, soft_time_limit=1800, time_limit=1900)
def preview_import_task(job_id: str) -> None:
    from .jobs import import_job_preview

    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PREVIEWING).first()
    if job is not None:  # idempotent: a redelivered task finds the job already previewed
        import_job_preview(job)


@shared_task(name="mfgplatform.confirm_import", ignore_result=True, soft_time_limit=1800, time_limit=1900)
def confirm_import_task(job_id: str) -> None:
    from .jobs import import_job_confirm

    # Claimed by start_confirm; a redelivered task finds the job completed or failed and does nothing.
    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.IMPORTING, finished_at__isnull=True).first()
    if job is not None:
        import_job_confirm(job, claimed=True)
