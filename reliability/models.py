"""ISO 14224 code lists, the downtime reason tree, downtime facts and condition-monitoring events."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords
from timescale.db.models.fields import TimescaleDateTimeField

from equipment.models import EquipmentFact
from mfgplatform.hierarchy import child_path
from mfgplatform.models.base import CodedDimension, TimeStampedModel

from .choices import FailureImpact, MaintenanceCategory, MaintenanceUse, SensorQuality, TimeCategory


class CodeListEntry(TimeStampedModel):
    """An entry of an ISO 14224 Annex B code table."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ClassSpecificEntry(CodeListEntry):
    """A code that applies to some equipment classes only (ISO 14224 lists failure modes per class in
    Tables B.6–B.15); none named means every class."""

    equipment_classes = models.ManyToManyField(
        "equipment.EquipmentClass", blank=True, related_name="+", verbose_name="applies to equipment classes",
        help_text="Empty: every class. Failure records of equipment of other classes cannot use this code.",
    )

    class Meta(CodeListEntry.Meta):
        abstract = True

    @classmethod
    def applicable_to(cls, equipment_class_id: int | None) -> models.QuerySet:
        """The active codes for equipment of that class: those naming it and those naming no class."""
        general = cls.objects.filter(equipment_classes__isnull=True)
        if equipment_class_id is None:
            return general.filter(is_active=True)
        named = cls.objects.filter(equipment_classes=equipment_class_id)
        return cls.objects.filter(Q(pk__in=general.values("pk")) | Q(pk__in=named.values("pk")), is_active=True)


class FailureMode(ClassSpecificEntry):
    """ISO 14224 failure mode (Tables B.6–B.15), e.g. BRD breakdown, VIB vibration."""

    history = HistoricalRecords(table_name="ref_iso14224_failure_mode_history")

    class Meta(ClassSpecificEntry.Meta):
        db_table = "ref_iso14224_failure_mode"


class FailureMechanism(ClassSpecificEntry):
    """ISO 14224 failure mechanism (Table B.2), e.g. 2.4 wear; x.0 is the general group entry."""

    group = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="members")
    history = HistoricalRecords(table_name="ref_iso14224_failure_mechanism_history")

    class Meta(ClassSpecificEntry.Meta):
        db_table = "ref_iso14224_failure_mechanism"


class FailureCause(ClassSpecificEntry):
    """ISO 14224 failure cause (Table B.3), e.g. 3.4 expected wear and tear."""

    group = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="members")
    history = HistoricalRecords(table_name="ref_iso14224_failure_cause_history")

    class Meta(ClassSpecificEntry.Meta):
        db_table = "ref_iso14224_failure_cause"


class DetectionMethod(CodeListEntry):
    """ISO 14224 detection method (Table B.4)."""

    activity_type = models.CharField(max_length=16, blank=True, help_text="scheduled, continuous, casual, other")
    history = HistoricalRecords(table_name="ref_iso14224_detection_method_history")

    class Meta(CodeListEntry.Meta):
        db_table = "ref_iso14224_detection_method"


class MaintenanceActivity(CodeListEntry):
    """ISO 14224 maintenance activity (Table B.5), e.g. 1 replace, 2 repair."""

    typical_use = models.CharField(max_length=2, choices=MaintenanceUse.choices)
    history = HistoricalRecords(table_name="ref_iso14224_maintenance_activity_history")

    class Meta(CodeListEntry.Meta):
        db_table = "ref_iso14224_maintenance_activity"
        verbose_name_plural = "maintenance activities"


class DowntimeReason(CodedDimension):
    """A node of the downtime reason tree.

    Leaves map to an ISO 22400 time category (planned downtime, setup = AUST, delay = ADET incl.
    minor stops, idle = ADOT) and, for failures, to ISO 14224 failure mode, mechanism, cause and
    impact. Inner nodes group leaves for reporting.
    """

    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    path = models.CharField(max_length=1000, editable=False, default="", db_index=True)
    description = models.TextField(blank=True)
    time_category = models.CharField(max_length=20, choices=TimeCategory.choices, blank=True)
    is_failure = models.BooleanField(default=False, help_text="Counts as a failure event (FE) for MTBF/MTTR.")
    is_minor_stop = models.BooleanField(default=False)
    failure_mode = models.ForeignKey(FailureMode, on_delete=models.PROTECT, null=True, blank=True)
    failure_mechanism = models.ForeignKey(FailureMechanism, on_delete=models.PROTECT, null=True, blank=True)
    failure_cause = models.ForeignKey(FailureCause, on_delete=models.PROTECT, null=True, blank=True)
    failure_impact = models.CharField(max_length=12, choices=FailureImpact.choices, blank=True)
    maintenance_category = models.CharField(
        max_length=12, choices=MaintenanceCategory.choices, blank=True, default=MaintenanceCategory.NONE
    )

    history = HistoricalRecords(table_name="dim_downtime_reason_history")

    class Meta(CodedDimension.Meta):
        db_table = "dim_downtime_reason"
        verbose_name = "downtime reason"
        indexes = [models.Index(fields=["parent"], name="dim_downtime_reason_parent_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_failure=False) | Q(time_category=TimeCategory.DELAY),
                name="dim_downtime_reason_failure_is_delay",
                violation_error_message="A failure is unplanned delay time (ADET).",
            ),
            models.CheckConstraint(
                condition=Q(is_failure=True)
                | Q(failure_mode__isnull=True, failure_mechanism__isnull=True, failure_cause__isnull=True,
                    failure_impact=""),
                name="dim_downtime_reason_failure_codes_only_on_failures",
                violation_error_message="Failure mode, mechanism, cause and impact apply to failures only.",
            ),
            models.CheckConstraint(
                condition=Q(is_failure=False) | Q(failure_mode__isnull=False),
                name="dim_downtime_reason_failure_has_mode",
                violation_error_message="A failure reason needs an ISO 14224 failure mode.",
            ),
            models.CheckConstraint(
                condition=Q(is_minor_stop=False) | Q(time_category=TimeCategory.DELAY),
                name="dim_downtime_reason_minor_stop_is_delay",
                violation_error_message="Minor stops are delay time (ADET).",
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="dim_downtime_reason_not_own_parent"),
        ]

    def clean(self) -> None:
        super().clean()
        if self.parent_id and self.pk and self.code in self.parent.path.split("/"):
            raise ValidationError({"parent": "This parent would make the tree circular."})

    def compute_path(self) -> str:
        return child_path(self.parent.path if self.parent_id else None, self.code)


class FactDowntime(EquipmentFact):
    """A stop of one equipment unit, from start to end, with its reason.

    For a failure the row is also the ISO 14224 failure record (mode, mechanism, cause, impact,
    detection) and, where it was repaired, the maintenance record (activity, active repair time).
    Event-level codes override the reason's defaults. An open stop has no end yet.
    """

    reason = models.ForeignKey(DowntimeReason, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    failure_mode = models.ForeignKey(FailureMode, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    failure_mechanism = models.ForeignKey(
        FailureMechanism, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    failure_cause = models.ForeignKey(FailureCause, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    failure_impact = models.CharField(max_length=12, choices=FailureImpact.choices, blank=True)
    detection_method = models.ForeignKey(
        DetectionMethod, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    maintenance_activity = models.ForeignKey(
        MaintenanceActivity, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    active_repair_minutes = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    work_order = models.CharField(max_length=64, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        db_table = "fact_downtime"
        ordering = ["-started_at"]
        verbose_name = "downtime event"
        indexes = [
            models.Index(fields=["equipment", "started_at"], name="fact_downtime_equip_start_idx"),
            models.Index(fields=["date"], name="fact_downtime_date_idx"),
            models.Index(fields=["reason", "started_at"], name="fact_downtime_reason_idx"),
            models.Index(fields=["load_batch"], name="fact_downtime_batch_idx"),
            # The day-kept aggregates read the stops that reach into the days they recompute, open
            # stops (NULL) included (mfgplatform/sql/day_aggregate).
            models.Index(fields=["ended_at"], name="fact_downtime_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="fact_downtime_end_after_start",
                violation_error_message="A downtime must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(active_repair_minutes__isnull=True) | Q(active_repair_minutes__gte=0),
                name="fact_downtime_repair_time_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.started_at:%Y-%m-%d %H:%M} {self.reason_id}"


class FactSensorEvent(models.Model):
    """A condition-monitoring reading (temperature, vibration, current, pressure, …).

    A TimescaleDB hypertable partitioned on `time`; its Django `id` is not a database key (every
    unique key of a hypertable must contain the time column). One reading per equipment, tag and
    instant: the unique key makes replayed batches idempotent.
    """

    time = TimescaleDateTimeField(interval="1 day")
    equipment = models.ForeignKey(
        "equipment.Equipment", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    tag = models.CharField(max_length=64)
    value = models.FloatField()
    quality = models.SmallIntegerField(choices=SensorQuality.choices, default=SensorQuality.GOOD)

    class Meta:
        db_table = "fact_sensor_event"
        ordering = ["-time"]
        verbose_name = "sensor event"
        constraints = [
            models.UniqueConstraint(fields=["equipment", "tag", "time"], name="fact_sensor_event_reading_unique"),
        ]
        indexes = [
            # The readings that are not good are few (a fraction of a percent): a partial index finds
            # them for the changelist's quality filter without walking the time index through millions
            # of good ones, and costs nothing when a good reading is ingested.
            models.Index(fields=["quality", "-time"], condition=~Q(quality=SensorQuality.GOOD),
                         name="fact_sensor_event_quality_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.tag} {self.time:%Y-%m-%d %H:%M:%S} {self.value}"
