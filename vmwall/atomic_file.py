"""Replace a file atomically and durably: a crash at any instant leaves the old content or the new.

    write_atomic(path, data)          # bytes; the folder is made if missing

The data goes to a temporary file next to ``path`` (``.<name>.<random>.tmp``, created exclusively),
is flushed to disk, renamed over ``path``, then the rename itself is flushed (the folder's entry;
POSIX only, Windows has no folder handles to flush). On failure the temporary file is removed and
the `OSError` raised: callers turn it into their own error. File I/O: not on the GUI thread.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` (file permissions ``mode``), durably when it returns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode != 0o600:  # what mkstemp gives
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    sync_directory(path.parent)


def sync_directory(directory: Path) -> None:
    """Make a rename or a creation in ``directory`` durable (POSIX; nothing to do on Windows)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["sync_directory", "write_atomic"]
