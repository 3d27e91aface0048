"""Admin of products, planned run times and (read-only) production runs."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import admin
from django.db.models.expressions import RawSQL
from django.utils import timezone

from equipment.admin_filters import EquipmentSubtreeFilter, EquipmentUnitFilter
from mfgplatform.admin_base import (
    IndexedDateHierarchy,
    LargeTableAdmin,
    MasterDataAdmin,
    ShiftFilter,
    duration_minutes,
    shift_label,
)
from mfgplatform.calendar import parse_clock, production_date

from .models import FactProduction, PlannedRunTime, Product
from .resources import PlannedRunTimeResource, ProductResource


def _production_day_now():
    zone, day_start = ZoneInfo(settings.PLANT_TIME_ZONE), parse_clock(settings.PRODUCTION_DAY_START)
    return production_date(timezone.now(), zone, day_start)


@admin.register(Product)
class ProductAdmin(MasterDataAdmin):
    resource_classes = [ProductResource]
    list_display = ("code", "name", "product_family", "unit", "default_pri_seconds", "is_active")
    list_filter = ("product_family", "unit", "is_active")
    list_select_related = ("unit",)
    search_fields = ("code", "name", "product_family")
    autocomplete_fields = ("unit",)


@admin.register(PlannedRunTime)
class PlannedRunTimeAdmin(MasterDataAdmin):
    resource_classes = [PlannedRunTimeResource]
    list_display = ("product", "equipment", "valid_from", "pri_seconds", "pri_today")
    list_filter = ("valid_from",)
    list_select_related = ("product", "equipment")
    search_fields = ("product__code", "product__name", "equipment__code", "equipment__name")
    autocomplete_fields = ("product", "equipment")
    ordering = ("product__code", "equipment__code", "-valid_from")

    def get_queryset(self, request):
        # What a run of this product on this unit would be measured against today: the same lookup the
        # ingest API and load_facts use (production/sql/planned_run_time), so the list shows which record
        # (or the product's default) is in effect.
        return super().get_queryset(request).annotate(pri_today=RawSQL(
            "mfg_planned_run_time(ref_planned_run_time.product_id, ref_planned_run_time.equipment_id, %s)",
            [_production_day_now()]))

    @admin.display(description="PRI applied today (s)")
    def pri_today(self, obj):
        return getattr(obj, "pri_today", None)


@admin.register(FactProduction)
class FactProductionAdmin(LargeTableAdmin):
    list_display = ("started_at", "ended_at", "duration", "equipment", "product", "shift_name", "order_number",
                    "produced_qty", "good_qty", "scrap_qty", "rework_qty")
    list_filter = (EquipmentSubtreeFilter, ("equipment", EquipmentUnitFilter), ("shift", ShiftFilter))
    list_select_related = ("equipment", "product", "shift")
    # The (date_key, shift) index serves this order; started_at alone has no index of its own.
    ordering = ("-date", "-started_at", "-id")
    indexed_date_hierarchy = IndexedDateHierarchy("date")

    @admin.display(description="shift", ordering="shift")
    def shift_name(self, obj):
        return shift_label(obj)

    @admin.display(description="duration (min)")
    def duration(self, obj):
        return duration_minutes(obj.started_at, obj.ended_at)
