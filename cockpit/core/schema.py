"""A small JSON-Schema subset, enough to check what an LLM returned from a tool call.

Supported keywords: type (one name or a list), properties, required, additionalProperties (bool), enum,
items, minItems, maxItems, minLength, maxLength, minimum, maximum. Unknown keywords are ignored. A bool is
never an integer or a number (unlike Python's own `isinstance`). Pure: stdlib only, no IO.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _is_type(value: Any, name: str) -> bool:
    if name == "object":
        return isinstance(value, Mapping)
    if name == "array":
        return isinstance(value, list | tuple)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value))
    return False


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if _IDENT.match(key) else f"{path}[{key!r}]"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate(value: Any, schema: Mapping[str, Any], path: str = "$") -> list[str]:
    """Every way `value` breaks `schema`, each message starting with the JSON path (`$.a[2].b: …`)."""
    errors: list[str] = []
    _check(value, schema, path, errors)
    return errors


def _check(value: Any, schema: Mapping[str, Any], path: str, errors: list[str]) -> None:
    if not isinstance(schema, Mapping):
        return
    expected = schema.get("type")
    if expected is not None:
        names = [expected] if isinstance(expected, str) else list(expected)
        if not any(_is_type(value, n) for n in names):
            want = names[0] if len(names) == 1 else " or ".join(names)
            errors.append(f"{path}: expected {want}, got {_type_name(value)}")
            return  # the other keywords would only repeat the same mistake
    if "enum" in schema:
        options = list(schema["enum"])
        if not any(value == o and type(value) is type(o) or (_is_number(value) and _is_number(o) and value == o)
                   for o in options):
            errors.append(f"{path}: {_short(value)} is not one of {options!r}")
    if isinstance(value, str):
        if isinstance(schema.get("minLength"), int) and len(value) < schema["minLength"]:
            errors.append(f"{path}: length {len(value)} is shorter than minLength {schema['minLength']}")
        if isinstance(schema.get("maxLength"), int) and len(value) > schema["maxLength"]:
            errors.append(f"{path}: length {len(value)} is longer than maxLength {schema['maxLength']}")
    if _is_number(value):
        if _is_number(schema.get("minimum")) and value < schema["minimum"]:
            errors.append(f"{path}: {value!r} is less than minimum {schema['minimum']!r}")
        if _is_number(schema.get("maximum")) and value > schema["maximum"]:
            errors.append(f"{path}: {value!r} is greater than maximum {schema['maximum']!r}")
    if isinstance(value, list | tuple):
        if isinstance(schema.get("minItems"), int) and len(value) < schema["minItems"]:
            errors.append(f"{path}: {len(value)} items, fewer than minItems {schema['minItems']}")
        if isinstance(schema.get("maxItems"), int) and len(value) > schema["maxItems"]:
            errors.append(f"{path}: {len(value)} items, more than maxItems {schema['maxItems']}")
        items = schema.get("items")
        if isinstance(items, Mapping):
            for i, item in enumerate(value):
                _check(item, items, f"{path}[{i}]", errors)
    if isinstance(value, Mapping):
        properties = schema.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        for key in schema.get("required", ()) or ():
            if key not in value:
                errors.append(f"{_key_path(path, str(key))}: required property is missing")
        for key, sub in properties.items():
            if key in value:
                _check(value[key], sub, _key_path(path, str(key)), errors)
        if schema.get("additionalProperties") is False:
            for key in value:
                if key not in properties:
                    errors.append(f"{_key_path(path, str(key))}: additional property is not allowed")
