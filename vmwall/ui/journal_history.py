"""The traced versions of an entry: every edit keeps the version it replaced (who, when, what)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from vmwall.model.journal import EntryRevision, JournalEntry
from vmwall.ui.journal_texts import cameras_text, follow_ups_text, local_time, status_label


class EntryHistoryDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        current: JournalEntry | None,
        revisions: Sequence[EntryRevision],
        communes: Mapping[int, str],
        categories: Mapping[str, str],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("entryHistoryDialog")
        self.setWindowTitle(self.tr("Historique de l'entrée"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._communes = communes
        self._categories = categories
        self.view = QTextBrowser(self)
        parts: list[str] = []
        if current is not None:
            heading = self.tr("Version actuelle (révision %1)").replace("%1", str(current.revision))
            parts.append(f"<h3>{html.escape(heading)}</h3>" + self._entry_html(current))
        for revision in reversed(revisions):
            heading = (
                self.tr("Révision %1, remplacée le %2 par %3 (champs modifiés : %4)")
                .replace("%1", str(revision.entry.revision))
                .replace("%2", local_time(revision.replaced_at, "%d/%m/%Y %H:%M:%S"))
                .replace("%3", revision.replaced_by)
                .replace("%4", ", ".join(revision.changed))
            )
            parts.append(f"<h3>{html.escape(heading)}</h3>" + self._entry_html(revision.entry))
        if not revisions:
            never = self.tr("Cette entrée n'a jamais été modifiée.")
            parts.append(f"<p>{html.escape(never)}</p>")
        self.view.setHtml("".join(parts))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        self.resize(640, 520)

    def _entry_html(self, entry: JournalEntry) -> str:
        rows = [
            (self.tr("Heure"), local_time(entry.at, "%d/%m/%Y %H:%M:%S")),
            (self.tr("Commune"), self._communes.get(entry.commune_id, "") if entry.commune_id else ""),
            (self.tr("Catégorie"), self._categories.get(entry.category, entry.category)),
            (self.tr("Lieu"), entry.place),
            (self.tr("Caméras"), cameras_text(entry.cameras)),
            (self.tr("Description"), entry.text),
            (self.tr("Suites"), follow_ups_text(entry.follow_ups)),
            (self.tr("État"), status_label(entry.status)),
        ]
        cells = "".join(
            f"<tr><th align='left'>{html.escape(key)}</th><td>{_multiline(value)}</td></tr>"
            for key, value in rows
        )
        return f"<table cellpadding='3'>{cells}</table>"


def _multiline(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")
