"""A signed-in account on a workstation or a CLI command, and the events that sessions produce."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from vmwall.accounts.policy import AccessProblem
from vmwall.model.user import ROLE_LABELS, Permission, User


@dataclass(frozen=True, slots=True)
class Session:
    """Who is at the keyboard and what they may do now.

    ``permissions`` are the rights held at this moment (the role's, minus what the account's state
    takes away: ``problem`` says why); ``communes`` is the scope (empty: every commune). A session
    is immutable: a refresh gives a new Session with the same ``id``.
    """

    id: str
    user: User
    permissions: frozenset[Permission]
    started_at: datetime
    workstation: str = ""
    problem: AccessProblem | None = None

    @property
    def login(self) -> str:
        return self.user.login

    @property
    def communes(self) -> frozenset[int]:
        return self.user.communes

    @property
    def label(self) -> str:
        """``Marie Dupont (mdupont, opérateur)`` for status bars and messages."""
        return f"{self.user.full_name} ({self.user.login}, {ROLE_LABELS[self.user.role]})"

    def can(self, permission: Permission, commune: int | None = None) -> bool:
        """Whether the session holds ``permission`` (for ``commune``, if given)."""
        if permission not in self.permissions:
            return False
        return commune is None or not self.communes or commune in self.communes

    def with_account(
        self, user: User, permissions: frozenset[Permission], problem: AccessProblem | None
    ) -> Session:
        return replace(self, user=user, permissions=permissions, problem=problem)


class SessionEnd(StrEnum):
    LOGOUT = "logout"  # the operator signed out
    HANDOVER = "handover"  # shift handover: another operator took the console
    CLOSED = "closed"  # the console closed (or the CLI command ended)


class AccountEventKind(StrEnum):
    LOGIN = "login"
    LOGIN_REFUSED = "login-refused"
    LOGOUT = "logout"
    LOCKED = "locked"  # inactivity or the operator locked the console
    UNLOCKED = "unlocked"
    RIGHTS_CHANGED = "rights-changed"  # during a session: agrément suspended, account deactivated...
    USER_CREATED = "user-created"
    USER_CHANGED = "user-changed"  # role, commune scope, agrément, dates, name
    PASSWORD_CHANGED = "password-changed"
    AGREMENT_SUSPENDED = "agrement-suspended"
    ACCOUNT_DEACTIVATED = "account-deactivated"
    ACCOUNT_REACTIVATED = "account-reactivated"


@dataclass(frozen=True, slots=True)
class AccountEvent:
    """Something the audit trail records. ``login`` is the account concerned, ``actor`` who acted (the
    same for logins), ``detail`` words for a human (never a password or a hash)."""

    kind: AccountEventKind
    at: datetime
    login: str
    actor: str | None = None
    session_id: str | None = None
    workstation: str = ""
    detail: str = ""
    data: dict[str, str] = field(default_factory=dict)


AccountListener = Callable[[AccountEvent], None]
