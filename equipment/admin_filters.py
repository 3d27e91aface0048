"""Change-list filters over the equipment tree, for every domain's fact admins (facts attach to units)."""

from django.contrib import admin

from .models import Equipment


class EquipmentUnitFilter(admin.RelatedFieldListFilter):
    """Filter facts by equipment, listing only equipment units and below (where facts attach)."""

    def field_choices(self, field, request, model_admin):
        return field.get_choices(
            include_blank=False, ordering=("path",), limit_choices_to={"taxonomy_level__gte": 6}
        )


class EquipmentSubtreeFilter(admin.SimpleListFilter):
    """Filter facts by an area or a line: the units of its whole subtree (`?subtree=<code>`). The ids
    are resolved first, so the fact query is a plain `equipment_id IN (…)` on its equipment index."""

    title = "area or line"
    parameter_name = "subtree"

    def lookups(self, request, model_admin):
        nodes = Equipment.objects.filter(taxonomy_level__in=(4, 5)).order_by("path").values_list("code", "name")
        return [(code, f"{code} · {name}") for code, name in nodes]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        node = Equipment.objects.filter(code=self.value()).values_list("path", flat=True).first()
        if node is None:
            return queryset.none()
        units = Equipment.objects.filter(path__startswith=f"{node}/").values_list("id", flat=True)
        return queryset.filter(equipment_id__in=list(units))
