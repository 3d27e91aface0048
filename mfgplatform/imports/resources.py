"""Base django-import-export resources for master data.

A resource declares the file's columns (business codes for keys and foreign keys, never database
ids) and how cells convert. Exports go through the library with every formula-like cell escaped;
imports go through `CatalogImporter`, which validates the whole file before writing anything and
records history for every row.
"""

from __future__ import annotations

from typing import Any

import tablib
from django.db import models
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from ..hierarchy import paths_from_parents, repath_subtrees
from .escaping import escape_dataset

LOOKUP_CHUNK = 10_000


def code_field(attribute: str, model: type[models.Model], column_name: str | None = None) -> fields.Field:
    """A foreign key column holding the referenced row's business code."""
    return fields.Field(
        attribute=attribute, column_name=column_name or attribute, widget=ForeignKeyWidget(model, field="code")
    )


class MasterDataResource(resources.ModelResource):
    """A master-data file keyed by `code`; subclasses list their columns in `Meta.fields`."""

    class Meta:
        import_id_fields = ("code",)
        skip_unchanged = True
        clean_model_instances = True

    # --- the columns ---------------------------------------------------------------------------

    def importable_fields(self) -> list[fields.Field]:
        return [f for f in self.get_import_fields() if not f.readonly]

    def key_attributes(self) -> list[str]:
        return [self.fields[name].attribute for name in self._meta.import_id_fields]

    def self_reference_attribute(self) -> str | None:
        model = self._meta.model
        for import_field in self.importable_fields():
            widget = import_field.widget
            if isinstance(widget, ForeignKeyWidget) and widget.model is model:
                return import_field.attribute
        return None

    def foreign_attributes(self) -> list[str]:
        return [f.attribute for f in self.importable_fields() if isinstance(f.widget, ForeignKeyWidget)]

    def validation_exclusions(self) -> set[str]:
        """Model fields the file does not carry; `full_clean` leaves them alone."""
        carried = {f.attribute for f in self.importable_fields()}
        return {f.name for f in self._meta.model._meta.concrete_fields if f.name not in carried}

    # --- keys ----------------------------------------------------------------------------------

    def key_of(self, values: dict[str, Any]) -> tuple:
        return tuple(
            value.pk if isinstance(value, models.Model) else value
            for value in (values[attribute] for attribute in self.key_attributes())
        )

    def key_of_instance(self, instance: models.Model) -> tuple:
        opts = self._meta.model._meta
        return tuple(getattr(instance, opts.get_field(attribute).attname) for attribute in self.key_attributes())

    def existing_by_key(self, keys: list[tuple]) -> dict[tuple, models.Model]:
        """The stored rows the keys match, with their foreign keys loaded (one query per chunk)."""
        manager = self._meta.model._default_manager.select_related(*self.foreign_attributes())
        found: dict[tuple, models.Model] = {}
        if len(self.key_attributes()) == 1:
            attribute = self.key_attributes()[0]
            values = [key[0] for key in keys]
            for start in range(0, len(values), LOOKUP_CHUNK):
                for obj in manager.filter(**{f"{attribute}__in": values[start:start + LOOKUP_CHUNK]}):
                    found[self.key_of_instance(obj)] = obj
            return found
        wanted = set(keys)
        for obj in manager.all().iterator(chunk_size=LOOKUP_CHUNK):
            key = self.key_of_instance(obj)
            if key in wanted:
                found[key] = obj
        return found

    # --- hooks for the importer ----------------------------------------------------------------

    def validate_rows(self, importer, rows, result) -> None:
        """Checks across rows or beyond the model (attribute schemas, tree cycles)."""

    def before_write(self, instance: models.Model) -> None:
        """Last adjustments to an instance right before it is written."""

    def after_write(self, importer, rows, *, with_history: bool) -> int:
        """Writes that follow from the file's rows (re-pathing subtrees); returns rows changed."""
        return 0

    # --- export --------------------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        queryset = super().filter_export(queryset, **kwargs)
        return queryset.select_related(*self.foreign_attributes())

    def export(self, queryset=None, **kwargs) -> tablib.Dataset:
        return escape_dataset(super().export(queryset, **kwargs))


class TreeResource(MasterDataResource):
    """A code tree with a materialized `path` (equipment, downtime reasons).

    Paths are computed for the final tree (stored rows overlaid by the file), so a file may move
    nodes, create parents below their children's rows and rename codes; a cycle is a row error.
    Rows outside the file whose ancestor moves are re-pathed after the write, with history.
    """

    parent_attribute = "parent"

    def validate_rows(self, importer, rows, result) -> None:
        from .engine import RowError

        model = self._meta.model
        stored = {
            code: (parent_code, path)
            for code, parent_code, path in model._default_manager.values_list("code", "parent__code", "path")
        }
        parent_of = {code: parent for code, (parent, _path) in stored.items()}
        for row in rows:
            parent = getattr(row.instance, self.parent_attribute)
            parent_of[row.instance.code] = parent.code if parent is not None else None
        paths = paths_from_parents(parent_of)

        column = next(f.column_name for f in self.importable_fields() if f.attribute == self.parent_attribute)
        limit = model._meta.get_field("path").max_length
        for row in rows:
            path = paths[row.instance.code]
            if path is None:
                result.errors.append(RowError(row.number, column, "This parent makes the tree circular."))
                continue
            if len(path) > limit:
                result.errors.append(RowError(row.number, column, f"The full path would exceed {limit} characters."))
                continue
            if row.is_new or row.instance.path != path:
                if not row.is_new:
                    row.changed["path"] = (row.instance.path, path)
                row.instance.path = path

    def after_write(self, importer, rows, *, with_history: bool) -> int:
        moves = {row.changed["path"][0]: row.instance.path for row in rows
                 if "path" in row.changed and not row.is_new}
        return repath_subtrees(self._meta.model, moves, exclude_codes={row.instance.code for row in rows},
                               user=importer.user, reason=importer.reason, with_history=with_history)
