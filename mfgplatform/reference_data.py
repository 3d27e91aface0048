"""Loading reference data together with its audit trail.

Reference rows (calendar, units, KPI catalog, ISO code lists, reason tree, ontology terms) are
inserted with `bulk_create`, which sends no signals, so django-simple-history would record
nothing. These helpers write each row's creation history record ("+", a change reason, no user)
in the same pass, which keeps the audit trail complete from the first row on.

Every function takes an app registry instead of importing models: a data migration passes the
historical registry it receives (`apps`), a management command passes `django.apps.apps`. The
module is stable and free of app models, so data migrations may import it; that is a deliberate
exception to the rule that migrations carry their own code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

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
) -> list[models.Model]:
    """Insert `rows` (field values by name) and one creation history record per row.

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
                history_user_id=None,
            )
            for instance in instances
        ],
        batch_size=batch_size,
    )
    return instances


def _delete_with_creation_history(model, history_model, queryset, reason: str) -> int:
    pk_name = model._meta.pk.name
    pks = list(queryset.values_list(pk_name, flat=True))
    if not pks:
        return 0
    # Rows first: a row still referenced elsewhere raises ProtectedError before anything is lost.
    _total, deleted_by_model = model.objects.filter(pk__in=pks).delete()
    history_model.objects.filter(**{f"{pk_name}__in": pks}, history_type="+", history_change_reason=reason).delete()
    return deleted_by_model.get(model._meta.label, 0)


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
    queryset = model.objects.filter(**{f"{key_field}__in": list(codes)})
    return _delete_with_creation_history(model, history_model, queryset, reason)


def delete_by_keys(
    apps,
    app_label: str,
    model_name: str,
    keys: Iterable[Mapping[str, Any]],
    reason: str,
) -> int:
    """Like `delete_by_codes` for tables keyed by several fields (each key maps field to value)."""
    model, history_model = _models(apps, app_label, model_name)
    condition = models.Q(pk__in=[])
    for key in keys:
        condition |= models.Q(**key)
    return _delete_with_creation_history(model, history_model, model.objects.filter(condition), reason)


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
        bulk_load_with_history(apps, "mfgplatform", "DimDate", missing, reason, batch_size=batch_size)
    return len(missing)


def load_times_of_day(apps, reason: str) -> int:
    """Insert the 1,440 dim_time rows; returns how many were inserted."""
    rows = list(calendar.time_rows())
    bulk_load_with_history(apps, "mfgplatform", "DimTime", rows, reason, batch_size=len(rows))
    return len(rows)
