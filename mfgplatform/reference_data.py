"""Loading reference data together with its audit trail.

Reference rows (calendar, units, KPI catalog, ISO code lists, reason tree, ontology terms) are
inserted with `bulk_create`, which sends no signals, so django-simple-history would record
nothing. These helpers write each row's creation history record ("+", a change reason, no user)
in the same pass, which keeps the audit trail complete from the first row on.

Every function takes an app registry instead of importing models: a command passes
`django.apps.apps`. The data migrations call the frozen copy of these helpers as released
(mfgplatform/migrations/frozen/reference_data_v1.py), so this module may change with the product.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.management.base import CommandError
from django.db import IntegrityError, connections, models, transaction
from django.utils import timezone
from psycopg import sql

from . import calendar

DEFAULT_BATCH_SIZE = 1000
# history_change_reason is a varchar(100) in every history table.
MAX_REASON_LENGTH = 100


def reference_reason(source: str) -> str:
    """The change reason of rows loaded by `source` (a migration or command name)."""
    reason = f"reference data: {source}"
    if len(reason) > MAX_REASON_LENGTH:
        raise ValueError(f"change reason longer than {MAX_REASON_LENGTH} characters: {reason!r}")
    return reason


def _models(apps, app_label: str, model_name: str) -> tuple[type[models.Model], type[models.Model]]:
    return apps.get_model(app_label, model_name), apps.get_model(app_label, f"Historical{model_name}")


def _copied_attnames(model: type[models.Model]) -> list[str]:
    # Generated columns are computed by the database in both tables and cannot be inserted.
    return [field.attname for field in model._meta.concrete_fields if not getattr(field, "generated", False)]


def bulk_load_with_history(
    apps,
    app_label: str,
    model_name: str,
    rows: Iterable[Mapping[str, Any]],
    reason: str,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    user_id: int | None = None,
) -> list[models.Model]:
    """Insert `rows` (field values by name) and one creation history record per row, recorded under
    `user_id` (a command passes the system account; migrations run before any account exists).

    Returns the saved instances with their primary keys, so callers can resolve foreign keys of
    the next level (tree children, derived units) by code.
    """
    model, history_model = _models(apps, app_label, model_name)
    instances = model.objects.bulk_create([model(**row) for row in rows], batch_size=batch_size)
    attnames = _copied_attnames(model)
    recorded_at = timezone.now()
    history_model.objects.bulk_create(
        [
            history_model(
                **{name: getattr(instance, name) for name in attnames},
                history_date=recorded_at,
                history_type="+",
                history_change_reason=reason,
                history_user_id=user_id,
            )
            for instance in instances
        ],
        batch_size=batch_size,
    )
    return instances


class ReferenceDataInUse(CommandError):
    """Reference rows cannot be unloaded because other rows still use them.

    A CommandError, so `manage.py migrate` prints the message alone instead of a traceback."""


def _in_use_message(model, cursor, table: str, where: sql.Composable, params: list) -> str:
    """Which tables still reference the rows selected by `where`, found through the catalog."""
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, a.attname, fa.attname
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
         WHERE c.contype = 'f' AND c.confrelid = %s::regclass AND cardinality(c.conkey) = 1
           AND c.connamespace = 'public'::regnamespace  -- the hypertable, not its chunks
         ORDER BY 1
        """,
        [table],
    )
    users = []
    for referencing, column, referenced in cursor.fetchall():
        cursor.execute(
            sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE {} IN (SELECT {} FROM {} WHERE {}))").format(
                sql.SQL(referencing), sql.Identifier(column), sql.Identifier(referenced), sql.Identifier(table),
                where,
            ),
            params,
        )
        if cursor.fetchone()[0] and referencing != table:
            users.append(referencing)
    return (
        f"Cannot remove the reference data of {table} ({model._meta.label}): rows are still used by "
        f"{', '.join(users) or 'other rows'}. Migrating back past this point would orphan that data. "
        "Take a backup (manage.py backup), then delete the rows that use it first, or restore a backup "
        "taken before this migration instead."
    )


def _delete_with_creation_history(model, history_model, where: sql.Composable, params: list, reason: str) -> int:
    """Delete the rows selected by `where` and their creation history records, in SQL.

    Plain SQL on the two tables alone, not the ORM: Django unapplies migrations with model states in
    which other apps' models (facts that point here) still exist although their tables are already
    gone, and an ORM delete would query them. Rows that are still referenced make the foreign key
    refuse the delete; that is reported as `ReferenceDataInUse` naming the tables that use them.
    """
    table, history_table = model._meta.db_table, history_model._meta.db_table
    pk = model._meta.pk.column
    connection = connections[model.objects.db]
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                # Foreign keys are deferred to commit by default; check them at the DELETE instead.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(
                    sql.SQL("DELETE FROM {} WHERE {} RETURNING {}").format(
                        sql.Identifier(table), where, sql.Identifier(pk)
                    ),
                    params,
                )
                pks = [row[0] for row in cursor.fetchall()]
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        except IntegrityError as error:
            raise ReferenceDataInUse(_in_use_message(model, cursor, table, where, params)) from error
        cursor.execute(
            sql.SQL(
                "DELETE FROM {} WHERE {} = ANY(%s) AND history_type = '+' AND history_change_reason = %s"
            ).format(sql.Identifier(history_table), sql.Identifier(pk)),
            [pks, reason],
        )
    return len(pks)


def delete_by_codes(
    apps,
    app_label: str,
    model_name: str,
    codes: Iterable[Any],
    reason: str,
    *,
    key_field: str = "code",
) -> int:
    """Delete the rows whose `key_field` is in `codes`, with the creation history records that
    `bulk_load_with_history` wrote for them under `reason`. Returns the number of rows deleted.

    History of later edits stays: it is evidence of what happened to the rows.
    """
    model, history_model = _models(apps, app_label, model_name)
    column = model._meta.get_field(key_field).column
    where = sql.SQL("{} = ANY(%s)").format(sql.Identifier(column))
    return _delete_with_creation_history(model, history_model, where, [list(codes)], reason)


def delete_by_keys(
    apps,
    app_label: str,
    model_name: str,
    keys: Iterable[Mapping[str, Any]],
    reason: str,
) -> int:
    """Like `delete_by_codes` for tables keyed by several fields (each key maps field to value)."""
    model, history_model = _models(apps, app_label, model_name)
    keys = list(keys)
    if not keys:
        return 0
    fields = list(keys[0])
    columns = sql.SQL(", ").join(sql.Identifier(model._meta.get_field(name).column) for name in fields)
    row = sql.SQL("({})").format(sql.SQL(", ").join(sql.Placeholder() * len(fields)))
    where = sql.SQL("({}) IN (VALUES {})").format(columns, sql.SQL(", ").join([row] * len(keys)))
    params = [key[name] for key in keys for name in fields]
    return _delete_with_creation_history(model, history_model, where, params, reason)


def ids_by_code(apps, app_label: str, model_name: str, *, key_field: str = "code") -> dict[Any, int]:
    """Primary keys by business code, for resolving foreign keys while loading."""
    model = apps.get_model(app_label, model_name)
    return dict(model.objects.values_list(key_field, model._meta.pk.name))


# --- calendar --------------------------------------------------------------------------------------


def date_keys(start: dt.date, end: dt.date) -> list[int]:
    """The dim_date keys (YYYYMMDD) of start..end inclusive."""
    return [calendar.date_key(start + dt.timedelta(days=offset)) for offset in range((end - start).days + 1)]


def load_calendar_days(
    apps,
    start: dt.date,
    end: dt.date,
    *,
    fiscal_start_month: int,
    holiday_country: str,
    reason: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    user_id: int | None = None,
) -> int:
    """Insert the dim_date rows of start..end that do not exist yet; returns how many were inserted.

    Existing days are left as they are (a later change of holiday country or fiscal start does not
    rewrite history), so running it twice inserts nothing the second time.
    """
    if end < start:
        raise ValueError(f"calendar end {end} is before its start {start}")
    dim_date = apps.get_model("mfgplatform", "DimDate")
    with transaction.atomic(using=dim_date.objects.db):
        existing = set(dim_date.objects.filter(date__range=(start, end)).values_list("date_key", flat=True))
        holidays = calendar.holiday_calendar(holiday_country, start, end)
        missing = [
            row
            for row in calendar.date_rows(start, end, fiscal_start_month=fiscal_start_month, holidays=holidays)
            if row["date_key"] not in existing
        ]
        bulk_load_with_history(
            apps, "mfgplatform", "DimDate", missing, reason, batch_size=batch_size, user_id=user_id
        )
    return len(missing)


def load_times_of_day(apps, reason: str) -> int:
    """Insert the 1,440 dim_time rows; returns how many were inserted."""
    rows = list(calendar.time_rows())
    bulk_load_with_history(apps, "mfgplatform", "DimTime", rows, reason, batch_size=len(rows))
    return len(rows)
