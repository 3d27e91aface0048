"""Relabel facts after a plant-calendar change (`manage.py rezone_calendar`): each fact's production day
(`date_key`) and shift label (`shift_id`) follow its instant in the new calendar, by the one rule
(`mfg_production_date`, `mfg_shift_at`). A shift label that did not follow the rule before the change — a
shift code given explicitly in a `load_facts` file — is kept as given.

Call `mark_rule_labels()` before the calendar functions change and `relabel()` after, in one transaction.
"""

from __future__ import annotations

from django.db import connection
from psycopg import sql

from .facts import fact_formats


def _labelled_tables() -> dict[str, str]:
    """fact table → the instant column that labels its rows."""
    return {spec.table: spec.labelled_by for spec in fact_formats().values() if spec.labelled_by}


def _marks(table: str) -> sql.Identifier:
    return sql.Identifier(f"rule_labelled_{table}")


def mark_rule_labels() -> None:
    """Remember, per fact table, the rows whose shift label is the rule's in the calendar still in force."""
    with connection.cursor() as cursor:
        for table, column in _labelled_tables().items():
            cursor.execute(sql.SQL(
                "CREATE TEMP TABLE {marks} ON COMMIT DROP AS SELECT id FROM {table} "
                "WHERE shift_id IS NOT DISTINCT FROM mfg_shift_at({column})"
            ).format(marks=_marks(table), table=sql.Identifier(table), column=sql.Identifier(column)))


def relabel() -> dict[str, int]:
    """Rewrite the labels that the calendar now in force gives differently; rows changed per table."""
    changed = {}
    with connection.cursor() as cursor:
        for table, column in _labelled_tables().items():
            cursor.execute(sql.SQL(
                """
                WITH label AS (
                    SELECT f.id, mfg_date_key(mfg_production_date(f.{column})) AS date_key,
                           CASE WHEN m.id IS NULL THEN f.shift_id ELSE mfg_shift_at(f.{column}) END AS shift_id
                      FROM {table} AS f LEFT JOIN {marks} AS m ON m.id = f.id)
                UPDATE {table} AS f SET date_key = label.date_key, shift_id = label.shift_id
                  FROM label
                 WHERE f.id = label.id
                   AND (f.date_key, f.shift_id) IS DISTINCT FROM (label.date_key, label.shift_id)
                """
            ).format(marks=_marks(table), table=sql.Identifier(table), column=sql.Identifier(column)))
            changed[table] = cursor.rowcount
    return changed
