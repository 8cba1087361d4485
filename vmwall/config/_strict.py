"""Strict reading of JSON config files: every key known, every value of the right type.

A config file that says something vmwall does not understand is refused with the file, the place
in it and the reason; it is never half-read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class ConfigFileError(ValueError):
    """A config file cannot be used. ``str()`` names the file and says why."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class Reader:
    """Type-checked access to one decoded JSON object; errors carry the path inside the file."""

    def __init__(self, source: str, data: object, where: str = "") -> None:
        self.source = source
        self.where = where
        if not isinstance(data, dict):
            raise self.error(f"expected an object, found {json_type(data)}")
        self.data: dict[str, Any] = data

    def error(self, reason: str, key: str | None = None) -> ConfigFileError:
        place = self._place(key)
        return ConfigFileError(self.source, f"{place}: {reason}" if place else reason)

    def _place(self, key: str | None) -> str:
        if key is None:
            return self.where
        return f"{self.where}.{key}" if self.where else key

    def only(self, *allowed: str) -> None:
        """Refuse any key not in ``allowed``."""
        unknown = sorted(set(self.data) - set(allowed))
        if unknown:
            where = f" in {self.where}" if self.where else ""
            raise ConfigFileError(
                self.source,
                f"unknown key {unknown[0]!r}{where} (allowed: {', '.join(sorted(allowed))})",
            )

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str, required: bool) -> object:
        if key not in self.data:
            if required:
                raise self.error("is missing", key)
            return None
        return self.data[key]

    def string(self, key: str, *, required: bool = True, default: str | None = None) -> str | None:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.error(f"expected a string, found {json_type(value)}", key)
        return value

    def text(self, key: str) -> str:
        """A required, non-empty string."""
        value = self.string(key)
        assert value is not None
        if not value.strip():
            raise self.error("must not be empty", key)
        return value

    def integer(
        self,
        key: str,
        *,
        required: bool = True,
        default: int | None = None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value = self._get(key, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"expected a whole number, found {json_type(value)}", key)
        if minimum is not None and value < minimum:
            raise self.error(f"{value} is below {minimum}", key)
        if maximum is not None and value > maximum:
            raise self.error(f"{value} is above {maximum}", key)
        return value

    def boolean(self, key: str, *, default: bool) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(f"expected true or false, found {json_type(value)}", key)
        return value

    def array(self, key: str, *, required: bool = True) -> list[Any] | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, list):
            raise self.error(f"expected an array, found {json_type(value)}", key)
        return value

    def child(self, key: str, *, required: bool = True) -> Reader | None:
        value = self._get(key, required)
        if value is None:
            return None
        return Reader(self.source, value, self._place(key))

    def item(self, key: str, index: int, value: object) -> Reader:
        return Reader(self.source, value, f"{self._place(key)}[{index}]")


def json_type(value: object) -> str:
    """How a JSON value's type is named in error messages (\"a string\", \"an array\", \"null\")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def decode_json(source: str, text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigFileError(
            source, f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None


def read_json_file(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigFileError(str(path), "not UTF-8 text") from None
    except OSError as error:
        raise ConfigFileError(str(path), f"cannot be read: {error.strerror or error}") from None
    return decode_json(str(path), text)


def check_version(reader: Reader, supported: int, what: str) -> int:
    version = reader.integer("version", minimum=1)
    assert version is not None
    if version > supported:
        raise reader.error(
            f"{what} version {version} was written by a newer vmwall (this one reads up to {supported})",
            "version",
        )
    return version
