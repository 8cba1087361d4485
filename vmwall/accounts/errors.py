"""Errors of authentication and rights, worded for the person at the keyboard (English: the CLI's
language; the console maps each ``reason`` to its own French sentence)."""

from __future__ import annotations

from enum import StrEnum

from vmwall.errors import UserFacingError
from vmwall.model.user import Permission

# sysexits.h EX_NOPERM: scripts can tell "not allowed" from other failures.
EXIT_NOT_ALLOWED = 77


class AccountError(UserFacingError):
    """A refused account operation (unknown account, bad input, policy)."""


class LoginFailure(StrEnum):
    BAD_CREDENTIALS = "bad-credentials"  # unknown login or wrong password: one answer for both
    THROTTLED = "throttled"  # too many wrong passwords in a row
    NO_ACCOUNTS = "no-accounts"  # an empty database: create the first administrator
    ACCOUNT = "account"  # the account is deactivated, expired, not valid yet...
    AGREMENT = "agrement"  # a viewing role without a valid agrément, training or charter


class LoginRefusedError(UserFacingError):
    """Login refused; ``reason`` says which kind, ``problem`` the access rule (when there is one)."""

    def __init__(
        self,
        reason: LoginFailure,
        message: str,
        *,
        problem: str | None = None,
        retry_after_s: int | None = None,
    ) -> None:
        super().__init__(message, exit_code=EXIT_NOT_ALLOWED)
        self.reason = reason
        self.problem = problem
        self.retry_after_s = retry_after_s


class PermissionDeniedError(UserFacingError):
    """The session lacks a right; the message names the user, the right and, if any, the commune."""

    def __init__(
        self, message: str, permission: Permission | None = None, commune: int | None = None
    ) -> None:
        super().__init__(message, exit_code=EXIT_NOT_ALLOWED)
        self.permission = permission
        self.commune = commune
