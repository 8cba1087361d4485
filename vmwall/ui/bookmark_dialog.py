"""The editor of one incident bookmark: title, tags, start and end, the journal entry it illustrates.

A bookmark is created by one keystroke on a tile (start = now − 30 s, still running); this dialog
completes it afterwards. Saving emits ``save_requested`` with the edited bookmark (its revision is
the one it started from: the store refuses it if someone else changed it meanwhile).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from vmwall.model.errors import ValidationError
from vmwall.model.journal import MAX_TITLE_LENGTH, Bookmark, utc_now
from vmwall.ui.journal_editor import from_qdatetime, to_qdatetime
from vmwall.ui.journal_texts import cameras_text
from vmwall.ui.theme import error_label

TIME_FORMAT = "dd/MM/yyyy HH:mm:ss"


def parse_tags(text: str) -> tuple[str, ...]:
    """``"rixe, gare , rixe"`` -> ("rixe", "gare"): comma-separated, trimmed, each once."""
    tags: list[str] = []
    for part in text.split(","):
        tag = " ".join(part.split())
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    return tuple(tags)


class BookmarkDialog(QDialog):
    save_requested = Signal(object)  # Bookmark

    def __init__(
        self,
        parent: QWidget | None,
        bookmark: Bookmark,
        entries: Sequence[tuple[str, str]] = (),  # (entry uid, one line) it may be linked to
    ) -> None:
        super().__init__(parent)
        self.setObjectName("bookmarkDialog")
        self.setWindowTitle(self.tr("Signet d'incident"))
        self.bookmark = bookmark
        self.busy = False
        self.cameras_label = QLabel(cameras_text(bookmark.cameras), self)
        self.title = QLineEdit(bookmark.title, self)
        self.title.setObjectName("bookmarkTitle")
        self.title.setMaxLength(MAX_TITLE_LENGTH)
        self.tags = QLineEdit(", ".join(bookmark.tags), self)
        self.tags.setObjectName("bookmarkTags")
        self.tags.setPlaceholderText(self.tr("Étiquettes séparées par des virgules"))
        self.start = QDateTimeEdit(to_qdatetime(bookmark.start), self)
        self.start.setObjectName("bookmarkStart")
        self.start.setDisplayFormat(TIME_FORMAT)
        self.running = QCheckBox(self.tr("En cours"), self)
        self.running.setObjectName("bookmarkRunning")
        self.end = QDateTimeEdit(to_qdatetime(bookmark.end or utc_now()), self)
        self.end.setObjectName("bookmarkEnd")
        self.end.setDisplayFormat(TIME_FORMAT)
        self.running.setChecked(bookmark.end is None)
        self.end.setEnabled(bookmark.end is not None)
        self.running.toggled.connect(self._on_running_toggled)
        end_row = QHBoxLayout()
        end_row.addWidget(self.end, 1)
        end_row.addWidget(self.running)
        self.entry = QComboBox(self)
        self.entry.setObjectName("bookmarkEntry")
        self.entry.addItem(self.tr("— aucune —"), None)
        for uid, label in entries:
            self.entry.addItem(label, uid)
        if bookmark.entry_uid is not None and self.entry.findData(bookmark.entry_uid) < 0:
            self.entry.addItem(self.tr("(entrée liée)"), bookmark.entry_uid)
        self.entry.setCurrentIndex(max(0, self.entry.findData(bookmark.entry_uid)))
        self._start_value = bookmark.start  # exact, unless the operator changes the field
        self._end_value = bookmark.end
        self.start.dateTimeChanged.connect(lambda value: setattr(self, "_start_value", from_qdatetime(value)))
        self.end.dateTimeChanged.connect(lambda value: setattr(self, "_end_value", from_qdatetime(value)))

        form = QFormLayout()
        form.addRow(self.tr("Caméras"), self.cameras_label)
        form.addRow(self.tr("Titre"), self.title)
        form.addRow(self.tr("Étiquettes"), self.tags)
        form.addRow(self.tr("Début"), self.start)
        form.addRow(self.tr("Fin"), end_row)
        form.addRow(self.tr("Entrée de main courante"), self.entry)
        self.message = error_label(self, "bookmarkMessage")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Enregistrer"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Annuler"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _on_running_toggled(self, running: bool) -> None:
        self.end.setEnabled(not running)
        if not running and self._end_value is None:
            self._end_value = utc_now()
            self.end.setDateTime(to_qdatetime(self._end_value))

    def edited(self) -> Bookmark:
        """The bookmark as edited; ValueError with the operator's words."""
        try:
            return replace(
                self.bookmark,
                title=self.title.text().strip(),
                tags=parse_tags(self.tags.text()),
                start=self._start_value,
                end=None if self.running.isChecked() else self._end_value,
                entry_uid=self.entry.currentData(),
            )
        except ValidationError as error:
            if not self.title.text().strip():
                raise ValueError(self.tr("Le titre est vide.")) from None
            if not self.running.isChecked() and self._end_value and self._end_value < self._start_value:
                raise ValueError(self.tr("La fin précède le début.")) from None
            raise ValueError(self.tr("Signet refusé : %1").replace("%1", str(error))) from None

    def submit(self) -> None:
        if self.busy:
            return
        try:
            bookmark = self.edited()
        except ValueError as error:
            self.message.setText(str(error))
            return
        self.busy = True
        self.save_button.setEnabled(False)
        self.message.setText("")
        self.save_requested.emit(bookmark)

    def show_error(self, text: str) -> None:
        self.busy = False
        self.save_button.setEnabled(True)
        self.message.setText(text)

    def saved(self) -> None:
        self.accept()
