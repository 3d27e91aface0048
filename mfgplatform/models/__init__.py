from .aggregates import MaterializedViewRefresh, RefreshOutcome
from .audit import AuditLog
from .calendar import DimDate, DimDateRange, DimShift, DimTime, ShiftBreak, shift_occurrence_at
from .imports import ImportJob, ImportStatus
from .ingest import IngestEventReceipt, IngestToken
from .kpi import KpiDefinition
from .operations import ViewSourceState
from .reports import ComplianceReport, ReportDelivery, ReportSubscription
from .units import DimUnitOfMeasure

__all__ = [
    "AuditLog",
    "ComplianceReport",
    "DimDate",
    "DimDateRange",
    "DimShift",
    "DimTime",
    "DimUnitOfMeasure",
    "ImportJob",
    "ImportStatus",
    "IngestEventReceipt",
    "IngestToken",
    "KpiDefinition",
    "MaterializedViewRefresh",
    "RefreshOutcome",
    "ShiftBreak",
    "ReportDelivery",
    "ReportSubscription",
    "ViewSourceState",
    "shift_occurrence_at",
]
