"""Typed form fields for an equipment's attributes, generated from its class's attribute schema.

Each property of the class's JSON Schema becomes one form field named `attr__<property>`: a number
field with its minimum and maximum, a whole-number field, a choice of the `enum`, a text field with its
length and pattern, a yes/no choice, or a comma-separated list for an array. The label is the
property's `title` with its `unit`. Keys the schema does not describe stay editable as JSON
("other attributes"). The schema check of the save service still runs on the assembled object, so a
form can never store what an import would refuse; its messages land on the attribute's own field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator

PREFIX = "attr__"
_BOOLEAN_CHOICES = [("", "—"), ("true", "Yes"), ("false", "No")]


def field_name(prop: str) -> str:
    return f"{PREFIX}{prop}"


def schema_properties(schema: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The schema's properties that get a typed field (objects stay in the JSON of other attributes)."""
    properties = (schema or {}).get("properties") or {}
    return {name: spec for name, spec in properties.items()
            if isinstance(spec, dict) and _type(spec) != "object"}


def _type(spec: dict[str, Any]) -> str:
    kind = spec.get("type", "string")
    if isinstance(kind, list):  # ["number", "null"]: the first that is not null
        kind = next((item for item in kind if item != "null"), "string")
    return kind


def _label(name: str, spec: dict[str, Any]) -> str:
    label = spec.get("title") or name.replace("_", " ")
    return f"{label} ({spec['unit'].replace('_per_', '/')})" if spec.get("unit") else label


def _bounds(spec: dict[str, Any]) -> dict[str, Any]:
    bounds = {}
    if "minimum" in spec:
        bounds["min_value"] = spec["minimum"]
    if "maximum" in spec:
        bounds["max_value"] = spec["maximum"]
    return bounds


def build_field(name: str, spec: dict[str, Any], required: bool) -> forms.Field:
    common = {"label": _label(name, spec), "required": required,
              "help_text": spec.get("description", "") or f"attribute “{name}”"}
    kind = _type(spec)
    if "enum" in spec:
        choices = [("", "—")] * (not required) + [(str(option), str(option)) for option in spec["enum"]]
        originals = {str(option): option for option in spec["enum"]}
        return forms.TypedChoiceField(choices=choices, coerce=originals.get, empty_value=None, **common)
    if kind == "integer":
        return forms.IntegerField(**_bounds(spec), **common)
    if kind == "number":
        return forms.FloatField(**_bounds(spec), **common)
    if kind == "boolean":
        return forms.TypedChoiceField(choices=_BOOLEAN_CHOICES, coerce=lambda value: value == "true",
                                      empty_value=None, **common)
    if kind == "array":
        return ListField(item_type=_type(spec.get("items") or {}), **common)
    validators = [RegexValidator(spec["pattern"], f"must match the pattern {spec['pattern']}")] \
        if "pattern" in spec else []
    return forms.CharField(min_length=spec.get("minLength"), max_length=spec.get("maxLength"),
                           validators=validators, **common)


class ListField(forms.CharField):
    """A JSON array typed as comma-separated values, each converted to the schema's item type."""

    def __init__(self, *, item_type: str, **kwargs):
        super().__init__(**kwargs)
        self.item_type = item_type
        self.help_text = f"{self.help_text}; comma-separated"

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        items = [item.strip() for item in text.split(",") if item.strip()]
        convert = {"integer": int, "number": float}.get(self.item_type, str)
        try:
            return [convert(item) for item in items]
        except ValueError:
            raise forms.ValidationError(f"each value must be a {self.item_type}") from None


def attribute_fields(schema: dict[str, Any] | None) -> dict[str, forms.Field]:
    required = set((schema or {}).get("required") or [])
    return {field_name(name): build_field(name, spec, name in required)
            for name, spec in schema_properties(schema).items()}


def split_attributes(attributes: dict[str, Any], schema: dict[str, Any] | None) -> tuple[dict, dict]:
    """(initial values of the typed fields, the other attributes) of a stored attributes object."""
    properties = schema_properties(schema)
    typed = {field_name(name): value for name, value in attributes.items() if name in properties}
    for name, value in typed.items():
        if isinstance(value, bool):
            typed[name] = "true" if value else "false"
    return typed, {name: value for name, value in attributes.items() if name not in properties}


def assemble(cleaned: dict[str, Any], others: dict[str, Any], schema: dict[str, Any] | None) -> dict[str, Any]:
    """The attributes object to store: the other attributes plus every typed field that has a value (a
    typed value wins over the same key typed into the JSON of other attributes)."""
    attributes = dict(others or {})
    for name in schema_properties(schema):
        value = cleaned.get(field_name(name))
        if value is not None and value != "":
            attributes[name] = value
    return attributes


def error_field(message: str) -> tuple[str | None, str]:
    """("attr__<property>", the reason) for a schema message "<property>: <reason>", else (None, message)."""
    path, separator, reason = message.partition(": ")
    if not separator:
        return None, message
    top = path.split(".")[0].split("[")[0]
    return field_name(top), reason if "." not in path and "[" not in path else f"{path}: {reason}"
