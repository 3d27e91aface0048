"""Admin of the ISO 14224 code lists, the downtime reason tree and (read-only) downtime and sensor facts."""

from django import forms
from django.contrib import admin

from equipment.admin_filters import EquipmentSubtreeFilter, EquipmentUnitFilter
from mfgplatform.admin_base import (
    ChangeReasonForm,
    IndexedDateHierarchy,
    LargeTableAdmin,
    MasterDataAdmin,
    ShiftFilter,
    duration_minutes,
    shift_label,
)
from mfgplatform.audit import record_event

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

FAILURE_RECORD_FIELDS = ("failure_mode", "failure_mechanism", "failure_cause", "failure_impact", "detection_method",
                         "maintenance_activity", "active_repair_minutes", "work_order", "comment")
CLASS_SPECIFIC = {"failure_mode": FailureMode, "failure_mechanism": FailureMechanism, "failure_cause": FailureCause}


def _shown(value) -> str:
    """A failure-record field's value as the audit log keeps it: a code's label, a number, text; empty as ''."""
    return "" if value is None else str(value)


class CodeListAdmin(MasterDataAdmin):
    list_display = ("code", "name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")


class ClassSpecificAdmin(CodeListAdmin):
    """Codes that apply to some equipment classes only (empty: every class)."""

    list_display = ("code", "name", "classes", "is_active")
    list_filter = ("is_active", "equipment_classes")
    filter_horizontal = ("equipment_classes",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("equipment_classes")

    @admin.display(description="applies to")
    def classes(self, obj) -> str:
        return ", ".join(sorted(c.code for c in obj.equipment_classes.all())) or "every class"


@admin.register(FailureMode)
class FailureModeAdmin(ClassSpecificAdmin):
    resource_classes = [FailureModeResource]


class GroupedCodeListAdmin(ClassSpecificAdmin):
    list_display = ("code", "name", "group", "classes", "is_active")
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


class FailureRecordForm(forms.ModelForm):
    """The ISO 14224 failure record of a stop: its failure mode, mechanism and cause are offered, and
    accepted, only where they apply to the class of the stopped equipment."""

    class Meta:
        model = FactDowntime
        fields = FAILURE_RECORD_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.equipment_class_id = self.instance.equipment.equipment_class_id if self.instance.pk else None
        for name, model in CLASS_SPECIFIC.items():
            if name in self.fields:
                self.fields[name].queryset = model.applicable_to(self.equipment_class_id).order_by("code")

    def clean(self):
        cleaned = super().clean()
        for name, model in CLASS_SPECIFIC.items():
            code = cleaned.get(name)
            if code is not None and not model.applicable_to(self.equipment_class_id).filter(pk=code.pk).exists():
                self.add_error(name, f"{code} does not apply to equipment of class "
                                     f"{self.instance.equipment.equipment_class}.")
        return cleaned


@admin.register(FactDowntime)
class FactDowntimeAdmin(LargeTableAdmin):
    """Stops are loaded, not typed in; their ISO 14224 failure record (mode, mechanism, cause, impact,
    detection, repair) is coded afterwards by whoever holds `reliability.change_factdowntime`."""

    form = FailureRecordForm

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("reliability.change_factdowntime")

    def get_readonly_fields(self, request, obj=None):
        if not self.has_change_permission(request, obj):
            return super().get_readonly_fields(request, obj)
        return [name for name in super().get_readonly_fields(request, obj) if name not in FAILURE_RECORD_FIELDS]

    def get_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.concrete_fields if field.name != "id"]

    def get_object(self, request, object_id, from_field=None):
        # The stop's read-only relations in the same query as the stop.
        queryset = self.get_queryset(request).select_related("equipment", "reason", "date", "shift")
        try:
            return queryset.get(pk=object_id)
        except (self.model.DoesNotExist, ValueError):
            return None

    def save_model(self, request, obj, form, change) -> None:
        # Only the failure record: the loaded stop (equipment, times, reason) stays as it was loaded.
        changed = [name for name in FAILURE_RECORD_FIELDS if name in form.changed_data]
        if not changed:
            return
        # Stops keep no row history (a high-volume fact), so each coding is an audit event with what
        # each field was and became: ISO 9001 records show who changed a record, when and how.
        relations = [name for name in changed if obj._meta.get_field(name).is_relation]
        before = type(obj).objects.select_related(*relations).get(pk=obj.pk)
        obj.save(update_fields=changed)
        record_event("downtime.failure_record_coded", actor=request.user, request=request, obj=obj,
                     equipment=obj.equipment.code, started_at=obj.started_at.isoformat(),
                     changes={name: {"from": _shown(getattr(before, name)), "to": _shown(getattr(obj, name))}
                              for name in changed})

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
