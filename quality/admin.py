"""Admin of the defect catalog and (read-only) inspection and scrap records."""

from django.contrib import admin

from equipment.admin_filters import EquipmentSubtreeFilter, EquipmentUnitFilter
from mfgplatform.admin_base import (
    IndexedDateHierarchy,
    LargeTableAdmin,
    MasterDataAdmin,
    ShiftFilter,
)

from .models import DefectType, FactQuality, FactScrap
from .resources import DefectTypeResource


@admin.register(DefectType)
class DefectTypeAdmin(MasterDataAdmin):
    resource_classes = [DefectTypeResource]
    list_display = ("code", "name", "category", "severity", "is_reworkable", "is_active")
    list_filter = ("category", "severity", "is_reworkable", "is_active")
    search_fields = ("code", "name")


@admin.register(FactQuality)
class FactQualityAdmin(LargeTableAdmin):
    list_display = ("inspected_at", "kind", "equipment", "product", "defect_type", "inspected_qty", "defective_qty",
                    "characteristic", "measured_value")
    list_filter = ("kind", EquipmentSubtreeFilter, ("equipment", EquipmentUnitFilter), "defect_type",
                   ("shift", ShiftFilter))
    list_select_related = ("equipment", "product", "defect_type")
    ordering = ("-date", "-inspected_at", "-id")
    indexed_date_hierarchy = IndexedDateHierarchy("date")


@admin.register(FactScrap)
class FactScrapAdmin(LargeTableAdmin):
    list_display = ("occurred_at", "equipment", "product", "reason", "quantity", "unit", "is_planned", "disposition",
                    "cost", "currency")
    list_filter = (EquipmentSubtreeFilter, ("equipment", EquipmentUnitFilter), "reason", "is_planned", "disposition",
                   ("shift", ShiftFilter))
    list_select_related = ("equipment", "product", "reason", "unit")
    ordering = ("-date", "-occurred_at", "-id")
    indexed_date_hierarchy = IndexedDateHierarchy("date")
