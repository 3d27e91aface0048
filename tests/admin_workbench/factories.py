"""Rows for admin tests, created through the ORM (or the services, where a model has invariants).

Reference data (units, shifts, code lists) is loaded by other migrations that may change; these
helpers create what a test needs under codes of their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import models
from django.utils import timezone

from equipment.models import Equipment, EquipmentClass
from equipment.services import equipment_save
from mfgplatform import calendar
from mfgplatform.models import AuditLog, DimDate, DimDateRange, DimShift, DimTime, DimUnitOfMeasure, KpiDefinition
from ontology.models import OntologyTerm
from production.models import FactProduction, PlannedRunTime, Product
from quality.models import DefectType, FactQuality, FactScrap
from reliability.models import (
    DetectionMethod,
    DowntimeReason,
    FactDowntime,
    FactSensorEvent,
    FailureCause,
    FailureMechanism,
    FailureMode,
    MaintenanceActivity,
)
from reliability.services import downtime_reason_save

DAY = dt.date(2024, 3, 5)
STARTED = dt.datetime(2024, 3, 5, 8, 0, tzinfo=dt.UTC)


def calendar_day(day: dt.date = DAY) -> DimDate:
    row = next(calendar.date_rows(day, day))
    return DimDate.objects.get_or_create(date_key=row.pop("date_key"), defaults=row)[0]


def time_of_day(minute: int = 480) -> DimTime:
    return DimTime.objects.get_or_create(
        minute_of_day=minute,
        defaults={"time": dt.time(minute // 60, minute % 60), "hour": minute // 60, "minute": minute % 60,
                  "hour_label": f"{minute // 60:02d}:00", "quarter_hour": minute % 60 // 15 + 1,
                  "period_of_day": "morning"},
    )[0]


def unit(code: str = "T-PCS") -> DimUnitOfMeasure:
    return DimUnitOfMeasure.objects.get_or_create(
        code=code, defaults={"name": "Test pieces", "symbol": "pcs", "quantity_kind": "count"}
    )[0]


def shift(code: str = "T-A") -> DimShift:
    return DimShift.objects.get_or_create(
        code=code, defaults={"name": "Test early", "start_time": dt.time(6), "end_time": dt.time(14)}
    )[0]


def date_range(code: str = "t_last_7") -> DimDateRange:
    return DimDateRange.objects.get_or_create(
        code=code, defaults={"name": "Test last 7 days", "rule": "last_n_days", "length_days": 7}
    )[0]


def kpi(code: str = "T-OEE") -> KpiDefinition:
    return KpiDefinition.objects.get_or_create(
        code=code,
        defaults={"name": "Test OEE", "standard": "iso22400", "category": "production", "formula": "A × E × Q",
                  "unit": "%", "trend": "higher"},
    )[0]


def equipment_class(code: str = "T-PU", schema: dict | None = None) -> EquipmentClass:
    return EquipmentClass.objects.get_or_create(
        code=code, defaults={"name": "Test pumps", "category": "rotating", "attribute_schema": schema or {}}
    )[0]


def equipment(code: str = "T-SITE", *, parent: Equipment | None = None, level: int = 3, **fields) -> Equipment:
    existing = Equipment.objects.filter(code=code).first()
    if existing:
        return existing
    node = Equipment(code=code, name=fields.pop("name", f"Node {code}"), taxonomy_level=level, parent=parent,
                     **fields)
    return equipment_save(equipment=node, reason="test fixture")


def equipment_unit(code: str = "T-UNIT") -> Equipment:
    site = equipment("T-SITE")
    area = equipment("T-AREA", parent=site, level=4)
    line = equipment("T-LINE", parent=area, level=5)
    return equipment(code, parent=line, level=6, equipment_class=equipment_class())


def product(code: str = "T-PRD") -> Product:
    return Product.objects.get_or_create(code=code, defaults={"name": "Test product", "unit": unit()})[0]


def planned_run_time() -> PlannedRunTime:
    return PlannedRunTime.objects.get_or_create(
        product=product(), equipment=equipment_unit(), valid_from=DAY, defaults={"pri_seconds": Decimal("2.5")}
    )[0]


def defect_type(code: str = "T-SCR") -> DefectType:
    return DefectType.objects.get_or_create(code=code, defaults={"name": "Test scratch", "category": "visual"})[0]


def failure_mode(code: str = "T-BRD") -> FailureMode:
    return FailureMode.objects.get_or_create(code=code, defaults={"name": "Test breakdown"})[0]


def failure_mechanism(code: str = "T-2.4") -> FailureMechanism:
    return FailureMechanism.objects.get_or_create(code=code, defaults={"name": "Test wear"})[0]


def failure_cause(code: str = "T-3.4") -> FailureCause:
    return FailureCause.objects.get_or_create(code=code, defaults={"name": "Test wear and tear"})[0]


def detection_method(code: str = "T-DM") -> DetectionMethod:
    return DetectionMethod.objects.get_or_create(code=code, defaults={"name": "Test inspection"})[0]


def maintenance_activity(code: str = "T-MA") -> MaintenanceActivity:
    return MaintenanceActivity.objects.get_or_create(
        code=code, defaults={"name": "Test replace", "typical_use": "C"}
    )[0]


def downtime_reason(code: str = "T-MECH", *, parent: DowntimeReason | None = None, **fields) -> DowntimeReason:
    existing = DowntimeReason.objects.filter(code=code).first()
    if existing:
        return existing
    fields.setdefault("time_category", "delay")
    node = DowntimeReason(code=code, name=fields.pop("name", f"Reason {code}"), parent=parent, **fields)
    return downtime_reason_save(downtime_reason=node, reason="test fixture")


def fact_production() -> FactProduction:
    return FactProduction.objects.create(
        equipment=equipment_unit(), product=product(), date=calendar_day(), shift=shift(), started_at=STARTED,
        ended_at=STARTED + dt.timedelta(hours=2), produced_qty=100, good_qty=95, scrap_qty=5, pri_seconds=60,
    )


def fact_quality() -> FactQuality:
    return FactQuality.objects.create(
        kind="attribute", inspected_at=STARTED, equipment=equipment_unit(), product=product(), date=calendar_day(),
        inspected_qty=10, defective_qty=1, defect_type=defect_type(),
    )


def fact_scrap() -> FactScrap:
    return FactScrap.objects.create(
        occurred_at=STARTED, equipment=equipment_unit(), product=product(), date=calendar_day(),
        reason=defect_type(), quantity=3, unit=unit(),
    )


def fact_downtime() -> FactDowntime:
    return FactDowntime.objects.create(
        equipment=equipment_unit(), reason=downtime_reason(), date=calendar_day(), started_at=STARTED,
        ended_at=STARTED + dt.timedelta(minutes=30),
    )


def fact_sensor_event() -> FactSensorEvent:
    return FactSensorEvent.objects.create(time=STARTED, equipment=equipment_unit(), tag="temp", value=71.5)


def ontology_term() -> OntologyTerm:
    return OntologyTerm.objects.get_or_create(
        term="t-uptime", language="en", concept_type="metric", concept_code="T-OEE"
    )[0]


def audit_event() -> AuditLog:
    return AuditLog.objects.create(occurred_at=timezone.now(), action="import.completed", actor_label="tester")


def import_job():
    from mfgplatform.models import ImportJob

    return ImportJob.objects.create(
        model_label="production.Product", resource_path="production.resources.ProductResource", file_name="p.csv",
        content=b"code\n",
    )


def _group() -> Group:
    return Group.objects.get_or_create(name="Test group")[0]


def _user() -> User:
    return User.objects.get_or_create(username="someone")[0]


def _third_party(label: str) -> models.Model:
    """Rows of the third-party admins (Celery beat and results, axes)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )
    from django_celery_results.models import GroupResult, TaskResult

    now = timezone.now()
    makers: dict[str, Callable[[], models.Model]] = {
        "django_celery_beat.IntervalSchedule": lambda: IntervalSchedule.objects.create(every=5, period="minutes"),
        "django_celery_beat.CrontabSchedule": lambda: CrontabSchedule.objects.create(minute="0", hour="6"),
        "django_celery_beat.SolarSchedule": lambda: SolarSchedule.objects.create(
            event="sunrise", latitude=48.1, longitude=11.6
        ),
        "django_celery_beat.ClockedSchedule": lambda: ClockedSchedule.objects.create(clocked_time=now),
        "django_celery_beat.PeriodicTask": lambda: PeriodicTask.objects.create(
            name="test task", task="mfgplatform.noop",
            interval=IntervalSchedule.objects.create(every=1, period="hours"),
        ),
        "django_celery_results.TaskResult": lambda: TaskResult.objects.create(task_id="t-1", status="SUCCESS"),
        "django_celery_results.GroupResult": lambda: GroupResult.objects.create(group_id="g-1"),
        "axes.AccessAttempt": lambda: AccessAttempt.objects.create(
            username="x", ip_address="10.0.0.1", user_agent="ua", failures_since_start=1
        ),
        "axes.AccessLog": lambda: AccessLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="ua"),
        "axes.AccessFailureLog": lambda: AccessFailureLog.objects.create(
            username="x", ip_address="10.0.0.1", user_agent="ua"
        ),
    }
    return makers[label]()


ROW_FACTORIES: dict[str, Callable[[], models.Model]] = {
    "auth.Group": _group,
    "auth.User": _user,
    "mfgplatform.DimDate": calendar_day,
    "mfgplatform.DimTime": time_of_day,
    "mfgplatform.DimShift": shift,
    "mfgplatform.DimDateRange": date_range,
    "mfgplatform.DimUnitOfMeasure": unit,
    "mfgplatform.KpiDefinition": kpi,
    "mfgplatform.AuditLog": audit_event,
    "mfgplatform.ImportJob": import_job,
    "equipment.EquipmentClass": equipment_class,
    "equipment.Equipment": equipment_unit,
    "production.Product": product,
    "production.PlannedRunTime": planned_run_time,
    "production.FactProduction": fact_production,
    "quality.DefectType": defect_type,
    "quality.FactQuality": fact_quality,
    "quality.FactScrap": fact_scrap,
    "reliability.FailureMode": failure_mode,
    "reliability.FailureMechanism": failure_mechanism,
    "reliability.FailureCause": failure_cause,
    "reliability.DetectionMethod": detection_method,
    "reliability.MaintenanceActivity": maintenance_activity,
    "reliability.DowntimeReason": downtime_reason,
    "reliability.FactDowntime": fact_downtime,
    "reliability.FactSensorEvent": fact_sensor_event,
    "ontology.OntologyTerm": ontology_term,
}


def make_row(label: str) -> models.Model | None:
    """A row of the model, or None for a model this suite has no factory for (registered elsewhere)."""
    factory = ROW_FACTORIES.get(label)
    if factory is not None:
        return factory()
    try:
        return _third_party(label)
    except KeyError:
        return None


def _operations_rows() -> dict[str, Callable[[], models.Model]]:
    """Rows of the operations admins (report subscriptions, reports, deliveries, view refresh state)."""
    from mfgplatform.models import ComplianceReport, ReportDelivery, ReportSubscription, ViewSourceState
    from mfgplatform.models.operations import OperationsStatus

    def report() -> ComplianceReport:
        return ComplianceReport.objects.get_or_create(
            report_kind="iso_compliance", period_start=DAY, period_end=DAY,
            defaults={"period_kind": "daily", "generated_at": STARTED, "content_hash": "0" * 64,
                      "html": "<p>report</p>", "pdf": b"%PDF-", "summary": {"status": "ok", "sections": {}}},
        )[0]

    def state() -> ViewSourceState:
        return ViewSourceState.objects.get_or_create(
            view_name="mv_test", defaults={"source_signature": {}, "refreshed_at": STARTED, "checked_at": STARTED})[0]

    return {
        "mfgplatform.ReportSubscription": lambda: ReportSubscription.objects.create(
            name="Test board", recipients=["board@example.com"]),
        "mfgplatform.ComplianceReport": report,
        "mfgplatform.ReportDelivery": lambda: ReportDelivery.objects.create(
            report=report(), recipient="board@example.com", claimed_at=STARTED),
        "mfgplatform.ViewSourceState": state,
        "mfgplatform.OperationsStatus": lambda: OperationsStatus.objects.get(pk=state().pk),
    }


ROW_FACTORIES.update(_operations_rows())


def _ingest_token():
    from mfgplatform.models import IngestToken

    return IngestToken.issue("test-gateway")[0]


ROW_FACTORIES["mfgplatform.IngestToken"] = _ingest_token


def _question() -> models.Model:
    from ontology.models import QuestionLog

    return QuestionLog.objects.create(question="OEE of line 1 last week", language="en",
                                      channel=QuestionLog.Channel.choices[0][0],
                                      outcome=QuestionLog.Outcome.choices[0][0])


ROW_FACTORIES["ontology.QuestionLog"] = _question
