"""Nothing lost: a console killed while an entry is being typed offers it back at the next start; a
database that goes away shows a warning, entries are kept on the workstation and written when it
returns, in order, exactly once."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.fixtures.accounts import TEST_PASSWORD, create_account
from tests.ui.test_journal_console import (
    JournalConsoles,
    entries_in_database,
    journal_consoles,
    journal_of,
    save,
    stored_directory,
    type_entry,
)
from vmwall.journal.drafts import DraftStore
from vmwall.model import Role
from vmwall.model.audit import AuditAction
from vmwall.model.journal import JournalQuery
from vmwall.store import Database, open_database
from vmwall.store.repositories.audit import AuditFilter, AuditRepository
from vmwall.store.repositories.journal import JournalRepository

# --------------------------------------------------------------------------- a crash while typing

TYPED = "Rixe devant la gare deux individus dont un blesse"

# The real console (vmwall.app.run_console), with a hook that opens the editor and types into it.
CONSOLE_SCRIPT = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
import vmwall.app as app

original = app.build_console

def build(*args, **kwargs):
    window = original(*args, **kwargs)

    def when_ready():
        journal = window.journal
        if journal is None or not journal.categories or window.context.directory is None:
            QTimer.singleShot(100, when_ready)
            return
        editor = journal.open_new_entry()
        editor.category.setCurrentIndex(editor.category.findData("rixe"))
        editor.text.setFocus()
        QTest.keyClicks(editor.text, sys.argv[2])
        print("TYPED", editor.uid, flush=True)

    QTimer.singleShot(100, when_ready)
    return window

app.build_console = build
sys.exit(app.run_console(app.ConsoleArguments(db_url=sys.argv[1], start_hub=False, hub_url="http://127.0.0.1:9")))
"""


def start_console_process(db_url: str, data_dir: Path) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.update(VMWALL_USER="nuit", VMWALL_PASSWORD=TEST_PASSWORD, VMWALL_DATA_DIR=str(data_dir))
    return subprocess.Popen(
        [sys.executable, "-c", CONSOLE_SCRIPT, db_url, TYPED],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def read_typed_uid(process: subprocess.Popen[str], timeout_s: float) -> str:
    """The uid the console's editor printed once typed (its output is kept for the failure message)."""
    assert process.stdout is not None
    lines: list[str] = []
    found: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("TYPED "):
                found.append(line.split()[1])

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout_s
    while not found and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert found, "the console never typed its entry:\n" + "".join(lines[-40:])
    return found[0]


def test_an_entry_typed_in_a_killed_console_is_offered_back(
    qtbot: Any, qapp: Any, database: Database, db_url: str, ui_dirs: Path, xvfb_display: str
) -> None:
    data_dir = ui_dirs / "data"
    create_account(database, "nuit", Role.OPERATEUR)
    process = start_console_process(db_url, data_dir)
    try:
        uid = read_typed_uid(process, timeout_s=90)
        drafts = DraftStore(data_dir, "nuit")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            draft = drafts.pending_draft()
            if draft is not None and draft.fields.get("text") == TYPED:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the draft was never saved while typing")
    finally:
        process.kill()  # no clean shutdown: what was typed survives only through the draft
        process.wait(10)
    assert process.returncode == -9
    assert draft.fields["uid"] == uid and draft.fields["category"] == "rixe"

    consoles = JournalConsoles(
        qtbot, qapp, database, data_dir, ui_dirs / "config" / "console.json", stored_directory(database)
    )
    try:
        window = consoles.console("nuit")
        controller = journal_of(window)
        qtbot.waitUntil(
            lambda: controller.draft_box is not None and controller.draft_box.isVisible(), timeout=10_000
        )
        box = controller.draft_box
        assert box is not None
        assert "n'a pas été enregistrée" in box.text()
        assert TYPED in box.informativeText()
        resume = next(b for b in box.buttons() if b.objectName() == "draftResume")
        resume.click()
        qtbot.waitUntil(lambda: controller.editor is not None and controller.editor.isVisible(), timeout=5000)
        editor = controller.editor
        assert editor is not None
        assert editor.text.toPlainText() == TYPED
        assert editor.category.currentData() == "rixe"
        assert editor.uid == uid  # the same entry: stored once even if it had been saved before the crash
        save(qtbot, editor)
        qtbot.waitUntil(lambda: controller.editor is None, timeout=10_000)
        stored = entries_in_database(database, "deux individus dont un blesse")
        assert [e.uid for e in stored] == [uid]
        qtbot.waitUntil(lambda: DraftStore(data_dir, "nuit").pending_draft() is None, timeout=5000)
    finally:
        consoles.close()


def test_a_console_closed_while_typing_keeps_the_draft_and_records_the_session(
    database: Database, db_url: str, ui_dirs: Path, xvfb_display: str
) -> None:
    data_dir = ui_dirs / "data"
    create_account(database, "nuit", Role.OPERATEUR)
    process = start_console_process(db_url, data_dir)
    try:
        read_typed_uid(process, timeout_s=90)
        process.terminate()  # SIGTERM: the console closes as if the operator had quit
        assert process.wait(60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    draft = DraftStore(data_dir, "nuit").pending_draft()
    assert draft is not None and draft.fields["text"] == TYPED  # kept for the next start
    with open_database(db_url) as other:
        trail = AuditRepository(other)
        actions = [
            r.event.action
            for r in trail.records(AuditFilter(actor="nuit", limit=100))
            if r.event.action in (AuditAction.LOGIN, AuditAction.LOGOUT)
        ]
    assert sorted(actions) == [AuditAction.LOGIN, AuditAction.LOGOUT]


def test_a_dropped_draft_is_not_offered_again(consoles: Any, qtbot: Any) -> None:
    window = consoles.console("nuit")
    controller = journal_of(window)
    editor = controller.open_new_entry()
    assert editor is not None
    type_entry(qtbot, editor, "vol", "Vol de cable")
    drafts = DraftStore(consoles.data_dir, "nuit")
    qtbot.waitUntil(
        lambda: (d := drafts.pending_draft()) is not None and d.fields["text"] == "Vol de cable", timeout=5000
    )
    with _answer_question(QMessageBox.StandardButton.Yes):
        editor.reject()
    qtbot.waitUntil(lambda: drafts.pending_draft() is None, timeout=5000)
    assert controller.editor is None


@contextlib.contextmanager
def _answer_question(answer: QMessageBox.StandardButton) -> Iterator[None]:
    """QMessageBox.question answers ``answer`` without showing anything."""
    original = QMessageBox.question
    QMessageBox.question = staticmethod(lambda *_args, **_kwargs: answer)  # type: ignore[assignment]
    try:
        yield
    finally:
        QMessageBox.question = original  # type: ignore[method-assign]


@pytest.fixture
def consoles(qtbot: Any, qapp: Any, database: Database, ui_dirs: Path) -> Iterator[JournalConsoles]:
    factory = journal_consoles(qtbot, qapp, database, ui_dirs)
    yield factory
    factory.close()


# --------------------------------------------------------------------------- the database goes away


class CuttableProxy:
    """A TCP relay on 127.0.0.1 to the PostgreSQL server, which the test cuts and restores."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._open = threading.Event()
        self._open.set()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, name="pg-proxy", daemon=True)
        self._thread.start()

    def cut(self) -> None:
        """Drop every connection; new ones are closed as soon as they are accepted."""
        self._open.clear()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        self._open.set()

    def close(self) -> None:
        self._stop.set()
        self.cut()
        self._thread.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._open.is_set():
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            client.settimeout(None)
            with self._lock:
                self._sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def through(url: str, port: int) -> str:
    parts = urlsplit(url)
    credentials = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{credentials}127.0.0.1:{port}"))


@pytest.mark.postgres
def test_database_down_warns_and_writes_the_entries_when_it_returns(
    qtbot: Any, qapp: Any, pg_database_url: str, ui_dirs: Path
) -> None:
    parts = urlsplit(pg_database_url)
    proxy = CuttableProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    direct = open_database(pg_database_url)
    proxied = open_database(through(pg_database_url, proxy.port))
    consoles = JournalConsoles(
        qtbot, qapp, proxied, ui_dirs / "data", ui_dirs / "config" / "console.json", stored_directory(direct)
    )
    try:
        service = consoles.service(stall_s=1.0)
        window = consoles.console("nuit", service=service)
        controller = journal_of(window)
        panel = controller.panel
        assert panel is not None and panel.warning.isHidden()
        proxy.cut()
        uids = []
        for text in ("Premiere entree hors ligne", "Seconde entree hors ligne"):
            editor = controller.open_new_entry()
            assert editor is not None
            type_entry(qtbot, editor, "incendie", text)
            save(qtbot, editor)
            qtbot.waitUntil(lambda: controller.editor is None, timeout=20_000)  # kept here: the editor closes
            uids.append(editor.uid)
        # The warning, in the panel and in the status bar; the entries listed, marked as waiting.
        qtbot.waitUntil(
            lambda: not panel.warning.isHidden(), timeout=10_000
        )  # (the dock itself may be hidden)
        assert "Base de données injoignable" in panel.warning.text()
        assert "gardée(s) sur ce poste" in panel.warning.text()
        label = controller.status_label
        assert label is not None and label.isVisible() and "base injoignable" in label.text()
        for uid in uids:
            row = panel.model.row_of(uid)
            assert row is not None and panel.model.is_queued(uid)
            assert panel.model.index(row, 7).data() == "en attente d'envoi"
        assert JournalRepository(direct).search(JournalQuery(text="hors ligne")).entries == ()

        proxy.restore()
        qtbot.waitUntil(panel.warning.isHidden, timeout=60_000)
        qtbot.waitUntil(lambda: not any(panel.model.is_queued(uid) for uid in uids), timeout=10_000)
        assert not label.isVisible()
        stored = sorted(
            JournalRepository(direct).search(JournalQuery(text="hors ligne")).entries, key=lambda e: e.id or 0
        )
        assert [e.uid for e in stored] == uids  # once each, in the order they were written
    finally:
        consoles.close()
        proxied.close()
        direct.close()
        proxy.close()
