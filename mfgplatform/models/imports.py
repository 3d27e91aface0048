"""Uploaded master-data files and the state of their import (preview, confirm, outcome)."""

import uuid

from django.conf import settings
from django.db import models


class ImportStatus(models.TextChoices):
    PREVIEWING = "previewing", "Checking the file"
    PREVIEWED = "previewed", "Checked, waiting for confirmation"
    REJECTED = "rejected", "Rejected: nothing written"
    IMPORTING = "importing", "Importing"
    COMPLETED = "completed", "Imported"
    FAILED = "failed", "Failed: nothing written"


class ImportJob(models.Model):
    """One uploaded file. The content is kept in the database so that the preview and the
    confirmation may run in different web or worker processes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    model_label = models.CharField(max_length=100)
    resource_path = models.CharField(max_length=200, help_text="Dotted path of the import-export resource")
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    content = models.BinaryField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.PREVIEWING)
    in_background = models.BooleanField(default=False)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True, help_text="Row errors: row, column, message")
    messages = models.JSONField(default=list, blank=True, help_text="Problems with the file as a whole")
    preview = models.JSONField(default=list, blank=True)
    # The job row is the durable queue of background work: these say where a background run stands,
    # so that a job whose message never reached the broker, or whose worker died, is found and run again.
    dispatched_at = models.DateTimeField(null=True, blank=True,
                                         help_text="Last time its task reached the message broker")
    started_at = models.DateTimeField(null=True, blank=True, help_text="When a worker began the latest attempt")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Attempts begun by workers")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "import_job"
        ordering = ["-created_at"]
        verbose_name = "import"
        indexes = [models.Index(fields=["model_label", "created_at"], name="import_job_model_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} → {self.model_label} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in {ImportStatus.PREVIEWING, ImportStatus.IMPORTING}
