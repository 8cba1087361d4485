"""What the wall panel needs from the wall controller's client, as a protocol, and how it reads refusals.

``vmwall.wall.client.WallClient`` is the real one (``vmwall.app`` builds it with the console's user);
the UI tests give the panel a fake. Only ``connected`` and ``snapshot()`` are read from the GUI
thread, and both return at once; commands go through ``submit`` (never the blocking ``command``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from vmwall.model.wall import WallSnapshot

# The controller's reasons are English; these words mark a refusal of the account itself (no wall
# right, unknown or deactivated account), as opposed to a refusal of one command (unknown camera…).
_RIGHTS = re.compile(
    r"\b(lacks?|without|no)\b.*\bwall right\b|\bnot (allowed|authori[sz]ed|permitted)\b|\bforbidden\b"
    r"|\bpermission\b|\bunknown user\b|\b(inactive|deactivated|suspended)\b",
    re.IGNORECASE,
)
# ``WallCommandError.code`` values that refuse the account or this console, not one command.
RIGHTS_CODES = frozenset({"no-right", "unknown-user", "inactive-user", "key-refused", "forbidden"})
GENERIC_CODES = frozenset({"refused", ""})


class WallService(Protocol):
    @property
    def connected(self) -> bool: ...

    def snapshot(self) -> WallSnapshot: ...

    def add_listener(self, callback: Callable[[WallSnapshot], None]) -> None: ...

    def submit(self, action: str, args: dict[str, Any], done: Callable[[Any], None]) -> None: ...


def is_rights_refusal(error: BaseException) -> bool:
    """Whether the controller refused the account or this console (every command will be refused),
    rather than one command (unknown camera, no such preset...)."""
    code = getattr(error, "code", None)
    if isinstance(code, str) and code not in GENERIC_CODES:
        return code in RIGHTS_CODES
    return bool(_RIGHTS.search(str(error)))
