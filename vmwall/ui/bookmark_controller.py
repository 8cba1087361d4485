"""Incident bookmarks in the console: one keystroke on a tile, the list, completing one afterwards.

The keystroke (``Action.BOOKMARK``, Ctrl+B by default) on the selected tile marks its camera from
30 s before now (the pre-roll: what led the operator to press) with no end yet; the same
keystroke on the same camera ends it. Title, tags, exact times and the journal entry it
illustrates are completed in `BookmarkDialog` (the bookmarks tab, double-click). Bookmarks of a
camera are listed from the tile's menu; the tab searches titles and tags.

Writes go through the journal service (durable at once, queued while the database is away);
answers come back to the GUI thread through the bridge.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from vmwall.journal.writer import WriteOutcome
from vmwall.model.journal import (
    DEFAULT_PRE_ROLL_S,
    Bookmark,
    BookmarkQuery,
    JournalQuery,
    new_bookmark,
    utc_now,
)
from vmwall.ui.bookmark_dialog import BookmarkDialog
from vmwall.ui.bookmark_panel import BookmarkListWidget
from vmwall.ui.bridge import Bridge
from vmwall.ui.journal_backend import JournalBackend
from vmwall.ui.journal_events import JournalEvents
from vmwall.ui.journal_texts import entry_summary, local_time

if TYPE_CHECKING:
    from vmwall.ui.journal_controller import JournalController

log = logging.getLogger(__name__)

MAX_LINKED_LABELS = 50
LINK_WINDOW = timedelta(hours=12)  # entries offered as the bookmark's entry: from 12 h before it
RUNNING_WINDOW = timedelta(hours=24)  # running bookmarks taken up again at start: started within 24 h
MAX_RUNNING = 200


class BookmarkController(QObject):
    def __init__(
        self,
        journal: JournalController,
        bridge: Bridge,
        service: JournalBackend,
        events: JournalEvents,
        listing: BookmarkListWidget,
    ) -> None:
        super().__init__(journal)
        self.journal = journal
        self.bridge = bridge
        self.service = service
        self.listing = listing
        self.running: dict[int, Bookmark] = {}  # camera -> bookmark started here, not ended yet
        self.dialog: BookmarkDialog | None = None
        self._search_seq = 0
        events.bookmark_saved.connect(self._on_events_bookmark_saved)
        listing.query_changed.connect(self.search)
        listing.edit_requested.connect(self.edit)
        listing.end_requested.connect(self.end_now)

    # --- the keystroke ------------------------------------------------------------------------

    def load_running(self, login: str) -> None:
        """Bookmarks this operator left running on this workstation (before a restart): the keystroke
        on their camera ends them rather than starting another."""
        service = self.service
        query = BookmarkQuery(start=utc_now() - RUNNING_WINDOW, limit=MAX_RUNNING)

        def job() -> list[Bookmark]:
            return [
                b
                for b in service.bookmarks(query)
                if b.end is None and b.created_by == login and b.workstation == service.workstation
            ]

        self.bridge.submit(
            "find the running bookmarks",
            job,
            lambda found: self._on_running_loaded(login, found),
            receiver=self,
        )

    def _on_running_loaded(self, login: str, found: list[Bookmark]) -> None:
        if login != self.journal.operator():
            return
        for bookmark in sorted(found, key=lambda b: b.start):
            for camera in bookmark.cameras:
                self.running.setdefault(camera, bookmark)

    def running_on(self, camera: int | None) -> Bookmark | None:
        return self.running.get(camera) if camera is not None else None

    def toggle(self, camera: int | None) -> Future[WriteOutcome] | None:
        """Start a bookmark on ``camera`` (pre-roll 30 s), or end the one this console started."""
        refusal = self.journal.write_refusal()
        if refusal is None and (camera is None or not self.journal.camera_visible(camera)):
            refusal = self.tr("Pas de caméra dans la tuile sélectionnée.")
        operator = self.journal.operator()
        if refusal is not None or camera is None or operator is None:
            self.journal.notify(refusal or "")
            return None
        running = self.running.get(camera)
        if running is not None:
            return self.end_now(running)
        bookmark = new_bookmark(
            [camera],
            operator,
            self.default_title(camera),
            workstation=self.service.workstation,
        )
        self.running[camera] = bookmark
        keys = self.journal.shortcut_text("bookmark")
        return self.journal.write(
            lambda: self.service.add_bookmark(bookmark),
            lambda outcome: self._on_started(bookmark, outcome, keys),
            lambda error: self._on_start_failed(bookmark, error),
        )

    def default_title(self, camera: int) -> str:
        name = self.journal.camera_name(camera)
        title = self.tr("Incident caméra %1").replace("%1", str(camera))
        return f"{title} — {name}" if name else title

    def _on_started(self, bookmark: Bookmark, outcome: WriteOutcome, keys: str) -> None:
        stored = outcome.value if isinstance(outcome.value, Bookmark) else bookmark
        if self.running.get(bookmark.cameras[0]) is bookmark:
            self.running[bookmark.cameras[0]] = stored
        self.listing.upsert(stored)
        text = (
            self.tr("Signet posé sur la caméra %1 depuis %2 (%3 s avant).")
            .replace("%1", str(bookmark.cameras[0]))
            .replace("%2", local_time(bookmark.start, "%H:%M:%S"))
            .replace("%3", str(int(DEFAULT_PRE_ROLL_S)))
        )
        if keys:
            text += " " + self.tr("%1 à nouveau pour le terminer.").replace("%1", keys)
        if not outcome.saved:
            text += " " + self.journal.queued_text()
        self.journal.notify(text)

    def _on_start_failed(self, bookmark: Bookmark, error: Exception) -> None:
        if self.running.get(bookmark.cameras[0]) is bookmark:
            del self.running[bookmark.cameras[0]]
        self.journal.notify(self.tr("Signet impossible : %1").replace("%1", str(error)))

    def end_now(self, bookmark: Bookmark) -> Future[WriteOutcome] | None:
        operator = self.journal.operator()
        refusal = self.journal.write_refusal()
        if refusal is not None or operator is None:
            self.journal.notify(refusal or "")
            return None
        ended = replace(bookmark, end=max(utc_now(), bookmark.start))
        for camera in bookmark.cameras:
            if (mine := self.running.get(camera)) is not None and mine.uid == bookmark.uid:
                del self.running[camera]
        return self.journal.write(
            lambda: self.service.edit_bookmark(ended, operator),
            lambda outcome: self._on_ended(ended, outcome),
            lambda error: self.journal.notify(self.tr("Signet non terminé : %1").replace("%1", str(error))),
        )

    def _on_ended(self, bookmark: Bookmark, outcome: WriteOutcome) -> None:
        stored = outcome.value if isinstance(outcome.value, Bookmark) else bookmark
        self.listing.upsert(stored)
        text = (
            self.tr("Signet terminé : caméra %1, de %2 à %3.")
            .replace("%1", ", ".join(str(c) for c in bookmark.cameras))
            .replace("%2", local_time(bookmark.start, "%H:%M:%S"))
            .replace("%3", local_time(bookmark.end, "%H:%M:%S"))
        )
        if not outcome.saved:
            text += " " + self.journal.queued_text()
        self.journal.notify(text)

    # --- the list -----------------------------------------------------------------------------

    def search(self) -> None:
        query = self.listing.query()
        self._search_seq += 1
        seq = self._search_seq
        service = self.service
        known = set(self.listing.entry_labels)
        names, categories = self.journal.commune_names, self.journal.category_labels

        def job() -> tuple[list[Bookmark], dict[str, str]]:
            found = service.bookmarks(query)
            wanted = [b.entry_uid for b in found if b.entry_uid and b.entry_uid not in known]
            labels: dict[str, str] = {}
            for uid in dict.fromkeys(wanted):
                if len(labels) >= MAX_LINKED_LABELS:
                    break
                entry = service.get_entry(uid)
                if entry is not None:
                    labels[uid] = entry_summary(entry, names, categories)
            return found, labels

        self.bridge.submit(
            "search the bookmarks",
            job,
            lambda result: self._on_searched(seq, query, result),
            lambda error: self.journal.notify(
                self.tr("Recherche de signets impossible : %1").replace("%1", str(error))
            ),
            receiver=self,
        )

    def _on_searched(
        self, seq: int, query: BookmarkQuery, result: tuple[list[Bookmark], dict[str, str]]
    ) -> None:
        if seq != self._search_seq:
            return  # an older search: the filters changed since
        found, labels = result
        self.listing.set_entry_labels(labels)
        self.listing.show_results(query, found)

    def show_camera(self, camera: int) -> None:
        self.listing.show_camera(camera)

    def _on_events_bookmark_saved(self, bookmark: Bookmark, _local: bool) -> None:
        for camera in bookmark.cameras:
            mine = self.running.get(camera)
            if mine is not None and mine.uid == bookmark.uid:
                if bookmark.end is None:
                    self.running[camera] = bookmark  # its newest revision, for the end's edit
                else:
                    del self.running[camera]
        self.listing.upsert(bookmark)
        if bookmark.entry_uid and bookmark.entry_uid not in self.listing.entry_labels:
            self._learn_entry(bookmark.entry_uid)

    def _learn_entry(self, uid: str) -> None:
        """Name the linked entry of a bookmark that arrived without it (read on a worker)."""
        service = self.service
        names, categories = self.journal.commune_names, self.journal.category_labels

        def job() -> dict[str, str]:
            entry = service.get_entry(uid)
            return {} if entry is None else {uid: entry_summary(entry, names, categories)}

        self.bridge.submit("name a bookmark's entry", job, self.listing.set_entry_labels, receiver=self)

    # --- completing one -----------------------------------------------------------------------

    def edit(self, bookmark: Bookmark) -> None:
        refusal = self.journal.write_refusal()
        if refusal is not None:
            self.journal.notify(refusal)
            return
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        service = self.service
        query = JournalQuery(start=bookmark.start - LINK_WINDOW, communes=self.journal.scope(), limit=100)
        names, labels = self.journal.commune_names, self.journal.category_labels

        def job() -> list[tuple[str, str]]:
            entries = list(service.search(query).entries)
            return [(e.uid, entry_summary(e, names, labels)) for e in entries]

        self.bridge.submit(
            "list entries for a bookmark",
            job,
            lambda entries: self._open_dialog(bookmark, entries),
            lambda _error: self._open_dialog(bookmark, []),
            receiver=self,
        )

    def _open_dialog(self, bookmark: Bookmark, entries: list[tuple[str, str]]) -> None:
        if self.dialog is not None or self.journal.window is None:
            return
        dialog = BookmarkDialog(self.journal.window, bookmark, entries)
        self.dialog = dialog
        dialog.save_requested.connect(self._on_dialog_save_requested)
        dialog.finished.connect(lambda _result: self._on_dialog_finished(dialog))
        dialog.open()

    def _on_dialog_finished(self, dialog: BookmarkDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _on_dialog_save_requested(self, edited: Bookmark) -> None:
        dialog = self.dialog
        operator = self.journal.operator()
        if dialog is None or operator is None:
            return

        if edited.entry_uid is not None:
            self.listing.set_entry_labels({edited.entry_uid: dialog.entry.currentText()})

        def saved(outcome: WriteOutcome) -> None:
            stored = outcome.value if isinstance(outcome.value, Bookmark) else edited
            self._on_events_bookmark_saved(stored, True)
            if not outcome.saved:
                self.journal.notify(self.tr("Signet modifié.") + " " + self.journal.queued_text())
            dialog.saved()

        self.journal.write(
            lambda: self.service.edit_bookmark(edited, operator),
            saved,
            lambda error: dialog.show_error(self.journal.error_text(error)),
            receiver=dialog,
        )
