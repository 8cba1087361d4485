"""The PTZ panel's presets list (go, save, rename, delete) and tour editor (presets with dwell times).

Views only: they show what the PTZ controller gives them and emit what the operator asks for.
Names and confirmations are asked through ``ask_text`` and ``ask_confirmation`` (module functions,
so tests can answer them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vmwall.model.ptz import PtzPreset
from vmwall.ptz.api import TourState, TourStep

MAX_PRESET_NAME = 64
DEFAULT_DWELL_S = 10
MAX_DWELL_S = 3600
TOKEN_ROLE = Qt.ItemDataRole.UserRole


def ask_text(parent: QWidget, title: str, label: str, text: str = "") -> str | None:
    """A line of text from the operator, or None when they cancel."""
    value, accepted = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if accepted else None


def ask_confirmation(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def clean_name(text: str) -> str:
    """A preset name as stored: one line, spaces collapsed."""
    return " ".join(text.split())


class PtzPresetsWidget(QGroupBox):
    goto_requested = Signal(str)  # token
    save_requested = Signal(str)  # name of a new preset at the current position
    rename_requested = Signal(str, str)  # token, new name
    delete_requested = Signal(str)  # token

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Préréglages"), parent)
        self.presets: list[PtzPreset] = []
        self.list = QListWidget(self)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setMinimumHeight(90)
        self.list.setMaximumHeight(180)
        self.list.itemDoubleClicked.connect(self._on_list_item_double_clicked)
        self.list.currentItemChanged.connect(lambda *_args: self._update_buttons())
        self.goto_button = QPushButton(self.tr("Aller"), self)
        self.save_button = QPushButton(self.tr("Enregistrer…"), self)
        self.rename_button = QPushButton(self.tr("Renommer…"), self)
        self.delete_button = QPushButton(self.tr("Supprimer"), self)
        self.goto_button.setProperty("help", self.tr("Envoyer la caméra sur ce préréglage (double-clic)"))
        self.save_button.setProperty(
            "help", self.tr("Enregistrer la position actuelle comme nouveau préréglage")
        )
        self.goto_button.clicked.connect(self._on_goto_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.rename_button.clicked.connect(self._on_rename_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        buttons = QGridLayout()
        for index, button in enumerate(
            (self.goto_button, self.save_button, self.rename_button, self.delete_button)
        ):
            buttons.addWidget(button, index // 2, index % 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self._may_move = False
        self._may_edit = False
        self._refusal = ""
        self._update_buttons()

    # --- from the controller ------------------------------------------------------------------

    def set_presets(self, presets: Sequence[PtzPreset]) -> None:
        """Show these presets, keeping the selected one when it is still there."""
        keep = self.selected_token()
        self.presets = list(presets)
        self.list.clear()
        for preset in self.presets:
            item = QListWidgetItem(preset.name or preset.token)
            item.setData(TOKEN_ROLE, preset.token)
            item.setToolTip(preset.token)
            self.list.addItem(item)
            if preset.token == keep:
                self.list.setCurrentItem(item)
        self._update_buttons()

    def set_allowed(self, may_move: bool, may_edit: bool, refusal: str = "") -> None:
        """``refusal``: why the disabled buttons are disabled (shown as their tooltip)."""
        self._may_move, self._may_edit, self._refusal = may_move, may_edit, refusal
        self._update_buttons()

    # --- reading ------------------------------------------------------------------------------

    def selected_token(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(TOKEN_ROLE)) if item is not None else None

    def selected_preset(self) -> PtzPreset | None:
        token = self.selected_token()
        return next((p for p in self.presets if p.token == token), None)

    def select(self, token: str) -> bool:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(TOKEN_ROLE) == token:
                self.list.setCurrentItem(item)
                return True
        return False

    def name_of(self, token: str) -> str:
        return next((p.name for p in self.presets if p.token == token), token)

    # --- the operator -------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        chosen = self.list.currentItem() is not None
        self.goto_button.setEnabled(self._may_move and chosen)
        self.save_button.setEnabled(self._may_edit)
        self.rename_button.setEnabled(self._may_edit and chosen)
        self.delete_button.setEnabled(self._may_edit and chosen)
        for button, allowed in (
            (self.goto_button, self._may_move),
            (self.save_button, self._may_edit),
            (self.rename_button, self._may_edit),
            (self.delete_button, self._may_edit),
        ):
            refused = not allowed and bool(self._refusal)
            button.setToolTip(self._refusal if refused else str(button.property("help") or ""))

    def _on_list_item_double_clicked(self, item: QListWidgetItem) -> None:
        if self._may_move:
            self.goto_requested.emit(str(item.data(TOKEN_ROLE)))

    def _on_goto_button_clicked(self) -> None:
        token = self.selected_token()
        if token is not None and self._may_move:
            self.goto_requested.emit(token)

    def _on_save_button_clicked(self) -> None:
        if not self._may_edit:
            return
        taken = {p.name for p in self.presets}
        number = len(self.presets) + 1
        while (default := self.tr("Préréglage %1").replace("%1", str(number))) in taken:
            number += 1
        name = self._ask_name(self.tr("Nouveau préréglage"), default)
        if name is not None:
            self.save_requested.emit(name)

    def _on_rename_button_clicked(self) -> None:
        preset = self.selected_preset()
        if preset is None or not self._may_edit:
            return
        name = self._ask_name(self.tr("Renommer le préréglage"), preset.name, preset.token)
        if name is not None and name != preset.name:
            self.rename_requested.emit(preset.token, name)

    def _on_delete_button_clicked(self) -> None:
        preset = self.selected_preset()
        if preset is None or not self._may_edit:
            return
        if ask_confirmation(
            self,
            self.tr("Supprimer le préréglage ?"),
            self.tr("Supprimer le préréglage « %1 » de la caméra ?").replace("%1", preset.name),
        ):
            self.delete_requested.emit(preset.token)

    def _ask_name(self, title: str, text: str, own_token: str | None = None) -> str | None:
        """A valid new name, asking again while it is empty, too long or already taken."""
        label = self.tr("Nom du préréglage :")
        while True:
            answer = ask_text(self, title, label, text)
            if answer is None:
                return None
            name = clean_name(answer)
            if not name:
                label = self.tr("Le nom ne peut pas être vide. Nom du préréglage :")
            elif len(name) > MAX_PRESET_NAME:
                label = self.tr("%1 caractères au plus. Nom du préréglage :").replace(
                    "%1", str(MAX_PRESET_NAME)
                )
            elif any(p.name == name and p.token != own_token for p in self.presets):
                label = self.tr("« %1 » existe déjà. Nom du préréglage :").replace("%1", name)
            else:
                return name
            text = answer


@dataclass(frozen=True, slots=True)
class _Step:
    token: str
    name: str


class PtzTourWidget(QGroupBox):
    """A tour: presets visited in turn, each held for its dwell time; start and stop."""

    add_requested = Signal()  # add the preset selected in the presets list
    start_requested = Signal()
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Ronde"), parent)
        self._steps: list[_Step] = []
        self.table = QTableWidget(0, 2, self)
        self.table.setHorizontalHeaderLabels([self.tr("Préréglage"), self.tr("Pause (s)")])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setMinimumHeight(80)
        self.table.setMaximumHeight(160)
        self.add_button = QPushButton(self.tr("Ajouter le préréglage"), self)
        self.add_button.setToolTip(self.tr("Ajoute à la ronde le préréglage choisi dans la liste"))
        self.remove_button = QPushButton(self.tr("Retirer l'étape"), self)
        self.start_button = QPushButton(self.tr("Démarrer"), self)
        self.stop_button = QPushButton(self.tr("Arrêter"), self)
        self.state_label = QLabel(self.tr("Ronde arrêtée"), self)
        self.state_label.setObjectName("ptzTourState")
        self.state_label.setWordWrap(True)
        self.add_button.clicked.connect(self.add_requested)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.start_button.clicked.connect(self.start_requested)
        self.stop_button.clicked.connect(self.stop_requested)
        edit = QHBoxLayout()
        edit.addWidget(self.add_button)
        edit.addWidget(self.remove_button)
        run = QHBoxLayout()
        run.addWidget(self.start_button)
        run.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(edit)
        layout.addLayout(run)
        layout.addWidget(self.state_label)
        self._running = False
        self._allowed = False
        self._refusal = ""
        self._update_buttons()

    # --- steps --------------------------------------------------------------------------------

    def add_step(self, token: str, name: str, dwell_s: int = DEFAULT_DWELL_S) -> None:
        self._steps.append(_Step(token, name))
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(name))
        spin = QSpinBox(self.table)
        spin.setRange(1, MAX_DWELL_S)
        spin.setSuffix(" s")
        spin.setValue(max(1, min(MAX_DWELL_S, dwell_s)))
        self.table.setCellWidget(row, 1, spin)
        self.table.selectRow(row)
        self._update_buttons()

    def remove_step(self, row: int) -> None:
        if 0 <= row < len(self._steps):
            del self._steps[row]
            self.table.removeRow(row)
            self._update_buttons()

    def clear_steps(self) -> None:
        self._steps.clear()
        self.table.setRowCount(0)
        self._update_buttons()

    def steps(self) -> tuple[TourStep, ...]:
        result = []
        for row, step in enumerate(self._steps):
            spin = self.table.cellWidget(row, 1)
            dwell = spin.value() if isinstance(spin, QSpinBox) else DEFAULT_DWELL_S
            result.append(TourStep(step.token, float(dwell)))
        return tuple(result)

    def step_names(self) -> list[str]:
        return [step.name for step in self._steps]

    def set_steps(self, steps: Sequence[TourStep], names: dict[str, str]) -> None:
        self.clear_steps()
        for step in steps:
            self.add_step(step.preset, names.get(step.preset, step.preset), round(step.dwell_s))

    def forget_presets(self, tokens: set[str], names: dict[str, str]) -> None:
        """The camera's presets changed: drop steps of presets gone, show the new names."""
        kept = [(s, d) for s, d in zip(self._steps, self.steps(), strict=True) if s.token in tokens]
        self.set_steps([d for _s, d in kept], names)

    # --- state --------------------------------------------------------------------------------

    def set_allowed(self, allowed: bool, refusal: str = "") -> None:
        self._allowed, self._refusal = allowed, refusal
        self._update_buttons()

    def set_state(self, state: TourState | None, names: dict[str, str]) -> None:
        self._running = state is not None and state.running
        if state is None:
            self.state_label.setText(self.tr("Ronde arrêtée"))
            self.state_label.setToolTip("")
        elif state.running:
            step = state.steps[state.step] if 0 <= state.step < len(state.steps) else None
            name = names.get(step.preset, step.preset) if step else ""
            self.state_label.setText(
                self.tr("Ronde en cours : étape %1/%2 (%3)")
                .replace("%1", str(state.step + 1))
                .replace("%2", str(len(state.steps)))
                .replace("%3", name)
            )
            self.state_label.setToolTip("")
        else:
            self.state_label.setText(self.tr("Ronde arrêtée"))
            self.state_label.setToolTip(state.reason)
        self._update_buttons()

    def running(self) -> bool:
        return self._running

    def _update_buttons(self) -> None:
        has_steps = bool(self._steps)
        self.add_button.setEnabled(not self._running)
        self.remove_button.setEnabled(not self._running and has_steps)
        self.start_button.setEnabled(self._allowed and has_steps and not self._running)
        self.stop_button.setEnabled(self._allowed and self._running)
        for button in (self.start_button, self.stop_button):
            button.setToolTip("" if self._allowed else self._refusal)

    def _on_remove_button_clicked(self) -> None:
        row = self.table.currentRow()
        self.remove_step(row if row >= 0 else len(self._steps) - 1)
