"""The recorded events of an equipment subtree in a date range, for the unit page and the drill from
a Pareto bar: stops, production runs, inspections with defects, scrap — each linked to its admin record.

Events are filtered by the production day their start belongs to (`date_key`), the same day the
KPI views assign them to, so the stops listed for a reason are the stops the Pareto counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from mfgplatform.kpi import resolve_equipment
from production.models import FactProduction
from quality.models import FactQuality, FactScrap
from reliability.models import FactDowntime

# Rows per event list on a page; the admin link beneath lists them all.
EVENT_LIMIT = 50


def date_key(day: dt.date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


@dataclass(frozen=True)
class EventScope:
    equipment_ids: tuple[int, ...] | None  # None = the whole plant
    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, equipment_codes: list[str], start: dt.date, end: dt.date) -> EventScope:
        return cls(resolve_equipment(equipment_codes), start, end)

    def filter(self, queryset: QuerySet) -> QuerySet:
        queryset = queryset.filter(date_id__gte=date_key(self.start), date_id__lte=date_key(self.end))
        if self.equipment_ids is not None:
            queryset = queryset.filter(equipment_id__in=self.equipment_ids)
        return queryset


def local(instant: dt.datetime | None) -> str:
    """An instant as the plant's local time (minutes), as pages and CSV show it."""
    if instant is None:
        return ""
    return instant.astimezone(ZoneInfo(settings.PLANT_TIME_ZONE)).strftime("%Y-%m-%d %H:%M")


def _minutes(start: dt.datetime, end: dt.datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds() / 60


def stops(scope: EventScope, *, reason_ids: list[int] | None = None, limit: int = EVENT_LIMIT) -> list[dict]:
    queryset = scope.filter(FactDowntime.objects.all())
    if reason_ids is not None:
        queryset = queryset.filter(reason_id__in=reason_ids)
    rows = queryset.select_related("equipment", "reason", "failure_mode").order_by("-started_at")[:limit]
    return [{
        "started_at": local(row.started_at), "ended_at": local(row.ended_at), "equipment": row.equipment.code,
        "reason": f"{row.reason.code} {row.reason.name}", "category": row.reason.get_time_category_display(),
        "failure_mode": row.failure_mode.code if row.failure_mode_id else "",
        "minutes": _minutes(row.started_at, row.ended_at), "open": row.ended_at is None,
        "url": reverse("admin:reliability_factdowntime_change", args=[row.pk]),
    } for row in rows]


def runs(scope: EventScope, *, limit: int = EVENT_LIMIT) -> list[dict]:
    rows = scope.filter(FactProduction.objects.all()).select_related("equipment", "product").order_by("-started_at")
    return [{
        "started_at": local(row.started_at), "ended_at": local(row.ended_at), "equipment": row.equipment.code,
        "product": row.product.code, "order": row.order_number, "minutes": _minutes(row.started_at, row.ended_at),
        "produced": float(row.produced_qty), "good": float(row.good_qty),
        "url": reverse("admin:production_factproduction_change", args=[row.pk]),
    } for row in rows[:limit]]


def defects(scope: EventScope, *, defect_type_ids: list[int] | None = None, limit: int = EVENT_LIMIT) -> list[dict]:
    queryset = scope.filter(FactQuality.objects.filter(defect_count__gt=0))
    if defect_type_ids is not None:
        queryset = queryset.filter(defect_type_id__in=defect_type_ids)
    rows = queryset.select_related("equipment", "product", "defect_type").order_by("-inspected_at")[:limit]
    return [{
        "inspected_at": local(row.inspected_at), "equipment": row.equipment.code, "kind": row.get_kind_display(),
        "product": row.product.code, "defect_type": row.defect_type.code if row.defect_type_id else "",
        "inspected": float(row.inspected_qty), "defective": float(row.defective_qty), "defects": row.defect_count,
        "url": reverse("admin:quality_factquality_change", args=[row.pk]),
    } for row in rows]


def scrap(scope: EventScope, *, limit: int = EVENT_LIMIT) -> list[dict]:
    rows = scope.filter(FactScrap.objects.all()).select_related("equipment", "product", "reason")
    return [{
        "occurred_at": local(row.occurred_at), "equipment": row.equipment.code, "product": row.product.code,
        "reason": row.reason.code, "quantity": float(row.quantity), "planned": row.is_planned,
        "url": reverse("admin:quality_factscrap_change", args=[row.pk]),
    } for row in rows.order_by("-occurred_at")[:limit]]
