"""Small dialogs: save a view, the keyboard shortcuts, config problems."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vmwall.config.settings import Action
from vmwall.ui.shortcuts import KeyMap


class SaveViewDialog(QDialog):
    """Name a view and say whether it is the operator's own or shared with the centre."""

    def __init__(
        self, parent: QWidget | None, layout_name: str, can_own: bool, taken: set[tuple[str, bool]]
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Enregistrer la vue"))
        self._taken = taken
        self.name = QLineEdit(self)
        self.name.setMaxLength(80)
        self.personal = QRadioButton(self.tr("Pour moi seulement"), self)
        self.shared = QRadioButton(self.tr("Partagée avec tout le centre"), self)
        if can_own:
            self.personal.setChecked(True)
        else:
            self.personal.setEnabled(False)
            self.personal.setToolTip(
                self.tr("Aucun compte nommé sur cette console (réglage « user » ou --user).")
            )
            self.shared.setChecked(True)
        form = QFormLayout()
        form.addRow(self.tr("Nom :"), self.name)
        form.addRow(self.tr("Disposition :"), QLabel(layout_name, self))
        form.addRow("", self.personal)
        form.addRow("", self.shared)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(self._on_name_text_changed)
        self._on_name_text_changed("")

    def view_name(self) -> str:
        return self.name.text().strip()

    def is_shared(self) -> bool:
        return self.shared.isChecked()

    def _on_name_text_changed(self, _text: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(bool(self.view_name()))

    def _on_buttons_accepted(self) -> None:
        if (self.view_name(), self.is_shared()) in self._taken:
            answer = QMessageBox.question(
                self,
                self.tr("Remplacer la vue ?"),
                self.tr("Une vue « %1 » existe déjà. La remplacer ?").replace("%1", self.view_name()),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.accept()


def action_label(action: str) -> str:
    """The French name of an action (translated like every UI string)."""
    labels = {
        Action.CALL_CAMERA: QCoreApplication.translate(
            "ShortcutsDialog", "Appeler la caméra tapée dans la tuile sélectionnée"
        ),
        Action.SELECT_TILE: QCoreApplication.translate(
            "ShortcutsDialog", "Sélectionner la tuile de numéro tapé"
        ),
        Action.NEXT_CAMERA: QCoreApplication.translate("ShortcutsDialog", "Caméra suivante"),
        Action.PREVIOUS_CAMERA: QCoreApplication.translate("ShortcutsDialog", "Caméra précédente"),
        Action.TILE_LEFT: QCoreApplication.translate("ShortcutsDialog", "Tuile à gauche"),
        Action.TILE_RIGHT: QCoreApplication.translate("ShortcutsDialog", "Tuile à droite"),
        Action.TILE_UP: QCoreApplication.translate("ShortcutsDialog", "Tuile au-dessus"),
        Action.TILE_DOWN: QCoreApplication.translate("ShortcutsDialog", "Tuile au-dessous"),
        Action.MAXIMISE: QCoreApplication.translate("ShortcutsDialog", "Agrandir / restaurer la tuile"),
        Action.REMOVE_CAMERA: QCoreApplication.translate("ShortcutsDialog", "Retirer la caméra de la tuile"),
        Action.CLEAR_ENTRY: QCoreApplication.translate("ShortcutsDialog", "Effacer le numéro tapé"),
        Action.SNAPSHOT: QCoreApplication.translate("ShortcutsDialog", "Instantané de la tuile"),
        Action.NEXT_LAYOUT: QCoreApplication.translate("ShortcutsDialog", "Disposition suivante"),
        Action.PREVIOUS_LAYOUT: QCoreApplication.translate("ShortcutsDialog", "Disposition précédente"),
        Action.FULL_SCREEN: QCoreApplication.translate("ShortcutsDialog", "Plein écran"),
        Action.FOCUS_SEARCH: QCoreApplication.translate("ShortcutsDialog", "Rechercher une caméra"),
        Action.FOCUS_GRID: QCoreApplication.translate(
            "ShortcutsDialog", "Revenir à la grille (pavé numérique)"
        ),
        Action.NEW_GRID_WINDOW: QCoreApplication.translate("ShortcutsDialog", "Nouvelle fenêtre de grille"),
        Action.SAVE_VIEW: QCoreApplication.translate("ShortcutsDialog", "Enregistrer la vue"),
        Action.PTZ_PANEL: QCoreApplication.translate("ShortcutsDialog", "Afficher / masquer le panneau PTZ"),
        Action.PTZ_LEFT: QCoreApplication.translate("ShortcutsDialog", "PTZ : tourner à gauche"),
        Action.PTZ_RIGHT: QCoreApplication.translate("ShortcutsDialog", "PTZ : tourner à droite"),
        Action.PTZ_UP: QCoreApplication.translate("ShortcutsDialog", "PTZ : lever"),
        Action.PTZ_DOWN: QCoreApplication.translate("ShortcutsDialog", "PTZ : baisser"),
        Action.PTZ_ZOOM_IN: QCoreApplication.translate("ShortcutsDialog", "PTZ : zoomer"),
        Action.PTZ_ZOOM_OUT: QCoreApplication.translate("ShortcutsDialog", "PTZ : dézoomer"),
        Action.PTZ_HOME: QCoreApplication.translate("ShortcutsDialog", "PTZ : position d'origine"),
    }
    if action in labels:
        return labels[Action(action)]
    if ":" not in action:  # an action without a label yet: its name rather than a crash
        return action
    return QCoreApplication.translate("ShortcutsDialog", "Disposition %1").replace(
        "%1", action.split(":", 1)[1]
    )


class ShortcutsDialog(QDialog):
    def __init__(
        self, parent: QWidget | None, keymap: KeyMap, actions: list[str], settings_path: str
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Raccourcis clavier"))
        self.resize(620, 560)
        intro = QLabel(
            self.tr(
                "Pavé : tapez un numéro de caméra puis Entrée pour l'appeler dans la tuile sélectionnée ; "
                "un numéro de tuile puis * pour la sélectionner. Les raccourcis se changent dans la section "
                "« shortcuts » de %1."
            ).replace("%1", settings_path),
            self,
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        table = QTableWidget(len(actions), 2, self)
        table.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Touches")])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, action in enumerate(actions):
            table.setItem(row, 0, QTableWidgetItem(action_label(action)))
            table.setItem(row, 1, QTableWidgetItem(keymap.text(action) or self.tr("(aucune)")))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(table)
        layout.addWidget(buttons)


def show_problems(parent: QWidget | None, title: str, intro: str, problems: list[str]) -> QMessageBox:
    """A non-modal warning listing each problem (file: reason); returned so tests can read it."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, intro, QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText("\n".join(f"• {p}" for p in problems))
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.show()
    return box
