from .audit import AuditLog
from .calendar import DimDate, DimDateRange, DimShift, DimTime, shift_occurrence_at
from .kpi import KpiDefinition
from .units import DimUnitOfMeasure

__all__ = [
    "AuditLog",
    "DimDate",
    "DimDateRange",
    "DimShift",
    "DimTime",
    "DimUnitOfMeasure",
    "KpiDefinition",
    "shift_occurrence_at",
]
