"""Builders for the dimension and fact rows the KPI tests need (every test makes its own)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection

from equipment.models import Equipment, EquipmentClass
from mfgplatform.calendar import date_rows, default_break_start
from mfgplatform.models import DimDate, DimShift, DimUnitOfMeasure, ShiftBreak
from production.models import FactProduction, Product
from quality.models import DefectType, FactQuality
from reliability.models import DowntimeReason, FactDowntime, FailureMode

UTC = dt.UTC


def ensure_dates(start: dt.date, end: dt.date) -> None:
    """dim_date rows for the range (the calendar migration may not have loaded them)."""
    existing = set(DimDate.objects.filter(date__range=(start, end)).values_list("date", flat=True))
    DimDate.objects.bulk_create([DimDate(**row) for row in date_rows(start, end) if row["date"] not in existing])


def only_shifts(*shifts: DimShift) -> None:
    """Deactivate every other shift pattern so that only the test's shifts have occurrences."""
    DimShift.objects.exclude(pk__in=[s.pk for s in shifts]).update(is_active=False)


def make_shift(code: str, start: dt.time, end: dt.time, *, break_minutes: int = 0, break_at: dt.time | None = None,
               breaks=(), weekdays=(), order: int = 0):
    """A shift with its break windows: `breaks` as (start, minutes), or one break of `break_minutes` at
    `break_at` (by default the documented default position, the middle of the shift)."""
    shift = DimShift.objects.create(
        code=code, name=code, start_time=start, end_time=end, weekdays=list(weekdays), sort_order=order,
    )
    if break_minutes:
        breaks = [(break_at or default_break_start(start, end, break_minutes), break_minutes), *breaks]
    for clock, minutes in breaks:
        ShiftBreak.objects.create(shift=shift, start_time=clock, minutes=minutes)
    shift.refresh_from_db()
    return shift


def equipment_class(code: str = "TPU") -> EquipmentClass:
    return EquipmentClass.objects.get_or_create(code=code, defaults={"name": code, "category": "rotating"})[0]


def make_equipment(code: str, *, parent: Equipment | None = None, level: int = 6, cls: EquipmentClass | None = None,
                   decommissioned_on: dt.date | None = None) -> Equipment:
    if level == 6 and cls is None:
        cls = equipment_class()
    path = f"{parent.path}/{code}" if parent else code
    return Equipment.objects.create(
        code=code, name=code, taxonomy_level=level, equipment_class=cls, parent=parent, path=path,
        decommissioned_on=decommissioned_on,
    )


def make_reason(code: str, category: str, *, failure: bool = False, minor: bool = False,
                mode: str | None = None, maintenance: str = "") -> DowntimeReason:
    failure_mode = FailureMode.objects.get_or_create(code=mode, defaults={"name": mode})[0] if mode else None
    return DowntimeReason.objects.create(
        code=code, name=code, time_category=category, is_failure=failure, is_minor_stop=minor,
        failure_mode=failure_mode, maintenance_category=maintenance,
    )


def product(code: str = "TP-1", opportunities: int = 1) -> Product:
    unit = DimUnitOfMeasure.objects.first()
    return Product.objects.get_or_create(
        code=code, defaults={"name": code, "unit": unit, "defect_opportunities_per_unit": opportunities}
    )[0]


def date_key(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def add_run(equipment, start: dt.datetime, end: dt.datetime, *, pq, gq, sq=0, rq=0, psq=0, pri="1",
            order: str = "", prod: Product | None = None) -> FactProduction:
    return FactProduction.objects.create(
        equipment=equipment, product=prod or product(), date_id=date_key(start.date()), started_at=start,
        ended_at=end, produced_qty=Decimal(pq), good_qty=Decimal(gq), scrap_qty=Decimal(sq),
        rework_qty=Decimal(rq), planned_scrap_qty=Decimal(psq), pri_seconds=Decimal(pri), order_number=order,
    )


def add_downtime(equipment, reason: DowntimeReason, start: dt.datetime, end: dt.datetime | None) -> FactDowntime:
    return FactDowntime.objects.create(
        equipment=equipment, reason=reason, date_id=date_key(start.date()), started_at=start, ended_at=end,
    )


def add_inspection(equipment, at: dt.datetime, *, inspected, defective=0, defects=0, first_pass_good=None,
                   prod: Product | None = None, defect_type: DefectType | None = None) -> FactQuality:
    return FactQuality.objects.create(
        kind="attribute", inspected_at=at, equipment=equipment, product=prod or product(),
        date_id=date_key(at.date()), inspected_qty=Decimal(inspected), defective_qty=Decimal(defective),
        defect_count=defects, first_pass_good_qty=None if first_pass_good is None else Decimal(first_pass_good),
        defect_type=defect_type,
    )


def add_measurement(equipment, at: dt.datetime, value: float, *, characteristic: str = "bore", subgroup=None,
                    lsl=9.8, usl=10.2, prod: Product | None = None) -> FactQuality:
    return FactQuality.objects.create(
        kind="variable", inspected_at=at, equipment=equipment, product=prod or product(), date_id=date_key(at.date()),
        characteristic=characteristic, measured_value=value, lower_spec_limit=lsl, upper_spec_limit=usl,
        subgroup=subgroup,
    )


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UTC)


def aggregate_pass(name: str, *, rebuild: bool = False) -> tuple[int, int, int]:
    """One pass of a day-kept aggregate's refresh function: (invalidations, rows deleted, rows written)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT invalidations, rows_deleted, rows_written FROM {name}_refresh(%s)", [rebuild])
        return cursor.fetchone()


def aggregate_rows(name: str) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {name}")  # noqa: S608 (test constant)
        return set(cursor.fetchall())
