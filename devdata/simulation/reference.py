"""Reference rows the simulation writes against, read by business code.

The reference-data migrations own these tables. The seed looks each code up and creates only what
is missing, with the minimal attributes from `catalog`, so it does not depend on which migrations
have run. Rows it creates go through `bulk_create_with_history` with the seed's change reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from simple_history.utils import bulk_create_with_history

from equipment.models import EquipmentClass
from mfgplatform import calendar
from mfgplatform.hierarchy import child_path
from mfgplatform.models import DimDate, DimShift, DimUnitOfMeasure, ShiftBreak
from quality.models import DefectType
from reliability.models import (
    DetectionMethod,
    DowntimeReason,
    FailureCause,
    FailureMechanism,
    FailureMode,
    MaintenanceActivity,
)

from . import catalog
from .shifts import ShiftPattern


def ensure_by_code(model: type[models.Model], specs: list[dict[str, Any]]) -> dict[str, models.Model]:
    """Rows of `model` keyed by code; the specs whose code is missing are created (with history)."""
    codes = [spec["code"] for spec in specs]
    found = {row.code: row for row in model.objects.filter(code__in=codes)}
    missing = [model(**spec) for spec in specs if spec["code"] not in found]
    if missing:
        created = bulk_create_with_history(missing, model, default_change_reason=catalog.SEED_CHANGE_REASON)
        found.update({row.code: row for row in created})
    return found


@dataclass(frozen=True)
class CodeLists:
    failure_modes: dict[str, FailureMode]
    mechanisms: dict[str, FailureMechanism]
    causes: dict[str, FailureCause]
    detection_methods: dict[str, DetectionMethod]
    activities: dict[str, MaintenanceActivity]


def ensure_code_lists() -> CodeLists:
    return CodeLists(
        failure_modes=ensure_by_code(
            FailureMode, [{"code": code, "name": name} for code, name in catalog.FAILURE_MODES.items()]
        ),
        mechanisms=ensure_by_code(
            FailureMechanism, [{"code": code, "name": name} for code, name in catalog.FAILURE_MECHANISMS.items()]
        ),
        causes=ensure_by_code(
            FailureCause, [{"code": code, "name": name} for code, name in catalog.FAILURE_CAUSES.items()]
        ),
        detection_methods=ensure_by_code(
            DetectionMethod,
            [{"code": c, "name": n, "activity_type": a} for c, (n, a) in catalog.DETECTION_METHODS.items()],
        ),
        activities=ensure_by_code(
            MaintenanceActivity,
            [{"code": c, "name": n, "typical_use": u} for c, (n, u) in catalog.MAINTENANCE_ACTIVITIES.items()],
        ),
    )


def ensure_equipment_classes() -> dict[str, EquipmentClass]:
    return ensure_by_code(
        EquipmentClass,
        [{"code": s.code, "name": s.name, "category": s.category} for s in catalog.EQUIPMENT_CLASSES.values()],
    )


def ensure_downtime_reasons(failure_modes: dict[str, FailureMode]) -> dict[str, DowntimeReason]:
    """The reason tree; parents are created before their children (the catalog lists them so)."""
    codes = [spec.code for spec in catalog.DOWNTIME_REASONS]
    reasons = {row.code: row for row in DowntimeReason.objects.filter(code__in=codes)}
    pending = [spec for spec in catalog.DOWNTIME_REASONS if spec.code not in reasons]
    while pending:
        ready = [spec for spec in pending if spec.parent is None or spec.parent in reasons]
        if not ready:
            raise ValueError(f"downtime reasons without a parent: {[spec.code for spec in pending]}")
        rows = []
        for spec in ready:
            parent = reasons.get(spec.parent) if spec.parent else None
            rows.append(
                DowntimeReason(
                    code=spec.code,
                    name=spec.name,
                    parent=parent,
                    path=child_path(parent.path if parent else None, spec.code),
                    time_category=spec.time_category,
                    is_failure=spec.is_failure,
                    is_minor_stop=spec.is_minor_stop,
                    failure_mode=failure_modes[spec.failure_mode] if spec.failure_mode else None,
                    maintenance_category=spec.maintenance_category,
                )
            )
        created = bulk_create_with_history(rows, DowntimeReason, default_change_reason=catalog.SEED_CHANGE_REASON)
        reasons.update({row.code: row for row in created})
        pending = [spec for spec in pending if spec.code not in reasons]
    return reasons


def ensure_defect_types() -> dict[str, DefectType]:
    return ensure_by_code(
        DefectType,
        [
            {"code": s.code, "name": s.name, "category": s.category, "severity": s.severity,
             "is_reworkable": s.is_reworkable}
            for s in catalog.DEFECT_TYPES.values()
        ],
    )


def ensure_shifts(*, weekend_nights: bool = False) -> list[DimShift]:
    """The plant's active shifts; the default three-shift pattern when no shift exists at all, and the
    weekend night shift when asked for and missing."""
    if not DimShift.objects.exists():
        _create_shifts(catalog.DEFAULT_SHIFTS)
    if weekend_nights and not DimShift.objects.filter(code=catalog.WEEKEND_NIGHT_SHIFT.code).exists():
        _create_shifts((catalog.WEEKEND_NIGHT_SHIFT,))
    return list(DimShift.objects.filter(is_active=True).order_by("sort_order", "code").prefetch_related("breaks"))


def _create_shifts(specs: tuple[catalog.ShiftSpec, ...]) -> None:
    shifts = ensure_by_code(
        DimShift,
        [
            {"code": s.code, "name": s.name, "start_time": calendar.parse_clock(s.start),
             "end_time": calendar.parse_clock(s.end), "weekdays": list(s.weekdays),
             "planned_break_minutes": sum(minutes for _, minutes in s.breaks), "sort_order": s.sort_order}
            for s in specs
        ],
    )
    bulk_create_with_history(
        [ShiftBreak(shift=shifts[s.code], start_time=calendar.parse_clock(clock), minutes=minutes)
         for s in specs for clock, minutes in s.breaks],
        ShiftBreak, default_change_reason=catalog.SEED_CHANGE_REASON,
    )


def shift_patterns(shifts: list[DimShift]) -> list[ShiftPattern]:
    """The seed places its breaks where the time model does: the shifts' break windows."""
    return [
        ShiftPattern(s.code, s.start_time, s.end_time, tuple(s.weekdays),
                     tuple((b.start_time, b.minutes) for b in s.breaks.all()), s.sort_order)
        for s in shifts
    ]


def ensure_dates(first: dt.date, last: dt.date) -> set[dt.date]:
    """Adds missing dim_date days for first..last and returns the non-working days among them."""
    have = set(DimDate.objects.filter(date__range=(first, last)).values_list("date", flat=True))
    if len(have) < (last - first).days + 1:
        holidays = calendar.holiday_calendar(settings.CALENDAR_HOLIDAY_COUNTRY, first, last)
        rows = [
            DimDate(**row)
            for row in calendar.date_rows(
                first, last, fiscal_start_month=settings.FISCAL_YEAR_START_MONTH, holidays=holidays
            )
            if row["date"] not in have
        ]
        bulk_create_with_history(rows, DimDate, default_change_reason=catalog.SEED_CHANGE_REASON)
    return set(
        DimDate.objects.filter(date__range=(first, last), is_working_day=False).values_list("date", flat=True)
    )


def ensure_unit(code: str, name: str, symbol: str, kind: str) -> DimUnitOfMeasure:
    """A unit found by code, else by symbol and quantity kind, else created as a base unit."""
    found = (
        DimUnitOfMeasure.objects.filter(code=code).first()
        or DimUnitOfMeasure.objects.filter(symbol=symbol, quantity_kind=kind).order_by("id").first()
    )
    if found:
        return found
    base = DimUnitOfMeasure.objects.filter(quantity_kind=kind, base_unit__isnull=True).order_by("id").first()
    unit = DimUnitOfMeasure(code=code, name=name, symbol=symbol, quantity_kind=kind)
    if kind == "length" and base is not None and base.symbol == "m":
        unit.base_unit, unit.factor_to_base = base, Decimal("0.001")
    (unit,) = bulk_create_with_history([unit], DimUnitOfMeasure, default_change_reason=catalog.SEED_CHANGE_REASON)
    return unit


@dataclass(frozen=True)
class Reference:
    codes: CodeLists
    classes: dict[str, EquipmentClass]
    reasons: dict[str, DowntimeReason]
    defect_types: dict[str, DefectType]
    shifts: list[DimShift]
    piece: DimUnitOfMeasure
    millimetre: DimUnitOfMeasure
    non_working_days: set[dt.date]
    holidays: set[dt.date]


def link_failure_modes(failure_modes: dict[str, FailureMode], classes: dict[str, EquipmentClass]) -> None:
    """Each simulated class's failure modes apply to that class (ISO 14224 lists failure modes per
    class), so a failure record of a unit offers the modes of its class."""
    from .profiles import PROFILES

    through = FailureMode.equipment_classes.through
    links = [through(failuremode_id=failure_modes[mode].pk, equipmentclass_id=classes[code].pk)
             for code, profile in PROFILES.items() if code in classes
             for mode in profile.failure_modes if mode in failure_modes]
    through.objects.bulk_create(links, ignore_conflicts=True)


def ensure_reference(first_day: dt.date, last_day: dt.date, *, weekend_nights: bool = False) -> Reference:
    codes = ensure_code_lists()
    classes = ensure_equipment_classes()
    link_failure_modes(codes.failure_modes, classes)
    return Reference(
        codes=codes,
        classes=classes,
        reasons=ensure_downtime_reasons(codes.failure_modes),
        defect_types=ensure_defect_types(),
        shifts=ensure_shifts(weekend_nights=weekend_nights),
        piece=ensure_unit(*catalog.PIECE_UNIT),
        millimetre=ensure_unit(*catalog.MILLIMETRE_UNIT),
        # The night shift of the last day ends on the next calendar day.
        non_working_days=ensure_dates(first_day, last_day + dt.timedelta(days=1)),
        holidays=set(DimDate.objects.filter(date__range=(first_day, last_day), is_holiday=True)
                     .values_list("date", flat=True)),
    )
