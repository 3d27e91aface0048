"""Validation of equipment JSON attributes against the JSON Schema of their equipment class.

Covers the subset of JSON Schema that equipment classes use: `type`, `properties`, `required`,
`additionalProperties` (boolean), `enum`, `minimum`/`maximum` and their exclusive forms,
`minLength`/`maxLength`, `pattern` and `items`. Each problem is reported with the attribute's path
("rated_power_kw", "seals[1]") so the admin and import reports can point at the offending key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_TYPE_CHECKS = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    # JSON has one number type; booleans are not numbers even though Python says so.
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "integer": lambda value: (isinstance(value, int) and not isinstance(value, bool))
    or (isinstance(value, float) and value.is_integer()),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def iter_schema_errors(value: Any, schema: dict[str, Any], path: str = "") -> Iterator[tuple[str, str]]:
    """Yield (attribute path, message) for every way `value` breaks `schema`."""
    label = path or "attributes"
    expected = schema.get("type")
    if expected is not None:
        types = expected if isinstance(expected, list) else [expected]
        if not any(_TYPE_CHECKS.get(name, lambda _v: True)(value) for name in types):
            yield label, f"must be of type {' or '.join(types)}"
            return
    if "enum" in schema and value not in schema["enum"]:
        yield label, "must be one of " + ", ".join(repr(option) for option in schema["enum"])
    if _TYPE_CHECKS["number"](value):
        yield from _number_errors(value, schema, label)
    if isinstance(value, str):
        yield from _string_errors(value, schema, label)
    if isinstance(value, dict):
        yield from _object_errors(value, schema, path)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from iter_schema_errors(item, schema["items"], _join(path, index))


def _number_errors(value: float, schema: dict[str, Any], label: str) -> Iterator[tuple[str, str]]:
    if "minimum" in schema and value < schema["minimum"]:
        yield label, f"must be at least {schema['minimum']}"
    if "maximum" in schema and value > schema["maximum"]:
        yield label, f"must be at most {schema['maximum']}"
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        yield label, f"must be greater than {schema['exclusiveMinimum']}"
    if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
        yield label, f"must be less than {schema['exclusiveMaximum']}"


def _string_errors(value: str, schema: dict[str, Any], label: str) -> Iterator[tuple[str, str]]:
    if "minLength" in schema and len(value) < schema["minLength"]:
        yield label, f"must have at least {schema['minLength']} characters"
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        yield label, f"must have at most {schema['maxLength']} characters"
    if "pattern" in schema and not re.search(schema["pattern"], value):
        yield label, f"must match the pattern {schema['pattern']}"


def _object_errors(value: dict[str, Any], schema: dict[str, Any], path: str) -> Iterator[tuple[str, str]]:
    properties: dict[str, Any] = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            yield _join(path, name), "is required"
    for name, item in value.items():
        if name in properties:
            yield from iter_schema_errors(item, properties[name], _join(path, name))
        elif schema.get("additionalProperties") is False:
            yield _join(path, name), "is not an attribute of this equipment class"


def attribute_errors(attributes: Any, schema: dict[str, Any] | None) -> list[str]:
    """Messages such as "rated_power_kw: must be at least 0", in a stable order."""
    if not schema:
        return []
    return [f"{path}: {message}" for path, message in iter_schema_errors(attributes, schema)]
