"""The simulated devices' own passwords, kept like a camera keeps its own: in the device's storage.

A real camera stores its password in its flash memory; the farm keeps one random password per
simulated camera in a file readable by its owner only (0600), so that passwords stay the same
across restarts and registered cameras keep working. vmwall (the console side) never reads this
file: `vmwall sim --register` hands each password to the OS keyring through vmwall.credentials.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from vmwall.atomic_file import write_atomic
from vmwall.errors import UserFacingError


def load_or_create(path: Path, numbers: list[int]) -> dict[int, str]:
    """Passwords per camera number, creating (and saving) the ones that do not exist yet."""
    stored: dict[int, str] = {}
    if path.exists():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            stored = {int(k): str(v) for k, v in raw.items()}
        except (ValueError, AttributeError) as exc:
            raise UserFacingError(
                f"{path}: simulated device passwords are unreadable ({exc}); delete the file "
                "to make new ones (then run `vmwall sim --register` again)"
            ) from exc
    missing = [n for n in numbers if n not in stored]
    if missing:
        for number in missing:
            stored[number] = secrets.token_urlsafe(12)
        text = json.dumps({str(k): v for k, v in sorted(stored.items())})
        write_atomic(path, text.encode("utf-8"))
    return {n: stored[n] for n in numbers}
