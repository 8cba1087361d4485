"""Wall presets: the list (apply in one action: double-click or the button), save the wall as…, delete."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vmwall.model.wall import WallPreset
from vmwall.ui.named_list import NAME_ROLE, confirm_delete, current_name, select_name

MAX_NAME = 80


def describe_preset(preset: WallPreset) -> str:
    """One line per screen: ``node:1 — 2x2 : 1, 2, -, 4`` (screens numbered from 1, as shown)."""
    lines = []
    for ref, content in preset.screens:
        cameras = ", ".join("-" if c is None else str(c) for c in content.cameras)
        lines.append(f"{ref.node}:{ref.index + 1} — {content.layout} : {cameras}")
    return "\n".join(lines)


class PresetNameDialog(QDialog):
    """Name the preset the current wall is saved as; an existing name is replaced (said so)."""

    def __init__(self, parent: QWidget | None, taken: set[str], initial: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Enregistrer le mur comme préréglage"))
        self._taken = taken
        self.name = QLineEdit(initial, self)
        self.name.setMaxLength(MAX_NAME)
        self.name.setPlaceholderText(self.tr("ex. : normal, marché de Noël, manifestation"))
        self.note = QLabel("", self)
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Nom :"), self.name)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(self._on_name_text_changed)
        self._on_name_text_changed(initial)

    def preset_name(self) -> str:
        return self.name.text().strip()

    def _on_name_text_changed(self, _text: str) -> None:
        name = self.preset_name()
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(bool(name))
        if name in self._taken:
            self.note.setText(self.tr("Le préréglage « %1 » existe : il sera remplacé.").replace("%1", name))
            save.setText(self.tr("Remplacer"))
        else:
            self.note.setText("")
            save.setText(self.tr("Enregistrer"))

    def _on_buttons_accepted(self) -> None:
        if self.preset_name():
            self.accept()


class WallPresetsWidget(QWidget):
    apply_requested = Signal(str)
    save_requested = Signal(str)
    delete_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setObjectName("wallPresets")
        self.list.setToolTip(self.tr("Double-clic : appliquer le préréglage à tout le mur"))
        self.apply_button = QPushButton(self.tr("Appliquer"), self)
        self.save_button = QPushButton(self.tr("Enregistrer le mur sous…"), self)
        self.delete_button = QPushButton(self.tr("Supprimer"), self)
        self.apply_button.setToolTip(self.tr("Appliquer le préréglage choisi à tout le mur"))
        self.save_button.setToolTip(self.tr("Enregistrer ce que montre le mur sous un nom"))
        self.delete_button.setToolTip(self.tr("Supprimer le préréglage choisi"))
        self._tooltips: dict[QWidget, str] = {
            w: w.toolTip() for w in (self.list, self.apply_button, self.save_button, self.delete_button)
        }
        buttons = QHBoxLayout()
        for button in (self.apply_button, self.save_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self._presets: tuple[WallPreset, ...] = ()
        self._enabled = True
        self.last_dialog: PresetNameDialog | None = None
        self.list.itemDoubleClicked.connect(self._on_list_item_double_clicked)
        self.list.currentItemChanged.connect(lambda *_args: self._update_buttons())
        self.apply_button.clicked.connect(self._on_apply_clicked)
        self.save_button.clicked.connect(lambda: self.ask_save())
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self._update_buttons()

    def set_presets(self, presets: tuple[WallPreset, ...]) -> None:
        if presets == self._presets:
            return
        current = self.current_name()
        self._presets = presets
        self.list.clear()
        for preset in sorted(presets, key=lambda p: p.name.casefold()):
            item = QListWidgetItem(preset.name, self.list)
            item.setData(NAME_ROLE, preset.name)
            by = self.tr("enregistré par %1").replace("%1", preset.saved_by) if preset.saved_by else ""
            item.setToolTip("\n".join(t for t in (by, describe_preset(preset)) if t))
            if preset.name == current:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._update_buttons()

    def names(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def current_name(self) -> str | None:
        return current_name(self.list)

    def select(self, name: str) -> None:
        select_name(self.list, name)

    def set_commands_enabled(self, enabled: bool, reason: str) -> None:
        """Disabled (with the reason as every control's tooltip) while the wall cannot be commanded."""
        self._enabled = enabled
        self._update_buttons()
        self.list.setToolTip(self._tooltips[self.list] if enabled else reason)
        for button in (self.apply_button, self.save_button, self.delete_button):
            button.setToolTip(self._tooltips[button] if enabled else reason)

    def _update_buttons(self) -> None:
        chosen = self.current_name() is not None
        self.apply_button.setEnabled(self._enabled and chosen)
        self.delete_button.setEnabled(self._enabled and chosen)
        self.save_button.setEnabled(self._enabled)

    def ask_save(self) -> None:
        """Ask a name (window-modal, the GUI never waits), then ``save_requested(name)``."""
        if not self._enabled:
            return
        dialog = PresetNameDialog(self, {p.name for p in self._presets}, self.current_name() or "")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.save_requested.emit(dialog.preset_name()))
        self.last_dialog = dialog
        dialog.open()

    def _on_apply_clicked(self) -> None:
        name = self.current_name()
        if self._enabled and name is not None:
            self.apply_requested.emit(name)

    def _on_list_item_double_clicked(self, item: QListWidgetItem) -> None:
        name = item.data(NAME_ROLE)
        if self._enabled and isinstance(name, str):
            self.apply_requested.emit(name)

    def _on_delete_clicked(self) -> None:
        name = self.current_name()
        if not self._enabled or name is None:
            return
        if confirm_delete(
            self,
            self.tr("Supprimer le préréglage ?"),
            self.tr("Supprimer le préréglage « %1 » pour tous les pupitres ?").replace("%1", name),
        ):
            self.delete_requested.emit(name)
