"""Logging for every vmwall process: a rotating file per process kind plus stderr, never a secret.

``setup_logging("console")`` sends every record to ``<log dir>/console.log`` (10 MB x 5 files) and
to stderr. A filter on each handler redacts credentials from the message, its arguments, the
exception text and the stack: URLs lose their ``user:password@`` and secret query parameters
(`vmwall.redact`), and every value given to `register_secret` (a password just read from stdin,
a token) is masked wherever it appears. Uncaught exceptions, in any thread, go through the same
filter instead of Python's default printer.

`faulthandler` writes native crash tracebacks (libVLC, Qt) into the current log file; the log
directory is ``$VMWALL_LOG_DIR`` if set, else the user log directory of the platform.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import re
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType
from typing import TextIO
from urllib.parse import quote, quote_plus

import platformdirs

from vmwall.errors import UserFacingError
from vmwall.redact import redact_text

log = logging.getLogger(__name__)

LOG_DIR_ENV = "VMWALL_LOG_DIR"
MAX_BYTES = 10 * 1024 * 1024
BACKUP_COUNT = 5

_FILE_FORMAT = "%(asctime)s.%(msecs)03d %(levelname)-7s %(process)d %(threadName)s %(name)s: %(message)s"
_STDERR_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_PROCESS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_state_lock = threading.RLock()
_installed: list[logging.Handler] = []
_previous_hooks: tuple[object, object] | None = None
_previous_root_level: int | None = None


# --- secrets ------------------------------------------------------------------------------------


def register_secret(value: str) -> None:
    """Mask ``value`` (and its URL-encoded forms) in every log line from now on.

    Call it as soon as a secret enters the process (read from stdin, a keyring, a config file),
    before anything can log it.
    """
    if not value:
        return
    with _secrets_lock:
        _secrets.update({value, quote(value, safe=""), quote_plus(value)})


def forget_secrets() -> None:
    """Drop every registered secret (tests; a process that rotated its credentials)."""
    with _secrets_lock:
        _secrets.clear()


def redact(text: str) -> str:
    """``text`` with URL credentials and every registered secret masked."""
    with _secrets_lock:
        # Longest first: a secret containing another must be masked whole.
        secrets = tuple(sorted(_secrets, key=len, reverse=True))
    return redact_text(text, secrets)


class RedactingFilter(logging.Filter):
    """Renders the record's message and exception text now, redacted, so no handler sees the raw."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(_render_message(record))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            # The formatter prints exc_text when set; the raw exception must not be formatted again.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _render_message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception as exc:  # a bad format string must not lose the record, nor leak its args
        return f"{record.msg!s} (unformattable arguments: {type(exc).__name__}) {record.args!r}"


# --- handlers -----------------------------------------------------------------------------------


class _RotatingLogFile(logging.handlers.RotatingFileHandler):
    """A rotating file that keeps `faulthandler` pointed at the current file across rollovers."""

    def doRollover(self) -> None:  # noqa: N802 (logging's name)
        _point_faulthandler_at(None)
        super().doRollover()
        _point_faulthandler_at(self.stream)


def setup_logging(process: str, *, verbose: bool = False, log_dir: Path | None = None) -> Path:
    """Log to ``<log dir>/<process>.log`` and stderr; return the log file's path.

    Idempotent: a second call replaces the handlers installed by the first (with the new options)
    and never duplicates them. ``verbose`` lowers the level from INFO to DEBUG.
    """
    if not _PROCESS_NAME.match(process):
        raise ValueError(f"invalid process name for a log file: {process!r}")
    path = resolve_log_dir(log_dir) / f"{process}.log"
    level = logging.DEBUG if verbose else logging.INFO
    with _state_lock:
        _remove_installed_handlers()
        file_handler = _open_log_file(path)
        handlers: list[logging.Handler] = [file_handler]
        if sys.stderr is not None:  # pythonw on Windows has no stderr
            handlers.append(_stderr_handler())
        root = logging.getLogger()
        for handler in handlers:
            handler.setLevel(level)
            handler.addFilter(RedactingFilter())
            root.addHandler(handler)
            _installed.append(handler)
        _remember_root_level(root)
        root.setLevel(level)
        _point_faulthandler_at(file_handler.stream)
        _install_excepthooks()
    log.debug("logging to %s (process %s, pid %d)", path, process, os.getpid())
    return path


def _remember_root_level(root: logging.Logger) -> None:
    global _previous_root_level
    if _previous_root_level is None:
        _previous_root_level = root.level


def teardown_logging() -> None:
    """Remove what `setup_logging` installed: handlers, root level, exception hooks, faulthandler's
    file (back to stderr)."""
    global _previous_root_level
    with _state_lock:
        _remove_installed_handlers()
        if _previous_root_level is not None:
            logging.getLogger().setLevel(_previous_root_level)
            _previous_root_level = None
        _restore_excepthooks()
        _point_faulthandler_at(sys.__stderr__)


def resolve_log_dir(log_dir: Path | None = None) -> Path:
    """The directory logs go to (created if missing): argument, else $VMWALL_LOG_DIR, else the
    platform's user log directory."""
    env = os.environ.get(LOG_DIR_ENV)
    directory = log_dir or (Path(env) if env else Path(platformdirs.user_log_dir("vmwall")))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserFacingError(
            f"cannot create the log directory {directory}: {exc.strerror}; "
            f"set {LOG_DIR_ENV} to a writable directory"
        ) from exc
    return directory


def _open_log_file(path: Path) -> _RotatingLogFile:
    try:
        handler = _RotatingLogFile(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")
    except OSError as exc:
        raise UserFacingError(
            f"cannot write the log file {path}: {exc.strerror}; set {LOG_DIR_ENV} to a writable directory"
        ) from exc
    handler.setFormatter(logging.Formatter(_FILE_FORMAT, _DATE_FORMAT))
    return handler


class _CurrentStderr(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time of the record, not the one at set-up
    (a redirected or replaced stderr, e.g. a service manager's or a test runner's, keeps working)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def _stderr_handler() -> logging.StreamHandler[TextIO]:
    handler: logging.StreamHandler[TextIO] = _CurrentStderr()
    handler.setFormatter(logging.Formatter(_STDERR_FORMAT, _DATE_FORMAT))
    return handler


def _remove_installed_handlers() -> None:
    root = logging.getLogger()
    while _installed:
        handler = _installed.pop()
        root.removeHandler(handler)
        handler.close()


def _point_faulthandler_at(stream: TextIO | None) -> None:
    """Native crashes are dumped to ``stream``; None disables faulthandler (e.g. during a rollover,
    when the file descriptor is about to be closed and could be reused by a socket)."""
    if stream is None:
        faulthandler.disable()
        return
    try:
        faulthandler.enable(file=stream, all_threads=True)
    except (ValueError, OSError, AttributeError):  # a stream without a file descriptor
        faulthandler.disable()


# --- uncaught exceptions ------------------------------------------------------------------------


def _install_excepthooks() -> None:
    global _previous_hooks
    if _previous_hooks is None:
        _previous_hooks = (sys.excepthook, threading.excepthook)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _restore_excepthooks() -> None:
    global _previous_hooks
    if _previous_hooks is not None:
        sys.excepthook, threading.excepthook = _previous_hooks  # type: ignore[assignment]
        _previous_hooks = None


def _log_uncaught(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    logging.getLogger("vmwall").critical("uncaught exception", exc_info=(exc_type, exc, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread is not None else "?"
    logging.getLogger("vmwall").critical(
        "uncaught exception in thread %s", name, exc_info=(args.exc_type, args.exc_value, args.exc_traceback)
    )


# --- SIGTERM ------------------------------------------------------------------------------------

SignalHandler = Callable[[int, FrameType | None], object] | int | None


def install_sigterm_handler(callback: Callable[[], None]) -> SignalHandler:
    """On SIGTERM, log it and call ``callback`` once to start a clean shutdown; a second SIGTERM
    exits at once (status 143). Returns the previous handler.

    Must be called from the main thread. The callback runs in the main thread between two Python
    bytecodes, so it must be quick and must not take locks: set an event, post to a queue, or ask
    the event loop to quit (a Qt application also needs Python code to run now and then, e.g. a
    periodic QTimer, for the signal to be seen).
    """
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("install_sigterm_handler() must be called from the main thread")
    fired = threading.Event()

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        if fired.is_set():
            log.warning("second SIGTERM: exiting now")
            raise SystemExit(128 + signum)
        fired.set()
        log.info("SIGTERM received: shutting down")
        callback()

    return signal.signal(signal.SIGTERM, on_sigterm)
