"""vmwall.logs: a rotating file and stderr per process, and no secret ever reaches either."""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from vmwall import logs
from vmwall.errors import UserFacingError

PASSWORD = "Tr0ub4dor&3-s3cret"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_logging() -> Iterator[None]:
    yield
    logs.teardown_logging()
    logs.forget_secrets()


def our_handlers() -> list[logging.Handler]:
    return [
        h for h in logging.getLogger().handlers if any(isinstance(f, logs.RedactingFilter) for f in h.filters)
    ]


def flush() -> None:
    for handler in our_handlers():
        handler.flush()


def test_logs_go_to_a_file_named_after_the_process_and_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = logs.setup_logging("console", log_dir=tmp_path)
    logging.getLogger("vmwall.test").info("tile %d is live", 3)
    flush()
    assert path == tmp_path / "console.log"
    assert "INFO" in path.read_text() and "vmwall.test: tile 3 is live" in path.read_text()
    assert "tile 3 is live" in capsys.readouterr().err


def test_debug_only_when_verbose(tmp_path: Path) -> None:
    path = logs.setup_logging("sim", log_dir=tmp_path)
    logging.getLogger("vmwall.test").debug("hidden detail")
    logs.setup_logging("sim", log_dir=tmp_path, verbose=True)
    logging.getLogger("vmwall.test").debug("shown detail")
    flush()
    text = path.read_text()
    assert "hidden detail" not in text and "shown detail" in text


def test_the_log_directory_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(tmp_path / "from-env"))
    assert logs.setup_logging("wall-node") == tmp_path / "from-env" / "wall-node.log"


def test_an_unwritable_log_directory_is_explained(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(UserFacingError, match="VMWALL_LOG_DIR"):
        logs.setup_logging("console", log_dir=blocker / "logs")


@pytest.mark.parametrize("name", ["", "../escape", "a/b", "con sole"])
def test_a_process_name_cannot_leave_the_log_directory(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        logs.setup_logging(name, log_dir=tmp_path)


def test_rotation_is_10_mb_times_5(tmp_path: Path) -> None:
    logs.setup_logging("console", log_dir=tmp_path)
    files = [h for h in our_handlers() if isinstance(h, logging.handlers.RotatingFileHandler)]
    assert len(files) == 1
    assert (files[0].maxBytes, files[0].backupCount) == (10 * 1024 * 1024, 5)


def test_the_file_rotates(tmp_path: Path) -> None:
    path = logs.setup_logging("console", log_dir=tmp_path)
    (handler,) = [h for h in our_handlers() if isinstance(h, logging.handlers.RotatingFileHandler)]
    handler.maxBytes = 2_000
    for i in range(200):
        logging.getLogger("vmwall.test").info("line %d %s", i, "x" * 50)
    flush()
    rotated = sorted(p.name for p in tmp_path.iterdir())
    assert rotated == ["console.log", *(f"console.log.{n}" for n in range(1, 6))]
    assert path.stat().st_size <= 2_000


def test_calling_setup_twice_does_not_duplicate_handlers(tmp_path: Path) -> None:
    path = logs.setup_logging("console", log_dir=tmp_path)
    logs.setup_logging("console", log_dir=tmp_path)
    assert len(our_handlers()) == 2  # the file and stderr
    logging.getLogger("vmwall.test").warning("only once")
    flush()
    assert path.read_text().count("only once") == 1


def test_teardown_removes_everything(tmp_path: Path) -> None:
    before_hook, before_level = sys.excepthook, logging.getLogger().level
    logs.setup_logging("console", log_dir=tmp_path)
    logs.teardown_logging()
    assert our_handlers() == []
    assert sys.excepthook is before_hook and logging.getLogger().level == before_level


# --- secrets ------------------------------------------------------------------------------------


def assert_no_secret(tmp_path: Path, err: str, *secrets: str) -> str:
    flush()
    text = "".join(p.read_text() for p in tmp_path.glob("*.log*"))
    for secret in secrets:
        assert secret not in text, f"{secret!r} reached the log file:\n{text}"
        assert secret not in err, f"{secret!r} reached stderr:\n{err}"
    return text


def test_a_password_in_a_url_argument_is_masked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup_logging("console", log_dir=tmp_path)
    logging.getLogger("vmwall.video").info("opening %s", f"rtsp://admin:{PASSWORD}@10.0.0.7:554/main")
    text = assert_no_secret(tmp_path, capsys.readouterr().err, PASSWORD)
    assert "opening rtsp://***@10.0.0.7:554/main" in text


def test_a_password_in_an_exception_and_its_traceback_is_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.setup_logging("console", log_dir=tmp_path)
    try:
        raise ConnectionError(f"camera refused rtsp://admin:{PASSWORD}@cam-12/sub")
    except ConnectionError:
        logging.getLogger("vmwall.video").exception("tile lost")
    text = assert_no_secret(tmp_path, capsys.readouterr().err, PASSWORD)
    assert "Traceback" in text and "ConnectionError: camera refused rtsp://***@cam-12/sub" in text


def test_a_registered_secret_is_masked_everywhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup_logging("console", log_dir=tmp_path)
    logs.register_secret(PASSWORD)
    log = logging.getLogger("vmwall.cameras")
    log.info("password read from stdin: %s", PASSWORD)
    log.info(f"formatted by mistake: {PASSWORD}")
    log.info("url-encoded: %s", "p=Tr0ub4dor%263-s3cret")
    log.info("in a dict %r", {"password": PASSWORD})
    try:
        raise ValueError(PASSWORD)
    except ValueError:
        log.exception("a library put it in its error")
    log.info("with its stack", stack_info=True)
    text = assert_no_secret(tmp_path, capsys.readouterr().err, PASSWORD, "Tr0ub4dor%263")
    assert text.count("***") >= 5


def test_unformattable_arguments_are_still_redacted() -> None:
    # Straight to the filter: pytest's own capture handler would raise on this record first.
    record = logging.LogRecord(
        "vmwall.test", logging.INFO, __file__, 1, "%d cameras", (f"rtsp://u:{PASSWORD}@h/",), None
    )
    assert logs.RedactingFilter().filter(record)
    message = logging.Formatter().format(record)
    assert PASSWORD not in message and "unformattable arguments" in message and "rtsp://***@h/" in message


def test_an_uncaught_exception_in_a_thread_is_logged_redacted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.setup_logging("console", log_dir=tmp_path)

    def boom() -> None:
        raise RuntimeError(f"onvif://admin:{PASSWORD}@cam/")

    thread = threading.Thread(target=boom, name="onvif-loop")
    thread.start()
    thread.join()
    text = assert_no_secret(tmp_path, capsys.readouterr().err, PASSWORD)
    assert "uncaught exception in thread onvif-loop" in text and "RuntimeError" in text


def test_redact_masks_the_longest_secret_first() -> None:
    logs.register_secret("abc")
    logs.register_secret("abcdef")
    assert logs.redact("x abcdef y abc") == "x *** y ***"


def test_an_empty_secret_is_ignored() -> None:
    logs.register_secret("")
    assert logs.redact("nothing to hide") == "nothing to hide"


# --- native crashes and SIGTERM, in child processes ----------------------------------------------


def run_child(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        env={**os.environ, logs.LOG_DIR_ENV: str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_native_crash_is_written_to_the_log_file_even_after_a_rollover(tmp_path: Path) -> None:
    done = run_child(
        """
        import faulthandler, logging, logging.handlers
        from vmwall.logs import setup_logging
        setup_logging("crashy")
        handler = next(h for h in logging.getLogger().handlers
                       if isinstance(h, logging.handlers.RotatingFileHandler))
        handler.maxBytes = 500
        for i in range(40):
            logging.getLogger("vmwall.test").info("filler line %d", i)
        faulthandler._sigsegv()
        """,
        tmp_path,
    )
    assert done.returncode != 0
    current = (tmp_path / "crashy.log").read_text()
    assert "Fatal Python error: Segmentation fault" in current, current
    assert (tmp_path / "crashy.log.1").exists()


def test_sigterm_calls_the_shutdown_callback_once_then_a_second_one_exits(tmp_path: Path) -> None:
    done = run_child(
        """
        import os, signal, sys, time
        from vmwall.logs import install_sigterm_handler, setup_logging
        setup_logging("service")
        calls = []
        install_sigterm_handler(lambda: calls.append("shutdown"))
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.1)
        print(calls, flush=True)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
        print("still running", flush=True)
        """,
        tmp_path,
    )
    assert done.stdout.splitlines() == ["['shutdown']"]
    assert done.returncode == 128 + signal.SIGTERM
    text = (tmp_path / "service.log").read_text()
    assert "SIGTERM received: shutting down" in text and "second SIGTERM: exiting now" in text


def test_the_sigterm_handler_needs_the_main_thread() -> None:
    errors: list[BaseException] = []

    def install() -> None:
        try:
            logs.install_sigterm_handler(lambda: None)
        except RuntimeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=install)
    thread.start()
    thread.join()
    assert len(errors) == 1
