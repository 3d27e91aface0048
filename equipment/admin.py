"""Admin of the asset hierarchy and the ISO 14224 equipment classes."""

import json

from django.contrib import admin
from django.core.exceptions import ValidationError

from mfgplatform.admin_base import ChangeReasonForm, MasterDataAdmin

from . import attribute_form
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
    """The equipment form; `EquipmentAdmin.get_form` subclasses it with one typed field per attribute of
    the equipment class's schema (`attribute_schema`), and the JSON field keeps the other attributes."""

    attribute_schema: dict = {}

    class Meta:
        model = Equipment
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not attribute_form.schema_properties(self.attribute_schema) or "attributes" not in self.fields:
            return
        typed, others = attribute_form.split_attributes(self.instance.attributes or {}, self.attribute_schema)
        for name, value in typed.items():
            self.initial.setdefault(name, value)
        self.initial["attributes"] = others
        self.fields["attributes"].label = "Other attributes"
        self.fields["attributes"].help_text = "Attributes the equipment class does not describe, as a JSON object."

    def clean(self):
        cleaned = super().clean()
        if attribute_form.schema_properties(self.attribute_schema) and "attributes" in cleaned:
            others = cleaned["attributes"] if isinstance(cleaned["attributes"], dict) else {}
            # Values typed for another class (the class changed in this same post) are kept, not dropped.
            for key, text in self.data.items():
                name = key.removeprefix(attribute_form.PREFIX)
                if key.startswith(attribute_form.PREFIX) and key not in self.fields and text not in ("", None):
                    others.setdefault(name, _loose_value(text))
            cleaned["attributes"] = attribute_form.assemble(cleaned, others, self.attribute_schema)
        return cleaned

    def validate_with_service(self) -> None:
        try:
            equipment_validate(self.instance)
        except ValidationError as error:
            raise self._per_attribute(error) from None

    def _per_attribute(self, error: ValidationError) -> ValidationError:
        """The schema's messages on the typed field of the attribute they name, where that field holds
        the value (a value typed into the JSON of other attributes keeps its message there)."""
        if not hasattr(error, "error_dict"):
            return error
        errors = {field: list(messages) for field, messages in error.message_dict.items() if field != "attributes"}
        for message in error.message_dict.get("attributes", []):
            field, reason = attribute_form.error_field(message)
            typed = field in self.fields and self.cleaned_data.get(field) not in (None, "")
            target = field if typed else "attributes"
            errors.setdefault(target, []).append(reason if target == field else message)
        return ValidationError(errors)


def _loose_value(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return text


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

    def _attribute_schema(self, request, obj) -> tuple[str, dict]:
        """(class name, attribute schema) of the class posted or chosen (`?equipment_class=<id>` on the
        add page), else of the equipment's stored class."""
        chosen = request.POST.get("equipment_class") or request.GET.get("equipment_class")
        class_id = int(chosen) if chosen and chosen.isdigit() else (obj.equipment_class_id if obj else None)
        if class_id is None:
            return "", {}
        found = EquipmentClass.objects.filter(pk=class_id).values_list("name", "attribute_schema").first()
        return found if found else ("", {})

    def get_form(self, request, obj=None, change=False, **kwargs):
        if "form" not in kwargs and (obj is None or self.has_change_permission(request, obj)):
            class_name, schema = self._attribute_schema(request, obj)
            if attribute_form.schema_properties(schema):
                kwargs["form"] = type("EquipmentAttributeForm", (self.form,), {
                    **attribute_form.attribute_fields(schema), "attribute_schema": schema,
                    "attribute_class_name": class_name})
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fields = list(self.get_fields(request, obj))
        typed = [name for name in fields if name.startswith(attribute_form.PREFIX)]
        if not typed:
            return [(None, {"fields": fields})]
        class_name, _ = self._attribute_schema(request, obj)
        main = [name for name in fields if name not in typed and name != "attributes"]
        return [(None, {"fields": main}),
                (f"Attributes of the class {class_name}", {
                    "fields": [*typed, "attributes"],
                    "description": "From the equipment class's attribute schema. After choosing another class, "
                                   "save and continue editing to get its fields."})]
