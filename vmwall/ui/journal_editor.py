"""The editor of one main courante entry: a new one (time, camera and commune pre-filled) or an edit.

The time is automatic (the moment the entry was opened: the keystroke on a tile, the button) and
stays editable; the operator is the signed-in account. While the operator types, the fields are
handed out (``draft_changed``) at most once a second for the draft autosave, so a crash loses at
most that second. Saving emits ``save_requested`` with the entry; the controller writes it and
calls `saved` or `show_error`. An edit keeps the revision it started from: the store traces it
(the superseded version is kept) and refuses it if someone else edited the entry meanwhile.

The entry's identifier is chosen when the editor opens and kept in the draft: an entry saved
just before a crash and offered again from its draft is stored once, not twice.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vmwall.model import Commune
from vmwall.model.errors import ValidationError
from vmwall.model.journal import (
    MAX_PLACE_LENGTH,
    Category,
    EntryStatus,
    FollowUp,
    FollowUpKind,
    JournalEntry,
    new_uid,
    utc_now,
)
from vmwall.ui.journal_texts import cameras_text, follow_up_label, local_time, parse_cameras, status_label
from vmwall.ui.theme import error_label

AUTOSAVE_MS = 1000
NEW_SLOT = "entry"
EDIT_SLOT = "edit"
TIME_FORMAT = "dd/MM/yyyy HH:mm:ss"
NO_TIME = QDateTime(QDate(2000, 1, 1), QTime(0, 0))


def to_qdatetime(when: datetime) -> QDateTime:
    return QDateTime.fromMSecsSinceEpoch(round(when.timestamp() * 1000))


def from_qdatetime(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toMSecsSinceEpoch() / 1000, UTC)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


def _parse_iso(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


class EditorInputError(ValueError):
    """What the operator must fix, in words for them (French)."""


class _FollowUpRow:
    """One kind of follow-up: ticked or not, its time, a note."""

    def __init__(self, kind: FollowUpKind, parent: QWidget) -> None:
        self.kind = kind
        self.check = QCheckBox(follow_up_label(kind), parent)
        self.check.setObjectName(f"followUp-{kind.value}")
        self.time = QDateTimeEdit(parent)
        self.time.setDisplayFormat("dd/MM HH:mm")
        self.time.setCalendarPopup(True)
        self.time.setMinimumDateTime(NO_TIME)
        self.time.setSpecialValueText("—")  # shown while the follow-up is not ticked
        self.time.setDateTime(NO_TIME)
        self.time.setEnabled(False)
        self.note = QLineEdit(parent)
        self.note.setMaxLength(MAX_PLACE_LENGTH)
        self.note.setEnabled(False)
        self.at: datetime | None = None  # exact time (the widget shows minutes)
        self.by = ""
        self.earlier: tuple[FollowUp, ...] = ()  # older follow-ups of this kind, kept as they are


class JournalEntryDialog(QDialog):
    save_requested = Signal(object)  # JournalEntry
    draft_changed = Signal(object)  # dict: the fields, for the autosave
    discarded = Signal()  # the operator dropped the entry: forget its draft
    history_requested = Signal(str)  # entry uid

    def __init__(
        self,
        parent: QWidget | None,
        *,
        operator: str,
        workstation: str,
        communes: list[Commune],
        categories: list[Category],
        allow_no_commune: bool = True,
        visible_cameras: Collection[int] | None = None,
        base: JournalEntry | None = None,
        at: datetime | None = None,
        category_labels: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("journalEntryDialog")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.operator = operator
        self.workstation = workstation
        self.base = base
        self.uid = base.uid if base is not None else new_uid()
        self.busy = False
        self.dirty = False  # changed by the operator since opened (or since the draft was restored)
        self._visible_cameras = None if visible_cameras is None else frozenset(visible_cameras)
        self._allow_no_commune = allow_no_commune
        self._loading = True
        self._closing_done = False
        self.setWindowTitle(
            self.tr("Main courante — nouvelle entrée")
            if base is None
            else self.tr("Main courante — modifier l'entrée")
        )

        self.time = QDateTimeEdit(self)
        self.time.setObjectName("entryTime")
        self.time.setDisplayFormat(TIME_FORMAT)
        self.time.setCalendarPopup(True)
        now_button = QPushButton(self.tr("Maintenant"), self)
        now_button.clicked.connect(self._on_now_clicked)
        self.at = base.at if base is not None else (at or utc_now())
        time_row = QHBoxLayout()
        time_row.addWidget(self.time, 1)
        time_row.addWidget(now_button)

        self.operator_label = QLabel(base.operator if base is not None else operator, self)
        self.operator_label.setObjectName("entryOperator")
        self.commune = QComboBox(self)
        self.commune.setObjectName("entryCommune")
        if allow_no_commune:
            self.commune.addItem(self.tr("— (aucune)"), None)
        for commune in communes:
            self.commune.addItem(commune.name, commune.id)
        self.category = QComboBox(self)
        self.category.setObjectName("entryCategory")
        self.category.addItem(self.tr("— choisir —"), None)
        for category in categories:
            if category.active:
                self.category.addItem(category.label, category.code)
        if base is not None and self.category.findData(base.category) < 0:  # retired since: kept
            label = (category_labels or {}).get(base.category, base.category)
            self.category.addItem(self.tr("%1 (ancienne)").replace("%1", label), base.category)
        self.place = QLineEdit(self)
        self.place.setObjectName("entryPlace")
        self.place.setMaxLength(MAX_PLACE_LENGTH)
        self.place.setPlaceholderText(self.tr("Adresse, lieu-dit, repère…"))
        self.cameras = QLineEdit(self)
        self.cameras.setObjectName("entryCameras")
        self.cameras.setPlaceholderText(self.tr("Numéros séparés par des virgules, p. ex. 12, 14"))
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("entryText")
        self.text.setPlaceholderText(self.tr("Ce qui a été vu, ce qui a été fait…"))
        self.text.setTabChangesFocus(True)
        self.status = QComboBox(self)
        self.status.setObjectName("entryStatus")
        for status in EntryStatus:
            self.status.addItem(status_label(status), status.value)

        follow_box = QWidget(self)
        follow_grid = QGridLayout(follow_box)
        follow_grid.setContentsMargins(0, 0, 0, 0)
        self.follow_ups: dict[FollowUpKind, _FollowUpRow] = {}
        for index, kind in enumerate(FollowUpKind):
            row = _FollowUpRow(kind, follow_box)
            row.note.setPlaceholderText(self.tr("Note (équipage, n° d'intervention…)"))
            self.follow_ups[kind] = row
            follow_grid.addWidget(row.check, index, 0)
            follow_grid.addWidget(row.time, index, 1)
            follow_grid.addWidget(row.note, index, 2)
            row.check.toggled.connect(lambda checked, r=row: self._on_follow_up_toggled(r, checked))
            row.time.dateTimeChanged.connect(lambda value, r=row: self._on_follow_up_time_changed(r, value))
            row.note.textEdited.connect(self._on_changed)
        follow_grid.setColumnStretch(2, 1)

        form = QFormLayout()
        form.addRow(self.tr("Heure"), time_row)
        form.addRow(self.tr("Opérateur"), self.operator_label)
        form.addRow(self.tr("Commune"), self.commune)
        form.addRow(self.tr("Catégorie"), self.category)
        form.addRow(self.tr("Lieu"), self.place)
        form.addRow(self.tr("Caméras"), self.cameras)
        form.addRow(self.tr("Description"), self.text)
        form.addRow(self.tr("Suites"), follow_box)
        form.addRow(self.tr("État"), self.status)

        self.revision_label = QLabel("", self)
        self.revision_label.setObjectName("entryRevision")
        self.revision_label.setWordWrap(True)
        self.message = error_label(self, "entryMessage")
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(
            self.tr("Enregistrer"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("entrySave")
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        cancel = self.buttons.addButton(self.tr("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAutoDefault(False)
        self.history_button: QPushButton | None = None
        if base is not None:
            self.history_button = self.buttons.addButton(
                self.tr("Historique…"), QDialogButtonBox.ButtonRole.ActionRole
            )
            self.history_button.clicked.connect(lambda: self.history_requested.emit(self.uid))
        self.save_button.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.revision_label)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(620, 560)

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self._on_autosave_timeout)

        if base is not None:
            self._load_entry(base)
        self._show_time()
        for signal in (
            self.commune.currentIndexChanged,
            self.category.currentIndexChanged,
            self.status.currentIndexChanged,
        ):
            signal.connect(self._on_changed)
        self.place.textEdited.connect(self._on_changed)
        self.cameras.textEdited.connect(self._on_changed)
        self.text.textChanged.connect(self._on_changed)
        self.time.dateTimeChanged.connect(self._on_time_changed)
        self._loading = False

    # --- what it holds ------------------------------------------------------------------------

    @property
    def slot(self) -> str:
        return NEW_SLOT if self.base is None else EDIT_SLOT

    def prefill(self, *, cameras: tuple[int, ...] = (), commune_id: int | None = None) -> None:
        """Quick entry: add the tile's camera, and its commune if none is chosen yet."""
        self._loading = True
        try:
            try:
                current = list(parse_cameras(self.cameras.text()))
            except ValueError:
                current = []
            for number in cameras:
                if number not in current:
                    current.append(number)
            self.cameras.setText(cameras_text(current))
            if commune_id is not None and self.commune.currentData() is None:
                index = self.commune.findData(commune_id)
                if index >= 0:
                    self.commune.setCurrentIndex(index)
        finally:
            self._loading = False

    def set_categories(self, categories: list[Category]) -> None:
        """The typology (re)loaded: offer its active categories, keeping the one chosen."""
        current = self.category.currentData()
        loading, self._loading = self._loading, True
        try:
            self.category.clear()
            self.category.addItem(self.tr("— choisir —"), None)
            for category in categories:
                if category.active or category.code == current:
                    self.category.addItem(category.label, category.code)
            self.category.setCurrentIndex(max(0, self.category.findData(current)))
        finally:
            self._loading = loading

    def _load_entry(self, entry: JournalEntry) -> None:
        self.at = entry.at
        index = self.commune.findData(entry.commune_id)
        if index < 0 and entry.commune_id is not None:
            self.commune.addItem(self.tr("commune %1").replace("%1", str(entry.commune_id)), entry.commune_id)
            index = self.commune.count() - 1
        self.commune.setCurrentIndex(max(0, index))
        self.category.setCurrentIndex(max(0, self.category.findData(entry.category)))
        self.place.setText(entry.place)
        self.cameras.setText(cameras_text(entry.cameras))
        self.text.setPlainText(entry.text)
        self.status.setCurrentIndex(max(0, self.status.findData(entry.status.value)))
        for kind, row in self.follow_ups.items():
            same = [f for f in entry.follow_ups if f.kind is kind]
            row.earlier = tuple(same[:-1])
            latest = same[-1] if same else None
            row.check.setChecked(latest is not None)
            row.at = latest.at if latest is not None else None
            row.by = latest.by if latest is not None else ""
            row.note.setText(latest.note if latest is not None else "")
            if latest is not None:
                row.time.setDateTime(to_qdatetime(latest.at))
        if entry.revision > 1:
            self.revision_label.setText(
                self.tr("Révision %1 — modifiée par %2 le %3.")
                .replace("%1", str(entry.revision))
                .replace("%2", entry.edited_by or "?")
                .replace("%3", local_time(entry.edited_at))
            )
        elif entry.recorded_at is not None:
            self.revision_label.setText(
                self.tr("Enregistrée le %1 par %2.")
                .replace("%1", local_time(entry.recorded_at))
                .replace("%2", entry.operator)
            )

    def fields(self) -> dict[str, Any]:
        """Everything typed, as JSON values (the draft)."""
        return {
            "mode": "new" if self.base is None else "edit",
            "uid": self.uid,
            "revision": self.base.revision if self.base is not None else 0,
            "operator": self.operator,
            "at": _iso(self.at),
            "commune_id": self.commune.currentData(),
            "category": self.category.currentData(),
            "place": self.place.text(),
            "cameras": self.cameras.text(),
            "text": self.text.toPlainText(),
            "status": self.status.currentData(),
            "follow_ups": [
                {
                    "kind": kind.value,
                    "checked": row.check.isChecked(),
                    "at": _iso(row.at) if row.at is not None else None,
                    "note": row.note.text(),
                }
                for kind, row in self.follow_ups.items()
            ],
        }

    def apply_fields(self, fields: Mapping[str, Any]) -> None:
        """Fill the editor from a draft (what was typed before the crash)."""
        self._loading = True
        try:
            uid = fields.get("uid")
            if self.base is None and isinstance(uid, str) and len(uid) == 32:
                self.uid = uid
            at = _parse_iso(fields.get("at"))
            if at is not None:
                self.at = at
                self._show_time()
            index = self.commune.findData(fields.get("commune_id"))
            if index >= 0:
                self.commune.setCurrentIndex(index)
            index = self.category.findData(fields.get("category"))
            if index >= 0:
                self.category.setCurrentIndex(index)
            self.place.setText(str(fields.get("place", "")))
            self.cameras.setText(str(fields.get("cameras", "")))
            self.text.setPlainText(str(fields.get("text", "")))
            index = self.status.findData(fields.get("status"))
            if index >= 0:
                self.status.setCurrentIndex(index)
            saved_rows = fields.get("follow_ups")
            for item in saved_rows if isinstance(saved_rows, list) else []:
                if not isinstance(item, dict):
                    continue
                try:
                    kind = FollowUpKind(str(item.get("kind")))
                except ValueError:
                    continue
                row = self.follow_ups[kind]
                row.check.setChecked(bool(item.get("checked")))
                row.at = _parse_iso(item.get("at")) if item.get("checked") else None
                if row.at is not None:
                    row.time.setDateTime(to_qdatetime(row.at))
                row.note.setText(str(item.get("note", "")))
        finally:
            self._loading = False
        self.dirty = True

    def entry(self) -> JournalEntry:
        """The entry as typed; EditorInputError (French) for what the operator must fix."""
        text = self.text.toPlainText().strip()
        category = self.category.currentData()
        commune_id = self.commune.currentData()
        if category is None:
            raise EditorInputError(self.tr("Choisissez une catégorie."))
        if not text:
            raise EditorInputError(self.tr("La description est vide."))
        if commune_id is None and not self._allow_no_commune:
            raise EditorInputError(self.tr("Choisissez une commune."))
        try:
            cameras = parse_cameras(self.cameras.text())
        except ValueError as error:
            raise EditorInputError(
                self.tr("« %1 » n'est pas un numéro de caméra.").replace("%1", str(error))
            ) from None
        if self._visible_cameras is not None:
            unknown = [n for n in cameras if n not in self._visible_cameras]
            if unknown and (self.base is None or any(n not in self.base.cameras for n in unknown)):
                raise EditorInputError(
                    self.tr("Caméra(s) absente(s) de votre catalogue : %1.").replace(
                        "%1", cameras_text(unknown)
                    )
                )
        follow_ups: list[FollowUp] = []
        for row in self.follow_ups.values():
            if not row.check.isChecked():
                continue
            follow_ups.extend(row.earlier)
            by = row.by or ("" if self.base is None else self.operator)
            follow_ups.append(FollowUp(row.kind, row.at or utc_now(), row.note.text().strip(), by))
        follow_ups.sort(key=lambda f: f.at)
        status = EntryStatus(self.status.currentData())
        try:
            if self.base is not None:
                return replace(
                    self.base,
                    at=self.at,
                    category=str(category),
                    text=text,
                    commune_id=commune_id,
                    place=self.place.text().strip(),
                    cameras=cameras,
                    follow_ups=tuple(follow_ups),
                    status=status,
                )
            return JournalEntry(
                uid=self.uid,
                at=self.at,
                operator=self.operator,
                category=str(category),
                text=text,
                commune_id=commune_id,
                place=self.place.text().strip(),
                cameras=cameras,
                follow_ups=tuple(follow_ups),
                status=status,
                workstation=self.workstation,
            )
        except ValidationError as error:
            raise EditorInputError(self.tr("Entrée refusée : %1").replace("%1", str(error))) from None

    # --- saving -------------------------------------------------------------------------------

    def submit(self) -> None:
        if self.busy:
            return
        try:
            entry = self.entry()
        except EditorInputError as error:
            self.show_error(str(error))
            return
        self.set_busy(True)
        self.message.setText("")
        self.save_requested.emit(entry)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.save_button.setEnabled(not busy)
        self.save_button.setText(self.tr("Enregistrement…") if busy else self.tr("Enregistrer"))

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.message.setText(text)

    def saved(self) -> None:
        """The entry is durable (in the database or queued on this workstation): close."""
        self._autosave.stop()
        self.dirty = False
        self._closing_done = True
        self.accept()

    def close_keeping_draft(self) -> None:
        """Close without asking, the draft kept on disk (shift handover, console closing)."""
        self._autosave.stop()
        self._closing_done = True
        self.done(QDialog.DialogCode.Rejected)

    def reject(self) -> None:
        if self._closing_done:
            super().reject()
            return
        if self.dirty and self.text.toPlainText().strip():
            answer = QMessageBox.question(
                self,
                self.tr("Abandonner la saisie ?"),
                self.tr("L'entrée n'est pas enregistrée. L'abandonner (son brouillon sera supprimé) ?"),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._autosave.stop()
        self._closing_done = True
        self.discarded.emit()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt)
        if not self._closing_done:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt)
        # Ctrl+Enter saves; a lone Enter must never send a half-typed entry.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.submit()
            event.accept()
            return
        super().keyPressEvent(event)

    # --- changes ------------------------------------------------------------------------------

    def _show_time(self) -> None:
        loading, self._loading = self._loading, True
        try:
            self.time.setDateTime(to_qdatetime(self.at))
        finally:
            self._loading = loading

    def _on_now_clicked(self) -> None:
        self.at = utc_now()
        self._show_time()
        self._on_changed()

    def _on_time_changed(self, value: QDateTime) -> None:
        if not self._loading:
            self.at = from_qdatetime(value)
            self._on_changed()

    def _on_follow_up_toggled(self, row: _FollowUpRow, checked: bool) -> None:
        row.time.setEnabled(checked)
        row.note.setEnabled(checked)
        if self._loading:
            return
        if checked and row.at is None:
            row.at = utc_now()
            loading, self._loading = self._loading, True
            row.time.setDateTime(to_qdatetime(row.at))
            self._loading = loading
        if not checked:
            row.at = None
            loading, self._loading = self._loading, True
            row.time.setDateTime(NO_TIME)
            self._loading = loading
        self._on_changed()

    def _on_follow_up_time_changed(self, row: _FollowUpRow, value: QDateTime) -> None:
        if not self._loading and row.check.isChecked():
            row.at = from_qdatetime(value)
            self._on_changed()

    def _on_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self.dirty = True
        if not self._autosave.isActive():  # at most once a second, even while typing non-stop
            self._autosave.start()

    def _on_autosave_timeout(self) -> None:
        if self.dirty and not self._closing_done:
            self.draft_changed.emit(self.fields())

    def flush_draft(self) -> dict[str, Any] | None:
        """The fields not yet handed to the autosave (the console is closing), or None."""
        if self._autosave.isActive() and not self._closing_done:
            self._autosave.stop()
            return self.fields()
        return None
