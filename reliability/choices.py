from django.db import models


class TimeCategory(models.TextChoices):
    """Where a downtime reason's time goes in the ISO 22400 time model."""

    PLANNED_DOWNTIME = "planned_downtime", "Planned downtime (outside PBT)"
    SETUP = "setup", "Setup (AUST)"
    DELAY = "delay", "Delay incl. malfunctions and minor stops (ADET)"
    IDLE = "idle", "Idle, available without an order (ADOT)"


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
