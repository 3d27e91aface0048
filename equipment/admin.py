"""Admin of the asset hierarchy and the ISO 14224 equipment classes."""

from django.contrib import admin

from mfgplatform.admin_base import ChangeReasonForm, MasterDataAdmin

from .models import Equipment, EquipmentClass
from .resources import EquipmentClassResource, EquipmentResource
from .services import equipment_save, equipment_validate


@admin.register(EquipmentClass)
class EquipmentClassAdmin(MasterDataAdmin):
    resource_classes = [EquipmentClassResource]
    list_display = ("code", "name", "category", "is_work_unit", "is_active")
    list_filter = ("category", "is_work_unit", "is_active")
    search_fields = ("code", "name")


class AreaFilter(admin.SimpleListFilter):
    """Equipment below one area (taxonomy level 4), by path prefix: one index range scan."""

    title = "area"
    parameter_name = "area"

    def lookups(self, request, model_admin):
        return Equipment.objects.filter(taxonomy_level=4).order_by("path").values_list("path", "name")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(path__startswith=f"{self.value()}/") | queryset.filter(path=self.value())
        return queryset


class EquipmentForm(ChangeReasonForm):
    class Meta:
        model = Equipment
        fields = "__all__"

    def validate_with_service(self) -> None:
        equipment_validate(self.instance)


@admin.register(Equipment)
class EquipmentAdmin(MasterDataAdmin):
    resource_classes = [EquipmentResource]
    form = EquipmentForm
    list_display = ("code", "name", "path", "taxonomy_level", "equipment_class", "criticality", "tag_number",
                    "is_active")
    list_filter = ("taxonomy_level", "equipment_class", AreaFilter, "equipment_class__category", "criticality",
                   "is_active")
    list_select_related = ("equipment_class",)
    search_fields = ("code", "name", "tag_number", "serial_number")
    autocomplete_fields = ("parent", "equipment_class")
    readonly_fields = ("path", "created_at", "updated_at")
    ordering = ("path",)

    def save_with_service(self, request, obj, reason: str) -> None:
        equipment_save(equipment=obj, user=request.user, reason=reason)
