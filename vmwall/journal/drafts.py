"""Draft autosave: what an operator is typing survives a crash of the console.

One small JSON file per operator and slot (``drafts/<login>.<slot>.json`` in the user data
directory), replaced atomically (written to a temporary file, flushed to disk, renamed over the
old one), so a crash at any instant leaves either the previous draft or the new one, never half.

    drafts = DraftStore(data_dir, "alice")
    drafts.save_draft({"category": "rixe", "text": "Deux individus…", "cameras": [12]})   # each pause
    draft = drafts.pending_draft()       # at start: offer it back if not None
    drafts.discard_draft()               # once the entry is saved (or the operator drops it)

The fields are the UI's business (any JSON object); a draft names no secret. Calls do file I/O
(a few milliseconds): call them from a worker thread, not the GUI thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vmwall.atomic_file import write_atomic
from vmwall.errors import UserFacingError

log = logging.getLogger(__name__)

DRAFTS_DIRNAME = "drafts"
MAX_DRAFT_BYTES = 256 * 1024
_SLOT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


class DraftError(UserFacingError):
    """A draft cannot be saved (disk full, permissions, too large)."""


@dataclass(frozen=True, slots=True)
class Draft:
    fields: dict[str, Any]
    saved_at: datetime
    slot: str


def _safe_name(login: str) -> str:
    """A file name for a login: letters, digits, '-', '_' kept, anything else hex-escaped."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else f"~{ord(ch):x}" for ch in login)


class DraftStore:
    def __init__(self, data_dir: Path, owner: str) -> None:
        if not owner.strip():
            raise ValueError("a draft belongs to an operator")
        self._dir = data_dir / DRAFTS_DIRNAME
        self._owner = _safe_name(owner)
        self._lock = threading.Lock()

    def _path(self, slot: str) -> Path:
        if not _SLOT.match(slot):
            raise ValueError(f"draft slot {slot!r} is not a short word")
        return self._dir / f"{self._owner}.{slot}.json"

    def save_draft(self, fields: Mapping[str, Any], *, slot: str = "entry") -> None:
        """Replace the draft of ``slot`` with ``fields``, durably. DraftError if it cannot."""
        payload = {"saved_at": datetime.now(UTC).isoformat(), "slot": slot, "fields": dict(fields)}
        try:
            data = json.dumps(payload, ensure_ascii=False).encode()
        except (TypeError, ValueError) as error:
            raise DraftError(f"the draft cannot be saved: {error}") from None
        if len(data) > MAX_DRAFT_BYTES:
            raise DraftError(f"the draft is {len(data)} bytes; at most {MAX_DRAFT_BYTES}")
        path = self._path(slot)
        with self._lock:
            try:
                write_atomic(path, data)
            except OSError as error:
                raise DraftError(f"the draft cannot be saved in {self._dir}: {error.strerror}") from None

    def pending_draft(self, *, slot: str = "entry") -> Draft | None:
        """The saved draft of ``slot``, or None. A damaged file is set aside (renamed) and ignored."""
        path = self._path(slot)
        with self._lock:
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                return None
            except OSError as error:
                log.warning("cannot read the journal draft %s: %s", path, error.strerror)
                return None
            try:
                payload = json.loads(raw)
                fields = payload["fields"]
                saved_at = datetime.fromisoformat(payload["saved_at"])
                if not isinstance(fields, dict):
                    raise TypeError("fields is not an object")
            except (ValueError, KeyError, TypeError) as error:
                aside = path.with_name(path.name + ".damaged")
                log.warning("the journal draft %s is damaged (%s); set aside as %s", path, error, aside.name)
                with contextlib.suppress(OSError):
                    os.replace(path, aside)
                return None
        return Draft(fields, saved_at, slot)

    def discard_draft(self, *, slot: str = "entry") -> None:
        """Forget the draft of ``slot`` (no error if there is none)."""
        with self._lock:
            try:
                self._path(slot).unlink(missing_ok=True)
            except OSError as error:
                raise DraftError(f"the draft cannot be removed: {error.strerror}") from None
