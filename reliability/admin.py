"""Admin of the ISO 14224 code lists, the downtime reason tree and (read-only) downtime and sensor facts."""

from django.contrib import admin

from mfgplatform.admin_base import (
    ChangeReasonForm,
    EquipmentSubtreeFilter,
    EquipmentUnitFilter,
    IndexedDateHierarchy,
    LargeTableAdmin,
    MasterDataAdmin,
    ShiftFilter,
    duration_minutes,
    shift_label,
)

from .models import (
    DetectionMethod,
    DowntimeReason,
    FactDowntime,
    FactSensorEvent,
    FailureCause,
    FailureMechanism,
    FailureMode,
    MaintenanceActivity,
)
from .resources import (
    DetectionMethodResource,
    DowntimeReasonResource,
    FailureCauseResource,
    FailureMechanismResource,
    FailureModeResource,
    MaintenanceActivityResource,
)
from .services import downtime_reason_save, downtime_reason_validate


class CodeListAdmin(MasterDataAdmin):
    list_display = ("code", "name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")


@admin.register(FailureMode)
class FailureModeAdmin(CodeListAdmin):
    resource_classes = [FailureModeResource]


class GroupedCodeListAdmin(CodeListAdmin):
    list_display = ("code", "name", "group", "is_active")
    list_select_related = ("group",)
    autocomplete_fields = ("group",)


@admin.register(FailureMechanism)
class FailureMechanismAdmin(GroupedCodeListAdmin):
    resource_classes = [FailureMechanismResource]


@admin.register(FailureCause)
class FailureCauseAdmin(GroupedCodeListAdmin):
    resource_classes = [FailureCauseResource]


@admin.register(DetectionMethod)
class DetectionMethodAdmin(CodeListAdmin):
    resource_classes = [DetectionMethodResource]
    list_display = ("code", "name", "activity_type", "is_active")
    list_filter = ("activity_type", "is_active")


@admin.register(MaintenanceActivity)
class MaintenanceActivityAdmin(CodeListAdmin):
    resource_classes = [MaintenanceActivityResource]
    list_display = ("code", "name", "typical_use", "is_active")
    list_filter = ("typical_use", "is_active")


class DowntimeReasonForm(ChangeReasonForm):
    class Meta:
        model = DowntimeReason
        fields = "__all__"

    def validate_with_service(self) -> None:
        downtime_reason_validate(self.instance)


@admin.register(DowntimeReason)
class DowntimeReasonAdmin(MasterDataAdmin):
    resource_classes = [DowntimeReasonResource]
    form = DowntimeReasonForm
    list_display = ("code", "name", "path", "time_category", "is_failure", "is_minor_stop", "failure_mode",
                    "is_active")
    list_filter = ("time_category", "is_failure", "is_minor_stop", "maintenance_category", "is_active")
    list_select_related = ("failure_mode",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent", "failure_mode", "failure_mechanism", "failure_cause")
    readonly_fields = ("path", "created_at", "updated_at")
    ordering = ("path",)

    def save_with_service(self, request, obj, reason: str) -> None:
        downtime_reason_save(downtime_reason=obj, user=request.user, reason=reason)


@admin.register(FactDowntime)
class FactDowntimeAdmin(LargeTableAdmin):
    list_display = ("started_at", "ended_at", "duration", "equipment", "reason", "shift_name", "failure_mode",
                    "work_order")
    list_filter = (EquipmentSubtreeFilter, ("equipment", EquipmentUnitFilter), "reason", ("shift", ShiftFilter))
    list_select_related = ("equipment", "reason", "shift", "failure_mode")

    @admin.display(description="shift", ordering="shift")
    def shift_name(self, obj):
        return shift_label(obj)

    @admin.display(description="duration (min)")
    def duration(self, obj):
        return duration_minutes(obj.started_at, obj.ended_at)
    ordering = ("-date", "-started_at", "-id")
    indexed_date_hierarchy = IndexedDateHierarchy("date")


@admin.register(FactSensorEvent)
class FactSensorEventAdmin(LargeTableAdmin):
    """Readings of a TimescaleDB hypertable. Its `id` is not a database key (no index), so rows are
    not linked to a detail page: the list already shows every column, and a lookup by id would scan
    every chunk."""

    list_display = ("time", "equipment", "tag", "value", "quality")
    list_display_links = None
    list_filter = (EquipmentSubtreeFilter, ("equipment", EquipmentUnitFilter), "quality")
    list_select_related = ("equipment",)
    ordering = ("-time",)
    indexed_date_hierarchy = IndexedDateHierarchy("time", is_date_key=False)
