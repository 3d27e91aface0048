"""The refresh log of the materialized views that hold the KPI building blocks."""

from django.db import models


class RefreshOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped (a dependency failed)"


class MaterializedViewRefresh(models.Model):
    """One refresh of one materialized view: when, how long, how many rows, and how it ended."""

    id = models.BigAutoField(primary_key=True)
    view_name = models.CharField(max_length=63, db_index=True)
    started_at = models.DateTimeField(db_index=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    row_count = models.BigIntegerField(null=True, blank=True)
    concurrently = models.BooleanField(
        default=False, help_text="Refreshed without blocking readers; a first population never is."
    )
    outcome = models.CharField(max_length=8, choices=RefreshOutcome.choices)
    error = models.TextField(blank=True)
    triggered_by = models.CharField(max_length=64, blank=True, help_text="Command, task or test that asked.")

    class Meta:
        db_table = "mv_refresh_log"
        ordering = ["-started_at"]
        verbose_name = "materialized view refresh"
        indexes = [models.Index(fields=["view_name", "-started_at"], name="mv_refresh_log_view_time_idx")]

    def __str__(self) -> str:
        return f"{self.view_name} {self.started_at:%Y-%m-%d %H:%M:%S} {self.outcome}"
