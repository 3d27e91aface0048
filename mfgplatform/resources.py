"""Import-export resources of the shared dimensions (shifts, date ranges, units, KPI catalog)."""

from import_export import fields
from import_export.widgets import SimpleArrayWidget

from .imports.resources import MasterDataResource, code_field
from .models import DimDateRange, DimShift, DimUnitOfMeasure, KpiDefinition


class DimShiftResource(MasterDataResource):
    weekdays = fields.Field(attribute="weekdays", column_name="weekdays", widget=SimpleArrayWidget(separator=" "))

    class Meta(MasterDataResource.Meta):
        model = DimShift
        # Breaks are positioned windows (ShiftBreak), edited on the shift in the admin; their total
        # `planned_break_minutes` is derived and not imported.
        fields = ("code", "name", "start_time", "end_time", "weekdays", "sort_order", "is_active")


class DimDateRangeResource(MasterDataResource):
    class Meta(MasterDataResource.Meta):
        model = DimDateRange
        fields = ("code", "name", "rule", "length_days", "fixed_start", "fixed_end", "description", "is_active")


class DimUnitOfMeasureResource(MasterDataResource):
    base_unit = code_field("base_unit", DimUnitOfMeasure)

    class Meta(MasterDataResource.Meta):
        model = DimUnitOfMeasure
        fields = ("code", "name", "symbol", "quantity_kind", "base_unit", "factor_to_base", "offset_to_base",
                  "is_active")


class KpiDefinitionResource(MasterDataResource):
    class Meta(MasterDataResource.Meta):
        model = KpiDefinition
        fields = ("code", "name", "standard", "edition", "iso_number", "category", "formula", "elements", "unit",
                  "range_min", "range_max", "trend", "description", "is_active")
