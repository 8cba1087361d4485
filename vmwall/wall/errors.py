"""Errors of the wall, and the result of a command."""

from __future__ import annotations

from dataclasses import dataclass

from vmwall.errors import UserFacingError


class WallCommandError(UserFacingError):
    """The controller refused a command, or it could not be delivered.

    ``str(e)`` is a clear English reason meant for the operator (e.g. "user 'x' lacks the wall
    right"); ``code`` is a stable word a program can test (``refused``, ``no-right``, ``unknown-user``,
    ``unknown-camera``, ``invalid``, ``unavailable``, ``key-refused``...).
    """

    def __init__(self, reason: str, code: str = "refused") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class WallUnavailableError(WallCommandError):
    """No answer from the controller in time (or this peer's key is refused there)."""

    def __init__(self, reason: str, code: str = "unavailable") -> None:
        super().__init__(reason, code)


@dataclass(frozen=True, slots=True)
class CommandResult:
    """An accepted command: the controller sequence number of the resulting update (the current one
    when nothing changed) and a line describing what was done."""

    action: str
    sequence: int
    detail: str = ""
    changed: bool = True
