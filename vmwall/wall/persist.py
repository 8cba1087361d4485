"""The controller's files: the wall state (rewritten atomically) and the push log (append-only).

State file (JSON)::

    {"format": "vmwall-wall-state", "version": 1, "sequence": N, "saved_at": EPOCH_S,
     "items": [[key, value], ...]}            # the keys of vmwall.wall.state

Push log (JSON lines, next to the state file, ``<state>.pushes.jsonl``), one accepted push a line::

    {"at": EPOCH_S, "user": "...", "console": "...", "action": "...", "detail": "...",
     "sequence": N, "epoch": "..."}

Both are written with fsync before the controller confirms the command that caused them. The
audit trail (issue 7) reads the push log; a line is never rewritten.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import platformdirs

from vmwall.atomic_file import write_atomic
from vmwall.errors import UserFacingError
from vmwall.model.wall import WallPush
from vmwall.wall import codec
from vmwall.wall.codec import CodecError
from vmwall.wall.schema import SchemaError, constant, integer, number, obj
from vmwall.wall.state import WallState

STATE_FORMAT = "vmwall-wall-state"
STATE_VERSION = 1
STATE_FILENAME = "wall-state.json"
ENV_DATA_DIR = "VMWALL_DATA_DIR"
MAX_STATE_BYTES = 64 * 1024 * 1024


class StateFileError(UserFacingError):
    """The state file cannot be read or written; the message names it and says why."""


def default_state_path() -> Path:
    override = os.environ.get(ENV_DATA_DIR, "").strip()
    base = Path(override).expanduser() if override else Path(platformdirs.user_data_dir("vmwall"))
    return base.absolute() / STATE_FILENAME


def push_log_path(state_path: Path) -> Path:
    return state_path.with_name(state_path.stem + ".pushes.jsonl")


def _items(value: Any, path: str) -> Any:
    if not isinstance(value, list):
        raise SchemaError(f"{path}: expected an array")
    return value


_STATE_SCHEMA = obj(
    {
        "format": constant(STATE_FORMAT),
        "version": constant(STATE_VERSION),
        "sequence": integer(0, 2**62),
        "saved_at": number(0, 1e11),
        "items": _items,
    }
)


def load_state(path: Path) -> WallState | None:
    """The saved state, or None when the file does not exist yet. StateFileError if it is broken:
    the controller refuses to start rather than lose presets by starting empty."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateFileError(f"cannot read the wall state {path}: {exc.strerror or exc}") from None
    if size > MAX_STATE_BYTES:
        raise StateFileError(f"the wall state {path} is {size} bytes, more than {MAX_STATE_BYTES}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        _STATE_SCHEMA(data, "state")
        items = data["items"]
        if not all(isinstance(i, list) and len(i) == 2 for i in items):
            raise CodecError("items must be [key, value] pairs")
        return WallState.from_items([(k, v) for k, v in items], data["sequence"])
    except OSError as exc:
        raise StateFileError(f"cannot read the wall state {path}: {exc.strerror or exc}") from None
    except (ValueError, SchemaError, CodecError) as exc:
        raise StateFileError(
            f"the wall state {path} is broken ({str(exc)[:300]}); move it aside to start with an empty wall"
        ) from None


def save_state(path: Path, state: WallState) -> None:
    """Write the whole state atomically: a temporary file, fsync, rename, fsync of the directory."""
    document = {
        "format": STATE_FORMAT,
        "version": STATE_VERSION,
        "sequence": state.sequence,
        "saved_at": time.time(),
        "items": [[k, v] for k, v in state.items()],
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise StateFileError(f"cannot write the wall state {path}: {exc.strerror or exc}") from None


class PushLog:
    """The append-only push log. Thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._handle: Any = None

    def open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._handle = os.fdopen(fd, "a", encoding="utf-8")
        except OSError as exc:
            raise StateFileError(
                f"cannot open the wall push log {self.path}: {exc.strerror or exc}"
            ) from None

    def append(self, push: WallPush, epoch: str) -> None:
        line = json.dumps(
            {**codec.push_to_json(push), "epoch": epoch}, ensure_ascii=False, separators=(",", ":")
        )
        with self._lock:
            if self._handle is None:
                self.open()
            try:
                self._handle.write(line + "\n")
                self._handle.flush()
                os.fsync(self._handle.fileno())
            except OSError as exc:
                raise StateFileError(
                    f"cannot write the wall push log {self.path}: {exc.strerror or exc}"
                ) from None

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None


def read_push_log(path: Path) -> Iterator[tuple[WallPush, str]]:
    """Every push of a push log with its controller epoch, oldest first; a torn last line (a crash
    during a write) is skipped, any other bad line is an error naming its number."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError) as exc:
        raise StateFileError(f"cannot read the wall push log {path}: {exc}") from None
    last = len(lines) - 1
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            epoch = data.pop("epoch")
            codec.PUSH_SCHEMA(data, "push")
            if not isinstance(epoch, str):
                raise ValueError("epoch")
        except (ValueError, SchemaError, KeyError, AttributeError, TypeError) as exc:
            if line_number - 1 == last:
                return
            raise StateFileError(f"{path}:{line_number}: not a push record ({str(exc)[:200]})") from None
        yield codec.push_from_json(data), epoch
