"""State kept by the scheduled jobs between runs."""

from django.db import models


class ViewSourceState(models.Model):
    """What a materialized view's source tables looked like when it was last refreshed (or confirmed
    current), so the refresh job can skip views whose sources have not changed since."""

    view_name = models.CharField(max_length=63, unique=True)
    source_signature = models.JSONField(help_text="Per source table: storage file and write counters")
    refreshed_at = models.DateTimeField(help_text="Last successful refresh")
    checked_at = models.DateTimeField(help_text="Last time the job found the view current")

    class Meta:
        db_table = "mv_source_state"
        ordering = ["view_name"]
        verbose_name = "materialized view source state"

    def __str__(self) -> str:
        return self.view_name


class OperationsStatus(ViewSourceState):
    """The operations status page in the admin index (no table of its own: a proxy that carries the
    page's URL and permission)."""

    class Meta:
        proxy = True
        verbose_name = "operations status"
        verbose_name_plural = "operations status"
