from django.db import models

from mfgplatform.time_elements import category_label


class TimeCategory(models.TextChoices):
    """Where a downtime reason's time goes in the ISO 22400 time model."""

    PLANNED_DOWNTIME = "planned_downtime", category_label("planned_downtime")
    SETUP = "setup", category_label("setup")
    DELAY = "delay", category_label("delay")
    IDLE = "idle", category_label("idle")


class FailureImpact(models.TextChoices):
    """ISO 14224 failure impact on equipment function."""

    CRITICAL = "critical", "Critical"
    DEGRADED = "degraded", "Degraded"
    INCIPIENT = "incipient", "Incipient"
    UNKNOWN = "unknown", "Unknown"


class MaintenanceCategory(models.TextChoices):
    NONE = "", "None"
    CORRECTIVE = "corrective", "Corrective"
    PREVENTIVE = "preventive", "Preventive"


class MaintenanceUse(models.TextChoices):
    CORRECTIVE = "C", "Corrective"
    PREVENTIVE = "P", "Preventive"
    BOTH = "CP", "Corrective and preventive"


class SensorQuality(models.IntegerChoices):
    """OPC quality classes of a reading (the high bits of OPC DA quality)."""

    BAD = 0, "Bad"
    UNCERTAIN = 64, "Uncertain"
    GOOD = 192, "Good"
