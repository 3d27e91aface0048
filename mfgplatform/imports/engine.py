"""The catalog import engine: validate a whole file in bulk, then write it all or nothing with history.

A django-import-export resource declares the columns, their widgets and the business key. The
engine replaces the library's row-by-row pipeline (one query per foreign key and per row, history
lost in bulk mode) with set-based steps:

1. headers: every declared column must be present, and no unknown one (checked before any row);
2. lookups: one query for the rows the keys match, one per referenced table for the codes used;
3. rows: cell conversion by the resource's widgets, model field validation and `clean()`, the
   resource's own checks (attribute schemas, tree cycles), duplicate keys inside the file;
4. write: `bulk_create_with_history` / `bulk_update_with_history`, every history record with the
   importing user and a reason naming the file. Unchanged rows are not written at all, so a
   re-import changes nothing.

Any row error and nothing is written; the errors list every bad row with its row number (as the
spreadsheet numbers it, header = 1), column and reason. Database constraints are checked by the
write itself; a violation rolls everything back and a per-row diagnosis names the rows.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from import_export.widgets import ForeignKeyWidget
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .. import bounds
from ..hierarchy import history_reason
from .files import Table

BATCH_SIZE = 2000
PREVIEW_LIMIT = 100
LOOKUP_CHUNK = 10_000

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number; the header is row 1
    column: str  # column name, or "" for a problem with the row as a whole
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    total_rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    header_errors: list[str] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    repathed: int = 0  # rows outside the file whose path changed because an ancestor moved
    written: bool = False

    @property
    def is_valid(self) -> bool:
        return not self.errors and not self.header_errors

    def counts(self) -> dict[str, int]:
        return {"total": self.total_rows, "new": self.new, "updated": self.updated, "unchanged": self.unchanged,
                "repathed": self.repathed, "errors": len(self.errors) + len(self.header_errors)}


class HeaderMismatch(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(getattr(value, "code", value.pk))
    return str(value)


def _normalized(value: Any) -> Any:
    """A comparable form: 1.50 == 1.5 for decimals, so re-importing an export changes nothing."""
    if isinstance(value, decimal.Decimal):
        return value.normalize()
    return value


@dataclass
class _Row:
    number: int
    key: tuple
    instance: models.Model
    is_new: bool
    changed: dict[str, tuple[Any, Any]]
    parent_key: Any = None  # for self-referencing resources: the code of the parent in this import


class CatalogImporter:
    """Imports one table into the model of `resource` (a MasterDataResource)."""

    def __init__(self, resource, *, user=None, reason: str = "", progress: ProgressCallback | None = None):
        self.resource = resource
        self.model: type[models.Model] = resource._meta.model
        self.user = user if user is not None and getattr(user, "is_authenticated", False) else None
        self.reason = history_reason(reason)
        self.progress = progress or (lambda done, total: None)
        self.fields = resource.importable_fields()
        self.columns = [f.column_name for f in self.fields]
        self.key_attributes = list(resource.key_attributes())
        self.self_fk = resource.self_reference_attribute()

    # --- headers -------------------------------------------------------------------------------

    def check_header(self, header: list[str]) -> list[str]:
        problems = []
        missing = [column for column in self.columns if column not in header]
        unknown = [column for column in header if column and column not in self.columns]
        duplicated = sorted({column for column in header if column and header.count(column) > 1})
        if missing:
            problems.append("Missing required column(s): " + ", ".join(missing) + ".")
        if unknown:
            problems.append("Unknown column(s): " + ", ".join(unknown) + ". Expected: " + ", ".join(self.columns) + ".")
        if duplicated:
            problems.append("Column(s) given more than once: " + ", ".join(duplicated) + ".")
        return problems

    # --- lookups -------------------------------------------------------------------------------

    def _foreign_maps(self, table: Table, positions: dict[str, int]) -> dict[str, dict[str, models.Model]]:
        maps: dict[str, dict[str, models.Model]] = {}
        for import_field in self.fields:
            widget = import_field.widget
            if not isinstance(widget, ForeignKeyWidget):
                continue
            index = positions[import_field.column_name]
            # Short rows and unstorable text are reported per row; they are not looked up.
            cells = (str(row[index]).strip() for row in table.rows if row is not None and len(row) > index)
            codes = {code for code in cells if code and bounds.text_reason(code) is None}
            lookup = widget.field
            found: dict[str, models.Model] = {}
            codes_list = sorted(codes)
            for start in range(0, len(codes_list), LOOKUP_CHUNK):
                chunk = codes_list[start:start + LOOKUP_CHUNK]
                for obj in widget.model._default_manager.filter(**{f"{lookup}__in": chunk}):
                    found[str(getattr(obj, lookup))] = obj
            maps[import_field.attribute] = found
        return maps

    def _existing(self, keys: Iterable[tuple]) -> dict[tuple, models.Model]:
        return self.resource.existing_by_key(list(keys))

    # --- the run -------------------------------------------------------------------------------

    def run(self, table: Table, *, dry_run: bool) -> ImportResult:
        result = ImportResult(total_rows=sum(row is not None for row in table.rows))
        result.header_errors = self.check_header(table.header)
        if result.header_errors:
            return result
        positions = {column: table.header.index(column) for column in self.columns}
        foreign = self._foreign_maps(table, positions)
        # Every check runs on every row it can, so one pass reports all the file's problems.
        rows = self._convert(table, positions, foreign, result)
        self._link_pending(rows, result)
        self.resource.validate_rows(self, rows, result)
        self._validate_models(rows, result)
        if result.errors:
            result.errors.sort(key=lambda error: error.row)
            return result
        result.new = sum(row.is_new for row in rows)
        result.updated = sum(1 for row in rows if not row.is_new and row.changed)
        result.unchanged = len(rows) - result.new - result.updated
        result.preview = self._preview(rows)
        self._write(rows, result, dry_run=dry_run)
        return result

    def _convert(self, table: Table, positions, foreign, result: ImportResult) -> list[_Row]:
        key_columns = [f.column_name for f in self.fields if f.attribute in self.key_attributes]
        parsed: list[tuple[int, dict[str, Any]]] = []
        for offset, cells in enumerate(table.rows):
            if cells is None:
                continue
            number = offset + 2
            errors_before = len(result.errors)
            if shape_error := _shape_error(cells, len(table.header)):
                result.errors.append(RowError(number, "", shape_error))
                continue
            values: dict[str, Any] = {}
            for import_field in self.fields:
                raw = cells[positions[import_field.column_name]]
                if isinstance(raw, str) and (reason := bounds.text_reason(raw)):
                    result.errors.append(RowError(number, import_field.column_name, _sentence(reason)))
                    continue
                # Only spaces are trimmed: a leading tab or line break may be part of a value.
                text = raw.strip(" ") if isinstance(raw, str) else raw
                try:
                    values[import_field.attribute] = self._clean_cell(import_field, text, foreign, number)
                except ValidationError as error:
                    for message in error.messages:
                        result.errors.append(RowError(number, import_field.column_name, message))
                except (ValueError, TypeError, decimal.InvalidOperation, ArithmeticError) as error:
                    result.errors.append(RowError(number, import_field.column_name, _widget_message(error)))
            if len(result.errors) == errors_before:
                parsed.append((number, values))
        keys_seen: dict[tuple, int] = {}
        for number, values in parsed:
            key = self.resource.key_of(values)
            if key in keys_seen:
                message = f"Duplicate key {self._key_label(key)}: already on row {keys_seen[key]}."
                result.errors.append(RowError(number, ", ".join(key_columns), message))
            else:
                keys_seen[key] = number
        existing = self._existing(keys_seen)
        rows = []
        for done, (number, values) in enumerate(parsed, start=1):
            key = self.resource.key_of(values)
            if keys_seen[key] != number:
                continue  # a duplicate, already reported
            instance = existing.get(key)
            is_new = instance is None
            if is_new:
                instance = self.model()
            changed = {}
            for attribute, value in values.items():
                if attribute == self.self_fk and isinstance(value, _PendingReference):
                    continue
                old = getattr(instance, attribute) if not is_new else None
                if is_new or _normalized(old) != _normalized(value):
                    changed[attribute] = (old, value)
                    setattr(instance, attribute, value)
            pending = values.get(self.self_fk) if self.self_fk else None
            row = _Row(number, key, instance, is_new, changed)
            if isinstance(pending, _PendingReference):
                row.parent_key = pending.code
                current = getattr(instance, f"{self.self_fk}_id", None) if not is_new else None
                row.changed[self.self_fk] = (current, pending.code)
            rows.append(row)
            if done % 5000 == 0:
                self.progress(done, len(parsed) * 2)
        return rows

    def _link_pending(self, rows: list[_Row], result: ImportResult) -> None:
        """Point references to parents defined elsewhere in the file at those rows' instances."""
        if not self.self_fk:
            return
        by_key = {row.key: row for row in rows}
        column = next(f.column_name for f in self.fields if f.attribute == self.self_fk)
        for row in rows:
            if row.parent_key is None:
                continue
            parent = by_key.get((row.parent_key,))
            if parent is None:
                verbose = self.model._meta.verbose_name
                result.errors.append(RowError(row.number, column, f"No {verbose} with code {row.parent_key!r}."))
            else:
                setattr(row.instance, self.self_fk, parent.instance)

    def _clean_cell(self, import_field, value: Any, foreign, number: int) -> Any:
        widget = import_field.widget
        model_field = self._model_field(import_field.attribute)
        if isinstance(widget, ForeignKeyWidget):
            code = "" if value is None else str(value).strip()
            if not code:
                return None
            target = foreign[import_field.attribute].get(code)
            if target is None:
                if import_field.attribute == self.self_fk:
                    return _PendingReference(code)
                raise ValidationError(f"No {widget.model._meta.verbose_name} with code {code!r}.")
            return target
        if value in ("", None):
            if model_field is not None and model_field.null:
                return None
            if model_field is not None and isinstance(model_field, models.CharField | models.TextField):
                return ""
            if model_field is not None and model_field.has_default():
                return model_field.get_default()
            raise ValidationError("A value is required.")
        if model_field is not None and isinstance(model_field, models.BooleanField):
            return _boolean(value)
        try:
            return widget.clean(value)
        except (ValueError, TypeError, ArithmeticError) as error:
            raise ValidationError(_conversion_message(model_field, value, error)) from None

    def _model_field(self, attribute: str) -> models.Field | None:
        try:
            return self.model._meta.get_field(attribute)
        except Exception:
            return None

    def _key_label(self, key: tuple) -> str:
        return "/".join(_display(part) for part in key)

    def _validate_models(self, rows: list[_Row], result: ImportResult) -> None:
        column_of = {f.attribute: f.column_name for f in self.fields}
        # Foreign keys were resolved from the lookup maps; Django's own check would query per row.
        excluded = set(self.resource.validation_exclusions()) | {
            f.name for f in self.model._meta.concrete_fields if f.is_relation
        }
        for done, row in enumerate(rows, start=1):
            if not row.is_new and not row.changed:
                continue
            problems = bounds.row_problems(row.instance)
            for name, reason in problems.items():
                result.errors.append(RowError(row.number, column_of.get(name, name), _sentence(reason)))
            if problems:
                continue
            try:
                row.instance.full_clean(exclude=excluded, validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    column = "" if name == NON_FIELD_ERRORS else column_of.get(name, name)
                    for message in messages:
                        result.errors.append(RowError(row.number, column, message))
            if done % 5000 == 0:
                self.progress(len(rows) + done // 2, len(rows) * 2)

    def _preview(self, rows: list[_Row]) -> list[dict[str, Any]]:
        column_of = {f.attribute: f.column_name for f in self.fields}
        preview = []
        for row in rows:
            if not row.is_new and not row.changed:
                continue
            preview.append({
                "row": row.number,
                "key": self._key_label(row.key),
                "action": "new" if row.is_new else "update",
                "changes": {
                    column_of.get(name, name): [_display(old), _display(new)]
                    for name, (old, new) in row.changed.items() if name in column_of
                },
            })
            if len(preview) >= PREVIEW_LIMIT:
                break
        return preview

    # --- writing -------------------------------------------------------------------------------

    def _write(self, rows: list[_Row], result: ImportResult, *, dry_run: bool) -> None:
        try:
            with transaction.atomic():
                self._write_rows(rows, with_history=not dry_run)
                result.repathed = self.resource.after_write(self, rows, with_history=not dry_run)
                if dry_run:
                    transaction.set_rollback(True)
        except IntegrityError as error:
            result.errors.extend(self._diagnose(rows) or [RowError(0, "", _integrity_message(error))])
            return
        except ValidationError as error:
            result.errors.extend(RowError(0, "", message) for message in error.messages)
            return
        result.written = not dry_run

    def _write_rows(self, rows: list[_Row], *, with_history: bool) -> None:
        now = timezone.now()
        new_rows = [row for row in rows if row.is_new]
        changed_rows = [row for row in rows if not row.is_new and row.changed]
        total = len(new_rows) + len(changed_rows)
        done = 0
        by_key = {row.key: row for row in rows}
        for level in self._levels(new_rows, by_key):
            for row in level:
                if row.parent_key is not None:
                    setattr(row.instance, self.self_fk, by_key[(row.parent_key,)].instance)
                self.resource.before_write(row.instance)
            for start in range(0, len(level), BATCH_SIZE):
                batch = [row.instance for row in level[start:start + BATCH_SIZE]]
                self._create(batch, with_history=with_history, when=now)
                done += len(batch)
                self.progress(total + done, total * 2 or 1)
        if changed_rows:
            fields = sorted({name for row in changed_rows for name in row.changed} | {"updated_at"})
            fields = [name for name in fields if self._model_field(name) is not None]
            for row in changed_rows:
                if row.parent_key is not None:
                    setattr(row.instance, self.self_fk, by_key[(row.parent_key,)].instance)
                self.resource.before_write(row.instance)
                if hasattr(row.instance, "updated_at"):
                    row.instance.updated_at = now
            if "path" in {f.name for f in self.model._meta.concrete_fields}:
                fields = sorted(set(fields) | {"path"})
            for start in range(0, len(changed_rows), BATCH_SIZE):
                batch = [row.instance for row in changed_rows[start:start + BATCH_SIZE]]
                self._update(batch, fields, with_history=with_history, when=now)
                done += len(batch)
                self.progress(total + done, total * 2 or 1)

    def _levels(self, new_rows: list[_Row], by_key: dict[tuple, _Row]) -> list[list[_Row]]:
        """New rows grouped so that a parent created by this import is inserted before its children."""
        if not self.self_fk:
            return [new_rows]
        depth: dict[tuple, int] = {}

        def depth_of(row: _Row) -> int:
            if row.key in depth:
                return depth[row.key]
            parent = by_key.get((row.parent_key,)) if row.parent_key is not None else None
            depth[row.key] = 0 if parent is None or not parent.is_new else depth_of(parent) + 1
            return depth[row.key]

        levels: dict[int, list[_Row]] = {}
        for row in new_rows:
            levels.setdefault(depth_of(row), []).append(row)
        return [levels[level] for level in sorted(levels)]

    def _create(self, batch: list[models.Model], *, with_history: bool, when: dt.datetime) -> None:
        if with_history:
            bulk_create_with_history(batch, self.model, batch_size=BATCH_SIZE, default_user=self.user,
                                     default_change_reason=self.reason, default_date=when)
        else:
            self.model._default_manager.bulk_create(batch, batch_size=BATCH_SIZE)

    def _update(self, batch: list[models.Model], fields: list[str], *, with_history: bool, when: dt.datetime) -> None:
        if with_history:
            bulk_update_with_history(batch, self.model, fields, batch_size=BATCH_SIZE, default_user=self.user,
                                     default_change_reason=self.reason, default_date=when)
        else:
            self.model._default_manager.bulk_update(batch, fields, batch_size=BATCH_SIZE)

    def _diagnose(self, rows: list[_Row]) -> list[RowError]:
        """After a constraint violation: check each written row's constraints one by one."""
        column_of = {f.attribute: f.column_name for f in self.fields}
        errors = []
        for row in rows:
            if not row.is_new and not row.changed:
                continue
            try:
                row.instance.validate_constraints()
                row.instance.validate_unique()
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    column = "" if name == NON_FIELD_ERRORS else column_of.get(name, name)
                    errors.extend(RowError(row.number, column, message) for message in messages)
        return errors


@dataclass(frozen=True)
class _PendingReference:
    """A self-reference to a row created by the same import (a parent defined further down the file)."""

    code: str


def _sentence(reason: str) -> str:
    """A bounds reason ("contains a NUL character") as the report's sentence."""
    return reason[:1].upper() + reason[1:] + "."


def _shape_error(cells: list[Any], width: int) -> str | None:
    """A row must have a cell per header column: a short row would misalign the columns it lacks,
    and a value beyond the header would be dropped without a word. Empty trailing cells are fine."""
    if len(cells) < width:
        return f"The row has {len(cells)} cell(s); the header has {width} column(s)."
    extra = [cell for cell in cells[width:] if cell not in (None, "")]
    if extra:
        return f"The row has {len(extra)} value(s) beyond the header's {width} column(s)."
    return None


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "y"}:
        return True
    if text in {"0", "false", "no", "n"}:
        return False
    raise ValidationError(f"{value!r} is not a yes/no value (use true/false, yes/no or 1/0).")


def _conversion_message(model_field: models.Field | None, value: Any, error: Exception) -> str:
    if isinstance(model_field, models.IntegerField):
        return f"{value!r} is not a whole number."
    if isinstance(model_field, models.DecimalField | models.FloatField):
        return f"{value!r} is not a number."
    if isinstance(model_field, models.DateTimeField):
        return f"{value!r} is not a date and time (use YYYY-MM-DD HH:MM:SS)."
    if isinstance(model_field, models.DateField):
        return f"{value!r} is not a date (use YYYY-MM-DD)."
    if isinstance(model_field, models.TimeField):
        return f"{value!r} is not a time of day (use HH:MM)."
    if isinstance(model_field, models.JSONField):
        return f"{value!r} is not valid JSON."
    return _widget_message(error)


def _widget_message(error: Exception) -> str:
    text = str(error).strip()
    return text or f"Invalid value ({type(error).__name__})."


def _integrity_message(error: IntegrityError) -> str:
    cause = getattr(error, "__cause__", None)
    diag = getattr(cause, "diag", None)
    primary = getattr(diag, "message_primary", None)
    return f"The database rejected the file: {primary or error}."
