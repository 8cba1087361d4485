"""The PTZ panel: a dock of the console window driving the camera of the selected tile.

It shows which camera it drives and who holds it, the pad and zoom rocker, home, the focus (near
and far while held, autofocus), the presets and the tour, and the last message (a refusal, a
take-over, a camera error naming the camera). It is a view: ``vmwall.ui.ptz_controller.PtzController``
decides what it shows (``PtzPanelState``) and acts on what the operator does.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDockWidget,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from vmwall.ui.ptz_pad import PtzPadWidget, ZoomRockerWidget
from vmwall.ui.ptz_presets import PtzPresetsWidget, PtzTourWidget

MIN_WIDTH_PX = 290


class Tone(StrEnum):
    IDLE = "idle"
    OK = "ok"  # free, or held by this console
    BUSY = "busy"  # another operator holds it
    ERROR = "error"


_TONE_STYLE = {
    Tone.IDLE: "color: #8b96a1;",
    Tone.OK: "color: #3fb950;",
    Tone.BUSY: "color: #d9a22b;",
    Tone.ERROR: "color: #f0503c;",
}


@dataclass(frozen=True, slots=True)
class PtzPanelState:
    """Everything the panel shows about its camera; the controller builds it."""

    title: str  # "Caméra 3 · Parvis de la mairie — Lille", or why there is none
    status: str  # "Caméra fixe : pas de commande PTZ", "Piloté par …", "Libre"…
    tone: Tone = Tone.IDLE
    move: bool = False  # pad, zoom, home, click-to-centre
    zoom: bool = False
    home: bool = False
    presets: bool = False  # the list is shown
    goto: bool = False
    edit_presets: bool = False
    tours: bool = False
    take: bool = False
    release: bool = False
    refusal: str = ""  # why the disabled controls are disabled
    focus: bool = False  # focus near / far (press and hold)
    auto_focus: bool = False  # the autofocus toggle
    auto_focus_on: bool = False
    focus_refusal: str = ""  # why focus is disabled (no imaging focus, not ours…)


class PtzPanel(QDockWidget):
    take_requested = Signal()
    release_requested = Signal()
    home_requested = Signal()
    focus_requested = Signal(float)  # -1 near, +1 far while held; 0 on release
    auto_focus_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("PTZ"), parent)
        self.setObjectName("ptzPanel")
        self.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        self.state = PtzPanelState("", "")
        body = QWidget(self)
        self.title_label = QLabel(body)
        self.title_label.setObjectName("ptzTitle")
        self.title_label.setWordWrap(True)
        bold = QFont(self.title_label.font())
        bold.setBold(True)
        self.title_label.setFont(bold)
        self.status_label = QLabel(body)
        self.status_label.setObjectName("ptzStatus")
        self.status_label.setWordWrap(True)
        self.take_button = QPushButton(self.tr("Prendre la main"), body)
        self.release_button = QPushButton(self.tr("Rendre la main"), body)
        self.take_button.setProperty(
            "help", self.tr("Piloter cette caméra ; un chef de salle reprend la main à un opérateur")
        )
        self.take_button.clicked.connect(self.take_requested)
        self.release_button.clicked.connect(self.release_requested)
        self.pad = PtzPadWidget(body)
        self.pad.setToolTip(self.tr("Glisser pour orienter la caméra : plus loin du centre, plus vite"))
        self.zoom = ZoomRockerWidget(body)
        self.zoom.setToolTip(self.tr("Pousser vers le haut pour zoomer, vers le bas pour dézoomer"))
        self.home_button = QPushButton(self.tr("Origine"), body)
        self.home_button.setProperty("help", self.tr("Ramener la caméra à sa position d'origine"))
        self.home_button.clicked.connect(self.home_requested)
        focus_label = QLabel(self.tr("Mise au point :"), body)
        self.focus_near_button = QPushButton(self.tr("Près"), body)
        self.focus_near_button.setObjectName("ptzFocusNear")
        self.focus_near_button.setProperty("help", self.tr("Maintenir pour faire la mise au point plus près"))
        self.focus_far_button = QPushButton(self.tr("Loin"), body)
        self.focus_far_button.setObjectName("ptzFocusFar")
        self.focus_far_button.setProperty("help", self.tr("Maintenir pour faire la mise au point plus loin"))
        self.auto_focus_button = QPushButton(self.tr("Autofocus"), body)
        self.auto_focus_button.setObjectName("ptzAutoFocus")
        self.auto_focus_button.setCheckable(True)
        self.auto_focus_button.setProperty("help", self.tr("Mise au point automatique par la caméra"))
        for button, speed in ((self.focus_near_button, -1.0), (self.focus_far_button, 1.0)):
            button.pressed.connect(lambda speed=speed: self.focus_requested.emit(speed))
            button.released.connect(lambda: self.focus_requested.emit(0.0))
        self.auto_focus_button.clicked.connect(self.auto_focus_toggled)
        self.hint_label = QLabel(
            self.tr("Sur l'image : clic = centrer, glisser un cadre = zoomer dessus, molette = zoom."), body
        )
        self.hint_label.setWordWrap(True)
        self.hint_label.setObjectName("ptzHint")
        self.message_label = QLabel(body)
        self.message_label.setObjectName("ptzMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        self.presets = PtzPresetsWidget(body)
        self.tour = PtzTourWidget(body)

        zoom_in = QLabel("+", body)
        zoom_out = QLabel("−", body)
        zoom = QVBoxLayout()
        for widget in (zoom_in, self.zoom, zoom_out):
            zoom.addWidget(widget, 0 if widget is not self.zoom else 1, Qt.AlignmentFlag.AlignHCenter)
        control = QGridLayout()
        control.addWidget(self.pad, 0, 0)
        control.addLayout(zoom, 0, 1)
        control.addWidget(self.home_button, 1, 0, 1, 2)
        control.setColumnStretch(0, 1)
        focus = QHBoxLayout()
        focus.addWidget(focus_label)
        focus.addWidget(self.focus_near_button)
        focus.addWidget(self.focus_far_button)
        focus.addWidget(self.auto_focus_button)
        control.addLayout(focus, 2, 0, 1, 2)
        lock = QHBoxLayout()
        lock.addWidget(self.take_button)
        lock.addWidget(self.release_button)
        layout = QVBoxLayout(body)
        layout.addWidget(self.title_label)
        layout.addWidget(self.status_label)
        layout.addLayout(lock)
        layout.addLayout(control)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.message_label)
        layout.addWidget(self.presets)
        layout.addWidget(self.tour)
        layout.addStretch(1)
        body.setMinimumWidth(MIN_WIDTH_PX)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(MIN_WIDTH_PX + scroll.verticalScrollBar().sizeHint().width() + 4)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setWidget(scroll)
        self.apply(PtzPanelState(self.tr("Aucune tuile sélectionnée"), ""))

    def apply(self, state: PtzPanelState) -> None:
        self.state = state
        self.title_label.setText(state.title)
        self.status_label.setText(state.status)
        self.status_label.setVisible(bool(state.status))
        self.status_label.setStyleSheet(_TONE_STYLE[state.tone])
        self.take_button.setEnabled(state.take)
        self.release_button.setEnabled(state.release)
        for widget, allowed in (
            (self.pad, state.move),
            (self.zoom, state.zoom),
            (self.home_button, state.home),
        ):
            widget.setEnabled(allowed)
        self.hint_label.setVisible(state.move)
        self.presets.setVisible(state.presets)
        self.presets.set_allowed(state.goto, state.edit_presets, state.refusal)
        self.tour.setVisible(state.presets)
        self.tour.set_allowed(state.tours, state.refusal)
        for button, allowed in ((self.take_button, state.take), (self.home_button, state.home)):
            refused = not allowed and bool(state.refusal)
            button.setToolTip(state.refusal if refused else str(button.property("help") or ""))
        self.auto_focus_button.setChecked(state.auto_focus_on)  # no signal: `clicked` is the operator's
        for button, allowed in (
            (self.focus_near_button, state.focus),
            (self.focus_far_button, state.focus),
            (self.auto_focus_button, state.auto_focus),
        ):
            button.setEnabled(allowed)
            refused = not allowed and bool(state.focus_refusal)
            button.setToolTip(state.focus_refusal if refused else str(button.property("help") or ""))

    def show_message(self, text: str, tone: Tone = Tone.ERROR, detail: str = "") -> None:
        """One line about the last thing that happened (empty text: no message)."""
        self.message_label.setText(text)
        self.message_label.setToolTip(detail)
        self.message_label.setStyleSheet(_TONE_STYLE[tone])
        self.message_label.setVisible(bool(text))
