"""A small strict schema checker for the wall's JSON messages (no dependency, no coercion).

Each checker takes a decoded JSON value and the path it sits at, and returns the value or raises
`SchemaError` naming the path and the reason. Objects must have exactly their known keys; numbers
must be finite and never booleans; every string and list has a length cap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from vmwall.config._strict import json_type

Check = Callable[[Any, str], Any]


class SchemaError(ValueError):
    """A value does not match its schema; ``str()`` is ``path: reason``."""


def string(max_len: int = 256, *, min_len: int = 0, pattern: str | None = None) -> Check:
    regex = re.compile(pattern) if pattern else None

    def check(value: Any, path: str) -> Any:
        if not isinstance(value, str):
            raise SchemaError(f"{path}: expected a string, found {json_type(value)}")
        if not min_len <= len(value) <= max_len:
            raise SchemaError(f"{path}: length {len(value)} outside {min_len}..{max_len}")
        if regex is not None and not regex.fullmatch(value):
            raise SchemaError(f"{path}: badly formed")
        return value

    return check


def integer(lo: int, hi: int) -> Check:
    def check(value: Any, path: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SchemaError(f"{path}: expected an integer, found {json_type(value)}")
        if not lo <= value <= hi:
            raise SchemaError(f"{path}: {value} outside {lo}..{hi}")
        return value

    return check


def number(lo: float, hi: float) -> Check:
    def check(value: Any, path: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SchemaError(f"{path}: expected a number, found {json_type(value)}")
        if not math.isfinite(value) or not lo <= value <= hi:
            raise SchemaError(f"{path}: {value} outside {lo}..{hi}")
        return float(value)

    return check


def boolean() -> Check:
    def check(value: Any, path: str) -> Any:
        if not isinstance(value, bool):
            raise SchemaError(f"{path}: expected true or false, found {json_type(value)}")
        return value

    return check


def constant(expected: object) -> Check:
    def check(value: Any, path: str) -> Any:
        if type(value) is not type(expected) or value != expected:
            raise SchemaError(f"{path}: expected {expected!r}, found {value!r}"[:200])
        return value

    return check


def one_of(*values: str) -> Check:
    allowed = frozenset(values)

    def check(value: Any, path: str) -> Any:
        if not isinstance(value, str) or value not in allowed:
            shown = value if isinstance(value, str) and len(value) < 40 else json_type(value)
            raise SchemaError(f"{path}: {shown!r} is not one of {', '.join(sorted(allowed))}")
        return value

    return check


def nullable(inner: Check) -> Check:
    def check(value: Any, path: str) -> Any:
        return None if value is None else inner(value, path)

    return check


def array(item: Check, max_items: int, *, min_items: int = 0) -> Check:
    def check(value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise SchemaError(f"{path}: expected an array, found {json_type(value)}")
        if not min_items <= len(value) <= max_items:
            raise SchemaError(f"{path}: {len(value)} items outside {min_items}..{max_items}")
        return [item(v, f"{path}[{i}]") for i, v in enumerate(value)]

    return check


def obj(required: Mapping[str, Check], optional: Mapping[str, Check] | None = None) -> Check:
    """An object with exactly the ``required`` keys and any of the ``optional`` ones."""
    extra = dict(optional or {})
    known = set(required) | set(extra)

    def check(value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise SchemaError(f"{path}: expected an object, found {json_type(value)}")
        unknown = [k for k in value if k not in known]
        if unknown:
            shown = str(unknown[0])[:40]
            raise SchemaError(f"{path}: unknown key {shown!r}")
        for key, sub in required.items():
            if key not in value:
                raise SchemaError(f"{path}: missing {key!r}")
            sub(value[key], f"{path}.{key}")
        for key, sub in extra.items():
            if key in value:
                sub(value[key], f"{path}.{key}")
        return value

    return check


def mapping(key: Check, value: Check, max_items: int) -> Check:
    """An object used as a dictionary: free keys (each checked), values of one kind."""

    def check(data: Any, path: str) -> Any:
        if not isinstance(data, dict):
            raise SchemaError(f"{path}: expected an object, found {json_type(data)}")
        if len(data) > max_items:
            raise SchemaError(f"{path}: more than {max_items} entries")
        for k, v in data.items():
            key(k, f"{path} key")
            value(v, f"{path}.{str(k)[:40]}")
        return data

    return check
