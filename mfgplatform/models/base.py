"""Abstract bases shared by the dimension tables."""

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class CodedDimension(TimeStampedModel):
    """A master-data row identified by a stable business code (CSV files key on it, never on ids)."""

    code = models.CharField(max_length=64, unique=True, help_text="Stable business key.")
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def natural_key(self) -> tuple[str]:
        return (self.code,)
