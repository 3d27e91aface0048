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

    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.IMPORTING).first()
    if job is not None:
        job.status = ImportStatus.PREVIEWED
        import_job_confirm(job)
