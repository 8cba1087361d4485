"""Wall sequences (tours): the list with each one's state and running step, the controls, the editor.

A tour cycles cameras on one tile of one screen, or whole-wall presets, with a dwell time per step;
the controller runs it (its timer), so every console sees the same step. The editor offers only the
cameras the console's account may see live (commune scoping) and the presets that exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from vmwall.model.wall import (
    MAX_DWELL_S,
    MAX_TILES_PER_SCREEN,
    MIN_DWELL_S,
    ScreenRef,
    SequenceRunState,
    SequenceStep,
    SequenceStepKind,
    WallSequence,
)
from vmwall.ui.named_list import NAME_ROLE, confirm_delete, current_name, select_name
from vmwall.ui.theme import error_label
from vmwall.ui.tile import read_camera_mime

MAX_NAME = 80
DEFAULT_DWELL_S = 10.0


def index_of(combo: QComboBox, value: object) -> int:
    """The index of the item whose data equals ``value``, or -1. (``findData`` compares Python
    objects by identity: a screen decoded from another message would never match.)"""
    return next((i for i in range(combo.count()) if combo.itemData(i) == value), -1)


@dataclass(frozen=True, slots=True)
class ScreenChoice:
    """A screen the editor offers as a camera tour's target, with its tile count."""

    ref: ScreenRef
    label: str
    tiles: int


@dataclass
class _Row:
    kind: SequenceStepKind
    camera: int | None = None
    preset: str | None = None
    dwell_s: float = DEFAULT_DWELL_S


class SequenceEditorDialog(QDialog):
    """Name, target screen and tile, and the steps (camera or preset, dwell time) of a tour."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        cameras: list[tuple[int, str]],
        presets: list[str],
        screens: list[ScreenChoice],
        sequence: WallSequence | None = None,
        default_screen: ScreenRef | None = None,
        taken: set[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Modifier la séquence") if sequence else self.tr("Nouvelle séquence"))
        self.setAcceptDrops(True)
        self.resize(560, 420)
        self._cameras = cameras
        self._camera_names = dict(cameras)
        self._presets = presets
        self._screens = screens
        self._taken = (taken or set()) - ({sequence.name} if sequence else set())
        self.rows: list[_Row] = []
        self.name = QLineEdit(sequence.name if sequence else "", self)
        self.name.setMaxLength(MAX_NAME)
        self.name.setReadOnly(sequence is not None)  # a new name is a new sequence
        self.screen_combo = QComboBox(self)
        self.screen_combo.addItem(self.tr("(aucun : tour de préréglages)"), None)
        for choice in screens:
            self.screen_combo.addItem(choice.label, choice.ref)
        target = sequence.screen if sequence is not None else default_screen
        if target is not None:
            index = index_of(self.screen_combo, target)
            if index < 0:  # a screen gone from the wall: keep it rather than losing the target
                self.screen_combo.addItem(f"{target.node}:{target.index + 1}", target)
                index = self.screen_combo.count() - 1
            self.screen_combo.setCurrentIndex(index)
        self.tile = QSpinBox(self)
        self.tile.setRange(1, MAX_TILES_PER_SCREEN)
        self.tile.setValue((sequence.tile if sequence else 0) + 1)
        self.screen_combo.currentIndexChanged.connect(self._on_screen_changed)
        self._on_screen_changed()
        if sequence is not None:
            self.tile.setValue(sequence.tile + 1)
        form = QFormLayout()
        form.addRow(self.tr("Nom :"), self.name)
        form.addRow(self.tr("Écran cible :"), self.screen_combo)
        form.addRow(self.tr("Tuile cible :"), self.tile)

        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("sequenceSteps")
        self.table.setHorizontalHeaderLabels([self.tr("Étape"), self.tr("Contenu"), self.tr("Durée (s)")])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(True)
        self.add_camera_button = QPushButton(self.tr("+ Caméra"), self)
        self.add_preset_button = QPushButton(self.tr("+ Préréglage"), self)
        self.remove_button = QPushButton(self.tr("Retirer"), self)
        self.up_button = QPushButton(self.tr("Monter"), self)
        self.down_button = QPushButton(self.tr("Descendre"), self)
        self.add_camera_button.setToolTip(
            self.tr("Ajouter une caméra (ou glisser une caméra de l'arbre ici)")
        )
        self.add_preset_button.setEnabled(bool(presets))
        if not presets:
            self.add_preset_button.setToolTip(self.tr("Aucun préréglage enregistré"))
        self.add_camera_button.setEnabled(bool(cameras))
        if not cameras:
            self.add_camera_button.setToolTip(self.tr("Aucune caméra visible par votre compte"))
        self.add_camera_button.clicked.connect(lambda: self.add_camera_step())
        self.add_preset_button.clicked.connect(lambda: self.add_preset_step())
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.up_button.clicked.connect(lambda: self._move_current(-1))
        self.down_button.clicked.connect(lambda: self._move_current(1))
        steps_buttons = QHBoxLayout()
        for button in (
            self.add_camera_button,
            self.add_preset_button,
            self.remove_button,
            self.up_button,
            self.down_button,
        ):
            steps_buttons.addWidget(button)
        steps_buttons.addStretch(1)
        self.error = error_label(self, "sequenceError")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Étapes :"), self))
        layout.addWidget(self.table)
        layout.addLayout(steps_buttons)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        if sequence is not None:
            for step in sequence.steps:
                self.rows.append(_Row(step.kind, step.camera, step.preset, step.dwell_s))
            self._render()

    # --- steps -----------------------------------------------------------------------------------

    def add_camera_step(self, camera: int | None = None, dwell_s: float = DEFAULT_DWELL_S) -> None:
        if camera is None:
            if not self._cameras:
                return
            camera = self._cameras[0][0]
        elif camera not in self._camera_names:
            self.error.setText(
                self.tr("Caméra %1 : hors de votre périmètre ou inconnue.").replace("%1", str(camera))
            )
            return
        self.rows.append(_Row(SequenceStepKind.CAMERA, camera=camera, dwell_s=dwell_s))
        self._render(select=len(self.rows) - 1)

    def add_preset_step(self, preset: str | None = None, dwell_s: float = DEFAULT_DWELL_S) -> None:
        if preset is None:
            if not self._presets:
                return
            preset = self._presets[0]
        self.rows.append(_Row(SequenceStepKind.PRESET, preset=preset, dwell_s=dwell_s))
        self._render(select=len(self.rows) - 1)

    def set_step(
        self,
        index: int,
        *,
        camera: int | None = None,
        preset: str | None = None,
        dwell_s: float | None = None,
    ) -> None:
        """Change a step through its row's widgets (what an operator does by hand)."""
        value = self.table.cellWidget(index, 1)
        if isinstance(value, QComboBox):
            wanted = camera if self.rows[index].kind is SequenceStepKind.CAMERA else preset
            if wanted is not None:
                found = index_of(value, wanted)
                if found >= 0:
                    value.setCurrentIndex(found)
        dwell = self.table.cellWidget(index, 2)
        if dwell_s is not None and isinstance(dwell, QDoubleSpinBox):
            dwell.setValue(dwell_s)

    def _render(self, select: int | None = None) -> None:
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            kind = QComboBox(self.table)
            kind.addItem(self.tr("Caméra"), SequenceStepKind.CAMERA.value)
            kind.addItem(self.tr("Préréglage"), SequenceStepKind.PRESET.value)
            kind.setCurrentIndex(0 if row.kind is SequenceStepKind.CAMERA else 1)
            if not self._presets and row.kind is SequenceStepKind.CAMERA:
                kind.setEnabled(False)
            kind.currentIndexChanged.connect(lambda _i, r=index, w=kind: self._on_kind_changed(r, w))
            self.table.setCellWidget(index, 0, kind)
            self.table.setCellWidget(index, 1, self._value_widget(index, row))
            dwell = QDoubleSpinBox(self.table)
            dwell.setRange(MIN_DWELL_S, MAX_DWELL_S)
            dwell.setDecimals(1)
            dwell.setSuffix(" s")
            dwell.setValue(row.dwell_s)
            dwell.valueChanged.connect(lambda v, r=index: self._set_dwell(r, v))
            self.table.setCellWidget(index, 2, dwell)
        if select is not None and 0 <= select < len(self.rows):
            self.table.selectRow(select)
        self.error.setText("")

    def _value_widget(self, index: int, row: _Row) -> QComboBox:
        combo = QComboBox(self.table)
        if row.kind is SequenceStepKind.CAMERA:
            for number, name in self._cameras:
                combo.addItem(f"{number} — {name}", number)
            if row.camera is not None and row.camera not in self._camera_names:
                # Already in the tour but outside this account's communes: kept, never offered.
                combo.addItem(
                    self.tr("%1 — (hors de votre périmètre)").replace("%1", str(row.camera)), row.camera
                )
            combo.setCurrentIndex(max(0, index_of(combo, row.camera)))
        else:
            for name in self._presets:
                combo.addItem(name, name)
            if row.preset is not None and row.preset not in self._presets:
                combo.addItem(self.tr("%1 (supprimé)").replace("%1", row.preset), row.preset)
            combo.setCurrentIndex(max(0, index_of(combo, row.preset)))
        combo.currentIndexChanged.connect(lambda _i, r=index, w=combo: self._set_value(r, w.currentData()))
        return combo

    def _on_kind_changed(self, index: int, widget: QComboBox) -> None:
        kind = SequenceStepKind(widget.currentData())
        row = self.rows[index]
        if kind is row.kind:
            return
        if kind is SequenceStepKind.CAMERA:
            self.rows[index] = _Row(
                kind, camera=self._cameras[0][0] if self._cameras else None, dwell_s=row.dwell_s
            )
        else:
            self.rows[index] = _Row(
                kind, preset=self._presets[0] if self._presets else None, dwell_s=row.dwell_s
            )
        self.table.setCellWidget(index, 1, self._value_widget(index, self.rows[index]))

    def _set_value(self, index: int, value: Any) -> None:
        row = self.rows[index]
        if row.kind is SequenceStepKind.CAMERA and isinstance(value, int):
            row.camera = value
        elif row.kind is SequenceStepKind.PRESET and isinstance(value, str):
            row.preset = value

    def _set_dwell(self, index: int, value: float) -> None:
        self.rows[index].dwell_s = float(value)

    def _current_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else (len(self.rows) - 1 if self.rows else None)

    def _on_remove_clicked(self) -> None:
        index = self._current_row()
        if index is not None:
            del self.rows[index]
            self._render(select=min(index, len(self.rows) - 1))

    def _move_current(self, delta: int) -> None:
        index = self._current_row()
        if index is None or not 0 <= index + delta < len(self.rows):
            return
        self.rows[index], self.rows[index + delta] = self.rows[index + delta], self.rows[index]
        self._render(select=index + delta)

    def _on_screen_changed(self, _index: int = 0) -> None:
        ref = self.screen_combo.currentData()
        choice = next((s for s in self._screens if s.ref == ref), None)
        self.tile.setEnabled(ref is not None)
        self.tile.setMaximum(
            choice.tiles if choice is not None and choice.tiles > 0 else MAX_TILES_PER_SCREEN
        )

    # --- drops: a camera from the tree becomes a step ---------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt)
        if read_camera_mime(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt)
        drop = read_camera_mime(event.mimeData())
        if drop is not None:
            event.acceptProposedAction()
            self.add_camera_step(drop.camera)

    # --- result ----------------------------------------------------------------------------------

    def sequence_name(self) -> str:
        return self.name.text().strip()

    def target(self) -> tuple[ScreenRef | None, int]:
        ref = self.screen_combo.currentData()
        return (ref if isinstance(ref, ScreenRef) else None), self.tile.value() - 1

    def steps(self) -> list[dict[str, Any]]:
        """The steps as the controller's ``save-sequence`` takes them."""
        out: list[dict[str, Any]] = []
        for row in self.rows:
            if row.kind is SequenceStepKind.CAMERA:
                out.append({"kind": "camera", "camera": row.camera, "dwell_s": row.dwell_s})
            else:
                out.append({"kind": "preset", "preset": row.preset, "dwell_s": row.dwell_s})
        return out

    def command_args(self) -> dict[str, Any]:
        """``save-sequence`` arguments: name, steps, and the target screen/tile of a camera tour."""
        args: dict[str, Any] = {"name": self.sequence_name(), "steps": self.steps()}
        screen, tile = self.target()
        if screen is not None:
            args["screen"] = screen.key
            args["tile"] = tile
        return args

    def problem(self) -> str | None:
        """What stops saving, in words, or None."""
        name = self.sequence_name()
        if not name:
            return self.tr("Donnez un nom à la séquence.")
        if name in self._taken:
            return self.tr("Une séquence « %1 » existe déjà.").replace("%1", name)
        if not self.rows:
            return self.tr("Ajoutez au moins une étape.")
        cameras = [r for r in self.rows if r.kind is SequenceStepKind.CAMERA]
        if any(r.camera is None for r in cameras) or any(
            r.kind is SequenceStepKind.PRESET and not r.preset for r in self.rows
        ):
            return self.tr("Chaque étape doit nommer une caméra ou un préréglage.")
        if cameras and self.target()[0] is None:
            return self.tr("Une séquence de caméras doit avoir un écran cible.")
        try:
            steps = tuple(SequenceStep(r.kind, r.camera, r.preset, r.dwell_s) for r in self.rows)
            WallSequence(name, steps, self.target()[0], self.target()[1])
        except ValueError as error:  # the model's own rules, as a last check
            return str(error)
        return None

    def _on_buttons_accepted(self) -> None:
        problem = self.problem()
        if problem is not None:
            self.error.setText(problem)
            return
        self.accept()


# --------------------------------------------------------------------------- the list


class WallSequencesWidget(QWidget):
    """The tours, their state and running step; start, pause/resume, step, stop; new, edit, delete."""

    command_requested = Signal(str, str)  # (action, sequence name): sequence-start, -pause...
    edit_requested = Signal(object)  # WallSequence to edit, or None for a new one
    delete_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setObjectName("wallSequences")
        self.detail = QLabel("", self)
        self.detail.setObjectName("sequenceDetail")
        self.detail.setWordWrap(True)
        self.new_button = QPushButton(self.tr("Nouvelle…"), self)
        self.edit_button = QPushButton(self.tr("Modifier…"), self)
        self.delete_button = QPushButton(self.tr("Supprimer"), self)
        self.start_button = QPushButton(self.tr("Démarrer"), self)
        self.pause_button = QPushButton(self.tr("Pause"), self)
        self.step_button = QPushButton(self.tr("Étape suivante"), self)
        self.stop_button = QPushButton(self.tr("Arrêter"), self)
        edit_row = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.delete_button):
            edit_row.addWidget(button)
        edit_row.addStretch(1)
        run_row = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.step_button, self.stop_button):
            run_row.addWidget(button)
        run_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        layout.addWidget(self.detail)
        layout.addLayout(run_row)
        layout.addLayout(edit_row)
        self._sequences: dict[str, WallSequence] = {}
        self._camera_names: dict[int, str] = {}
        self._enabled = True
        self._reason = ""
        self.list.currentItemChanged.connect(lambda *_args: self._update_controls())
        self.list.itemDoubleClicked.connect(lambda _item: self._on_edit_clicked())
        self.new_button.clicked.connect(lambda: self.edit_requested.emit(None))
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.start_button.clicked.connect(lambda: self._run("sequence-start"))
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.step_button.clicked.connect(lambda: self._run("sequence-step"))
        self.stop_button.clicked.connect(lambda: self._run("sequence-stop"))
        self._update_controls()

    def set_sequences(self, sequences: tuple[WallSequence, ...], camera_names: dict[int, str]) -> None:
        current = self.current_name()
        self._camera_names = camera_names
        new = {s.name: s for s in sequences}
        if list(new) != list(self._sequences):
            self.list.clear()
            for sequence in sorted(sequences, key=lambda s: s.name.casefold()):
                item = QListWidgetItem(sequence.name, self.list)
                item.setData(NAME_ROLE, sequence.name)
        self._sequences = new
        for index in range(self.list.count()):
            item = self.list.item(index)
            sequence = self._sequences[item.data(NAME_ROLE)]
            item.setText(self.summary(sequence))
            item.setToolTip("\n".join(self.describe_step(sequence, i) for i in range(len(sequence.steps))))
            if sequence.name == current:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._update_controls()

    def current_name(self) -> str | None:
        return current_name(self.list)

    def current(self) -> WallSequence | None:
        name = self.current_name()
        return self._sequences.get(name) if name is not None else None

    def select(self, name: str) -> None:
        select_name(self.list, name)

    def summary(self, sequence: WallSequence) -> str:
        if sequence.state is SequenceRunState.STOPPED:
            return (
                self.tr("■ %1 — arrêtée (%2 étapes)")
                .replace("%1", sequence.name)
                .replace("%2", str(len(sequence.steps)))
            )
        word = self.tr("en cours") if sequence.state is SequenceRunState.RUNNING else self.tr("en pause")
        mark = "▶" if sequence.state is SequenceRunState.RUNNING else "⏸"
        return (
            self.tr("%1 %2 — %3, étape %4/%5")
            .replace("%1", mark)
            .replace("%2", sequence.name)
            .replace("%3", word)
            .replace("%4", str(self.position(sequence) + 1))
            .replace("%5", str(len(sequence.steps)))
        )

    @staticmethod
    def position(sequence: WallSequence) -> int:
        return min(max(0, sequence.position), len(sequence.steps) - 1)

    def describe_step(self, sequence: WallSequence, index: int) -> str:
        step = sequence.steps[index]
        dwell = f"{step.dwell_s:g} s"
        if step.kind is SequenceStepKind.CAMERA and step.camera is not None:
            name = self._camera_names.get(step.camera)
            what = self.tr("caméra %1").replace("%1", f"{step.camera} — {name}" if name else str(step.camera))
        else:
            what = self.tr("préréglage « %1 »").replace("%1", step.preset or "")
        return f"{index + 1}. {what} ({dwell})"

    def set_commands_enabled(self, enabled: bool, reason: str) -> None:
        self._enabled = enabled
        self._reason = reason
        self._update_controls()

    def _update_controls(self) -> None:
        sequence = self.current()
        state = sequence.state if sequence is not None else None
        on = self._enabled
        self.new_button.setEnabled(on)
        self.edit_button.setEnabled(on and sequence is not None)
        self.delete_button.setEnabled(on and sequence is not None)
        self.start_button.setEnabled(on and state is SequenceRunState.STOPPED)
        self.pause_button.setEnabled(on and state in (SequenceRunState.RUNNING, SequenceRunState.PAUSED))
        self.pause_button.setText(
            self.tr("Reprendre") if state is SequenceRunState.PAUSED else self.tr("Pause")
        )
        self.step_button.setEnabled(on and state in (SequenceRunState.RUNNING, SequenceRunState.PAUSED))
        self.stop_button.setEnabled(on and state in (SequenceRunState.RUNNING, SequenceRunState.PAUSED))
        for button in (
            self.new_button,
            self.edit_button,
            self.delete_button,
            self.start_button,
            self.pause_button,
            self.step_button,
            self.stop_button,
        ):
            button.setToolTip("" if on else self._reason)
        if sequence is None:
            self.detail.setText(self.tr("Aucune séquence.") if not self._sequences else "")
            return
        lines = []
        if sequence.screen is not None:
            lines.append(
                self.tr("Cible : %1 · écran %2, tuile %3")
                .replace("%1", sequence.screen.node)
                .replace("%2", str(sequence.screen.index + 1))
                .replace("%3", str(sequence.tile + 1))
            )
        if state is not SequenceRunState.STOPPED:
            lines.append(
                self.tr("Étape en cours : %1").replace(
                    "%1", self.describe_step(sequence, self.position(sequence))
                )
            )
        self.detail.setText("\n".join(lines))

    def _run(self, action: str) -> None:
        name = self.current_name()
        if self._enabled and name is not None:
            self.command_requested.emit(action, name)

    def _on_pause_clicked(self) -> None:
        sequence = self.current()
        if sequence is not None:
            self._run("sequence-resume" if sequence.state is SequenceRunState.PAUSED else "sequence-pause")

    def _on_edit_clicked(self) -> None:
        sequence = self.current()
        if self._enabled and sequence is not None:
            self.edit_requested.emit(sequence)

    def _on_delete_clicked(self) -> None:
        name = self.current_name()
        if not self._enabled or name is None:
            return
        if confirm_delete(
            self,
            self.tr("Supprimer la séquence ?"),
            self.tr("Supprimer la séquence « %1 » pour tous les pupitres ?").replace("%1", name),
        ):
            self.delete_requested.emit(name)
