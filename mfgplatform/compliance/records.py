"""Control of records (ISO 9001 7.5.3): data retention against policy and audit-trail completeness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone
from psycopg import sql

PROJECT_APPS = ("mfgplatform", "equipment", "production", "quality", "reliability", "ontology")


@dataclass(frozen=True)
class RetentionPolicy:
    table: str
    time_column: str
    retention_days: int | None  # None: kept indefinitely
    # How far past the cutoff data may legitimately remain: drop_chunks removes whole chunks only,
    # and a daily job runs up to a day late.
    tolerance: dt.timedelta = dt.timedelta(days=1)
    basis: str = ""


def retention_policies() -> list[RetentionPolicy]:
    keep = "quality records: kept for the life of the product (ISO 9001 7.5.3.2)"
    return [
        RetentionPolicy("fact_production", "started_at", None, basis=keep),
        RetentionPolicy("fact_downtime", "started_at", None, basis="failure history (ISO 14224 needs long series)"),
        RetentionPolicy("fact_quality", "inspected_at", None, basis=keep),
        RetentionPolicy("fact_scrap", "occurred_at", None, basis=keep),
        RetentionPolicy(
            "fact_sensor_event", "time", settings.SENSOR_RETENTION_DAYS, tolerance=dt.timedelta(days=2),
            basis="SENSOR_RETENTION_DAYS; dropped a whole chunk at a time",
        ),
        RetentionPolicy(
            "ingest_event_receipt", "received_at", settings.INGEST_RECEIPT_RETENTION_DAYS,
            basis="INGEST_RECEIPT_RETENTION_DAYS; the window in which a resent event is recognised",
        ),
        RetentionPolicy(
            "audit_log", "occurred_at", settings.AUDIT_LOG_RETENTION_DAYS,
            basis="AUDIT_LOG_RETENTION_DAYS; older events move to archive files",
        ),
    ]


@dataclass(frozen=True)
class RetentionStatus:
    policy: RetentionPolicy
    oldest: dt.datetime | None
    rows_over_policy: bool

    @property
    def policy_label(self) -> str:
        days = self.policy.retention_days
        return "kept indefinitely" if days is None else f"{days} days"

    @property
    def status(self) -> str:
        if self.oldest is None:
            return "empty"
        return "over policy" if self.rows_over_policy else "within policy"


def retention_status(now: dt.datetime | None = None) -> list[RetentionStatus]:
    """Per table: the policy and the oldest row actually held."""
    now = now or timezone.now()
    result = []
    with connection.cursor() as cursor:
        for policy in retention_policies():
            column, table = sql.Identifier(policy.time_column), sql.Identifier(policy.table)
            cursor.execute(sql.SQL("SELECT min({}) FROM {}").format(column, table))
            oldest = cursor.fetchone()[0]
            over = False
            if oldest is not None and policy.retention_days is not None:
                over = oldest < now - dt.timedelta(days=policy.retention_days) - policy.tolerance
            result.append(RetentionStatus(policy, oldest, over))
    return result


@dataclass(frozen=True)
class AuditTrailGap:
    model: str
    table: str
    rows: int
    rows_without_creation_record: int
    changes_without_user: int

    @property
    def is_complete(self) -> bool:
        return self.rows_without_creation_record == 0 and self.changes_without_user == 0


def history_tracked_models() -> list[tuple[type, type]]:
    """(model, history model) for every history-tracked model of the platform's apps."""
    pairs = []
    for model in apps.get_models():
        attribute = getattr(model._meta, "simple_history_manager_attribute", None)
        if attribute and model._meta.app_label in PROJECT_APPS:
            pairs.append((model, getattr(model, attribute).model))
    return sorted(pairs, key=lambda pair: pair[0]._meta.label)


def audit_trail_gaps(since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[AuditTrailGap]:
    """Per history-tracked model: rows that have no creation ('+') history record, and changes or
    deletions ('~', '-') recorded without a user. `since`/`until` limit the second count to changes
    recorded in that window."""
    result = []
    with connection.cursor() as cursor:
        for model, history in history_tracked_models():
            pk = model._meta.pk.column
            table, history_table = sql.Identifier(model._meta.db_table), sql.Identifier(history._meta.db_table)
            cursor.execute(
                sql.SQL(
                    """
                    SELECT count(*),
                           count(*) FILTER (WHERE NOT EXISTS (
                               SELECT 1 FROM {history} AS h WHERE h.{pk} = t.{pk} AND h.history_type = '+'))
                      FROM {table} AS t
                    """
                ).format(history=history_table, table=table, pk=sql.Identifier(pk))
            )
            rows, without_creation = cursor.fetchone()
            window, params = sql.SQL(""), []
            if since is not None:
                window += sql.SQL(" AND history_date >= %s")
                params.append(since)
            if until is not None:
                window += sql.SQL(" AND history_date < %s")
                params.append(until)
            cursor.execute(
                sql.SQL(
                    "SELECT count(*) FROM {history}"
                    " WHERE history_type IN ('~', '-') AND history_user_id IS NULL{window}"
                ).format(history=history_table, window=window),
                params,
            )
            without_user = cursor.fetchone()[0]
            result.append(AuditTrailGap(model._meta.label, model._meta.db_table, rows, without_creation, without_user))
    return result
