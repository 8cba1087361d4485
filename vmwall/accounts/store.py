"""What the account service needs from storage. ``vmwall.store.AccountRepository`` is the real one;
tests may give an in-memory one. No SQLAlchemy here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from vmwall.model.user import User


@dataclass(frozen=True, slots=True)
class StoredAccount:
    """An account with its secrets' state. ``password_hash`` never leaves vmwall.accounts."""

    user: User
    password_hash: str | None = None
    failed_logins: int = 0
    last_failed_at: datetime | None = None
    last_login_at: datetime | None = None
    password_changed_at: datetime | None = None


class AccountStore(Protocol):
    def count(self) -> int:
        """How many accounts exist (0: the first administrator may be created without login)."""
        ...

    def find(self, login: str) -> StoredAccount | None: ...

    def list(self) -> list[StoredAccount]:
        """Every account, by login."""
        ...

    def create(self, user: User, password_hash: str, at: datetime, *, only_if_empty: bool = False) -> User:
        """Store a new account (DuplicateError if the login exists). ``only_if_empty``: atomically
        refuse (ConflictError) when any account exists, for the bootstrap administrator."""
        ...

    def update(self, user: User) -> User:
        """Replace the account named ``user.login`` (every field and the commune scope)."""
        ...

    def set_password(self, login: str, password_hash: str, at: datetime) -> None:
        """Store a new hash and reset the failed-login count."""
        ...

    def record_failure(self, login: str, at: datetime) -> None:
        """One more wrong password (atomic increment)."""
        ...

    def record_success(self, login: str, at: datetime) -> None:
        """A successful login: reset the failed-login count, remember when."""
        ...

    def reset_failures(self, login: str) -> None:
        """Forget the wrong passwords (an administrator reactivated the account)."""
        ...
