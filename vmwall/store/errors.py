"""Errors of the data store. Every message is meant for a person: no traceback, no password."""

from __future__ import annotations

from vmwall.errors import UserFacingError
from vmwall.redact import redact_text, redact_url


def redact_database_url(url: str) -> str:
    """The URL fit to show: credentials masked. SQLite URLs carry none and are shown as they are
    (``redact_url`` would turn ``sqlite:////abs/path`` into ``sqlite://abs/path``)."""
    if url.split(":", 1)[0].split("+", 1)[0].lower() == "sqlite":
        return url
    return redact_url(url)


class StoreError(UserFacingError):
    """The database refused or could not carry out an operation."""


class DuplicateError(StoreError):
    """A row with the same natural key (camera number, commune name, login...) already exists."""


class NotFoundError(StoreError):
    """The row asked for does not exist."""


class SchemaError(StoreError):
    """The database schema does not match this version of vmwall (newer, older, or not ours)."""


class DatabaseUnavailableError(StoreError):
    """The database cannot be reached or opened. The message names it with credentials redacted."""

    def __init__(self, url: str, reason: str, secrets: tuple[str, ...] = ()) -> None:
        self.display_url = redact_database_url(url)
        self.reason = " ".join(redact_text(reason, secrets).split())
        super().__init__(f"cannot use the database {self.display_url}: {self.reason}")
