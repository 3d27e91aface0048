"""The JSONB audit log: platform events that are not row edits (row edits live in history)."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models


class AuditLog(models.Model):
    """One platform event: an import, an export, a login, a permission change, a job run.

    Append-only: a database trigger rejects UPDATE, and DELETE unless the session declares an
    archive run (`SET LOCAL mfgplatform.audit_archive = 'on'`), so evidence cannot be altered
    through the application (ISO 9001 7.5.3.2, 21 CFR 11.10(e)).
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(db_index=True)
    # DO_NOTHING without a database constraint: deleting a user must not rewrite evidence (the trigger
    # would refuse the UPDATE anyway); actor_label keeps the name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(
        max_length=150, blank=True, help_text="Username at the time, or the job that acted."
    )
    action = models.CharField(max_length=64, help_text="Namespaced verb, e.g. import.completed")
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "audit_log"
        ordering = ["-occurred_at", "-id"]
        verbose_name = "audit event"
        indexes = [
            models.Index(fields=["action", "occurred_at"], name="audit_log_action_time_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_log_object_idx"),
            GinIndex(fields=["payload"], name="audit_log_payload_gin", opclasses=["jsonb_path_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_label}"
