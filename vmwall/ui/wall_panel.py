"""The console's wall panel (*mur d'images*): a dock that mirrors the wall and commands it.

What it shows comes from the wall controller's client (``WallService``): the wall drawn as its
screens (``WallViewWidget``) with the nodes' thumbnails, presets, sequences, nodes' state, the
alarm screen, the controller link. The client calls its listener from its own thread; the panel
keeps only the newest snapshot in a mailbox and asks the bridge to hand it to the GUI thread, so a
burst of updates costs one repaint. Commands go through ``submit``: the GUI thread never waits,
and the answer (or the controller's refusal) comes back through the bridge too.

Commands are disabled, with the reason as tooltip, when there is no controller configured, when
the console's account lacks the wall right (known locally from the catalogue, or said by the
controller), or while the controller is unreachable. A camera the account may not see live is
never offered, dropped onto the wall, or shown in the mirror.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from PySide6.QtCore import QMimeData, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from vmwall.config.layouts import LayoutSet
from vmwall.model import Permission, SavedView
from vmwall.model.wall import ScreenRef, WallSequence, WallSnapshot
from vmwall.ui.bridge import Bridge
from vmwall.ui.directory import Directory, Refusal
from vmwall.ui.tile import CameraDrop, TileContext
from vmwall.ui.wall_history import WallHistoryWidget
from vmwall.ui.wall_mime import LayoutDrop, ViewDrop, layout_mime, view_mime, wall_screen_of
from vmwall.ui.wall_nodes import WallNodesWidget
from vmwall.ui.wall_presets import WallPresetsWidget
from vmwall.ui.wall_sequences import ScreenChoice, SequenceEditorDialog, WallSequencesWidget, index_of
from vmwall.ui.wall_service import WallService, is_rights_refusal
from vmwall.ui.wall_view import WallViewWidget, cameras_for_layout, resolve_layout

log = logging.getLogger(__name__)

TICK_MS = 1000
MIN_APPLY_INTERVAL_MS = 200  # 24 nodes report ~24 times a second: shown at most 5 times a second
SHORTCUT = "Ctrl+M"
DATA_ROLE = Qt.ItemDataRole.UserRole


class WallHost(Protocol):
    """What the panel reads from the console window (``ConsoleWindow`` is one)."""

    context: TileContext
    layout_set: LayoutSet
    views: list[SavedView]

    def notify(self, text: str) -> None: ...


class _Mailbox:
    """The newest snapshot from the client's thread, waiting for the GUI thread (one post at a time)."""

    def __init__(self, bridge: Bridge, panel: WallPanel) -> None:
        self._lock = threading.Lock()
        self._bridge = bridge
        self._panel = weakref.ref(panel)
        self._pending: WallSnapshot | None = None
        self._posted = False
        self.closed = False

    def put(self, snapshot: WallSnapshot) -> None:
        """From any thread."""
        with self._lock:
            if self.closed:
                return
            self._pending = snapshot
            if self._posted:
                return
            self._posted = True
        panel = self._panel()
        if panel is not None:
            self._bridge.deliver(panel, self._hand_over)

    def _hand_over(self) -> None:
        with self._lock:
            snapshot, self._pending, self._posted = self._pending, None, False
        panel = self._panel()
        if snapshot is not None and panel is not None and not self.closed:
            panel.snapshot_arrived(snapshot)


class _DragList(QListWidget):
    """A list whose items drag as a layout or a saved view."""

    def __init__(self, parent: QWidget, make: Callable[[Any], QMimeData]) -> None:
        super().__init__(parent)
        self._make = make
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:  # noqa: N802 (Qt)
        return self._make(items[0].data(DATA_ROLE)) if items else QMimeData()


class WallPanel(QDockWidget):
    def __init__(self, host: WallHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallPanel")
        self.setWindowTitle(self.tr("Mur d'images"))
        self.host = host
        self.bridge: Bridge = host.context.bridge
        self.client: WallService | None = None
        self.snapshot: WallSnapshot | None = None
        self.problem = ""  # why there is no client
        self.refusal = ""  # the controller refused this account (every command would be)
        self._refused_login: str | None = None
        self._mailbox: _Mailbox | None = None
        self._connected = False
        self._sources: tuple[object, object, object] = (None, None, None)  # layout set, views, directory
        self.last_menu: QMenu | None = None
        self.last_sequence_dialog: SequenceEditorDialog | None = None
        self.commands_reason: str | None = None
        self._alarm_choices: tuple[list[tuple[ScreenRef, str]], ScreenRef | None] | None = None

        body = QWidget(self)
        self.link_label = QLabel(body)
        self.link_label.setObjectName("wallLink")
        self.alarm_combo = QComboBox(body)
        self.alarm_combo.setObjectName("wallAlarmScreen")
        self.alarm_combo.setToolTip(self.tr("L'écran où s'affichent les caméras en alarme"))
        self._alarm_tooltip = self.alarm_combo.toolTip()
        self.alarm_combo.activated.connect(self._on_alarm_combo_activated)
        top = QHBoxLayout()
        top.addWidget(self.link_label, 1)
        top.addWidget(QLabel(self.tr("Écran d'alarme :"), body))
        top.addWidget(self.alarm_combo)
        self.notice = QLabel("", body)
        self.notice.setObjectName("wallNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #f0503c;")
        self.notice.hide()

        self.view = WallViewWidget(body)
        self.view.camera_dropped.connect(self._on_view_camera_dropped)
        self.view.layout_dropped.connect(self._on_view_layout_dropped)
        self.view.view_dropped.connect(self._on_view_view_dropped)
        self.view.menu_requested.connect(self._on_view_menu_requested)

        self.presets = WallPresetsWidget(body)
        self.presets.apply_requested.connect(self.apply_preset)
        self.presets.save_requested.connect(lambda name: self.send("save-preset", name=name))
        self.presets.delete_requested.connect(lambda name: self.send("delete-preset", name=name))
        self.sequences = WallSequencesWidget(body)
        self.sequences.command_requested.connect(lambda action, name: self.send(action, name=name))
        self.sequences.edit_requested.connect(self.edit_sequence)
        self.sequences.delete_requested.connect(lambda name: self.send("delete-sequence", name=name))
        self.nodes = WallNodesWidget(body)
        self.history = WallHistoryWidget(body, self.action_text)
        sources = QWidget(body)
        self.layout_list = _DragList(sources, layout_mime)
        self.layout_list.setObjectName("wallLayouts")
        self.view_list = _DragList(sources, view_mime)
        self.view_list.setObjectName("wallViews")
        for widget in (self.layout_list, self.view_list):
            widget.setToolTip(self.tr("Glisser sur un écran du mur ; double-clic : sur l'écran choisi"))
        self.layout_list.itemDoubleClicked.connect(self._on_layout_list_double_clicked)
        self.view_list.itemDoubleClicked.connect(self._on_view_list_double_clicked)
        sources_layout = QHBoxLayout(sources)
        sources_layout.setContentsMargins(4, 4, 4, 4)
        for title, widget in ((self.tr("Dispositions"), self.layout_list), (self.tr("Vues"), self.view_list)):
            column = QVBoxLayout()
            column.addWidget(QLabel(title, sources))
            column.addWidget(widget)
            sources_layout.addLayout(column)
        self.tabs = QTabWidget(body)
        self.tabs.addTab(self.presets, self.tr("Préréglages"))
        self.tabs.addTab(self.sequences, self.tr("Séquences"))
        self.tabs.addTab(self.nodes, self.tr("Nœuds"))
        self.tabs.addTab(sources, self.tr("Dispositions et vues"))
        self.tabs.addTab(self.history, self.tr("Historique"))

        splitter = QSplitter(Qt.Orientation.Vertical, body)
        splitter.addWidget(self.view)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)
        self.setWidget(body)

        self.toggle_action = self.toggleViewAction()
        self.toggle_action.setText(self.tr("Panneau du mur d'images"))
        self.toggle_action.setShortcut(QKeySequence(SHORTCUT))
        self.toggle_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.save_preset_action = QAction(self.tr("Enregistrer le mur comme préréglage…"), self)
        self.save_preset_action.triggered.connect(self._on_save_preset_triggered)

        self._arrived: WallSnapshot | None = None
        self._last_apply = 0.0
        self._pace = QTimer(self)
        self._pace.setSingleShot(True)
        self._pace.timeout.connect(self._on_pace_timeout)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick_timeout)
        self._tick.start()
        self.set_client(None, "")

    # --- the client ------------------------------------------------------------------------------

    def set_client(self, client: WallService | None, problem: str = "") -> None:
        """Mirror and command this controller client (None: none configured, ``problem`` says why)."""
        self._stop_listening()
        self.client, self.problem = client, problem
        self._pace.stop()
        self._arrived = None
        self.refusal, self._refused_login = "", None
        self.snapshot = None
        if client is None:
            self._connected = False
            text = self.tr(
                "Aucun contrôleur de mur configuré : le panneau se remplira quand ce pupitre en aura un."
            )
            if problem:
                text += "\n" + problem
            self.view.set_placeholder(text)
            self.view.set_snapshot(None, self.host.layout_set, self.host.context.directory)
            self._show_link()
            self._update_commands()
            return
        self.view.set_placeholder("")
        mailbox = _Mailbox(self.bridge, self)
        self._mailbox = mailbox
        client.add_listener(mailbox.put)
        self._connected = client.connected
        self.apply_snapshot(client.snapshot())

    def detach(self) -> None:
        """Stop listening (the console is closing); the client itself is closed by its owner."""
        self._stop_listening()
        self._tick.stop()
        self._pace.stop()

    def _stop_listening(self) -> None:
        mailbox, self._mailbox = self._mailbox, None
        if mailbox is None:
            return
        mailbox.closed = True
        remove = getattr(self.client, "remove_listener", None)  # WallClient has one; the protocol needs none
        if callable(remove):
            remove(mailbox.put)

    def snapshot_arrived(self, snapshot: WallSnapshot) -> None:
        """A new snapshot from the client (GUI thread). A change of the wall's state (a command, a
        sequence step) is shown at once; node reports and thumbnails, which pour in, at most every
        200 ms."""
        current = self.snapshot
        if current is None or (snapshot.epoch, snapshot.sequence) != (current.epoch, current.sequence):
            self._pace.stop()
            self._arrived = None
            self.apply_snapshot(snapshot)
            return
        self._arrived = snapshot
        if self._pace.isActive():
            return
        wait_ms = MIN_APPLY_INTERVAL_MS - (time.monotonic() - self._last_apply) * 1000
        if wait_ms > 0:
            self._pace.start(int(wait_ms) + 1)
        else:
            self._on_pace_timeout()

    def _on_pace_timeout(self) -> None:
        snapshot, self._arrived = self._arrived, None
        if snapshot is not None:
            self.apply_snapshot(snapshot)

    def apply_snapshot(self, snapshot: WallSnapshot) -> None:
        """Show a new state of the wall (GUI thread)."""
        self._last_apply = time.monotonic()
        self.snapshot = snapshot
        if self.client is not None:
            self._connected = self.client.connected
        self._refresh()

    def _refresh(self) -> None:
        directory = self.host.context.directory
        self._check_refusal_holds(directory)
        snapshot = self.snapshot
        self.view.set_link(self._connected or self.client is None)
        self.view.set_snapshot(snapshot, self.host.layout_set, directory)
        if snapshot is not None:
            self.presets.set_presets(snapshot.presets)
            names = self._camera_names(directory)
            self.sequences.set_sequences(snapshot.sequences, names)
            self.nodes.set_nodes(snapshot.nodes, self.view.may_show, self._connected)
            self.history.set_pushes(snapshot.pushes)
        self._fill_alarm_combo()
        self._fill_sources()
        self._show_link()
        self._update_commands()

    def _on_tick_timeout(self) -> None:
        connected = self.client.connected if self.client is not None else False
        sources = (self.host.layout_set, self.host.views, self.host.context.directory)
        if connected != self._connected or any(
            a is not b for a, b in zip(sources, self._sources, strict=True)
        ):
            self._connected = connected
            self._refresh()
        else:
            self.nodes.refresh_ages()

    # --- state shown -----------------------------------------------------------------------------

    def _show_link(self) -> None:
        if self.client is None:
            text, colour = self.tr("Contrôleur : non configuré"), "#5b6470"
        elif self._connected:
            text, colour = self.tr("Contrôleur : connecté"), "#3fb950"
        elif self._key_refused():
            text, colour = self.tr("Contrôleur : clé de ce pupitre refusée"), "#f0503c"
        elif self.snapshot is None or not self.snapshot.epoch:
            text, colour = self.tr("Contrôleur : connexion…"), "#d9a22b"
        else:
            text, colour = self.tr("Contrôleur : injoignable"), "#f0503c"
        if self.link_label.text() != text:
            self.link_label.setText(text)
            self.link_label.setStyleSheet(f"color: {colour};")
        self.link_label.setToolTip(self.problem if self.client is None else "")

    def link_text(self) -> str:
        return self.link_label.text()

    def _fill_alarm_combo(self) -> None:
        combo = self.alarm_combo
        choices = self.screen_choices()
        alarm = self.snapshot.alarm_screen if self.snapshot is not None else None
        if alarm is not None and alarm not in dict(choices):
            choices.append((alarm, self._screen_label(alarm, {})))
        combo.blockSignals(True)
        if (choices, alarm) != self._alarm_choices:
            self._alarm_choices = (choices, alarm)
            combo.clear()
            combo.addItem(self.tr("(aucun)"), None)
            for ref, label in choices:
                combo.addItem(label, ref)
        if combo.currentData() != alarm:  # the wall's, not a choice the controller refused
            combo.setCurrentIndex(max(0, index_of(combo, alarm)) if alarm is not None else 0)
        combo.blockSignals(False)

    def screen_choices(self) -> list[tuple[ScreenRef, str]]:
        """Every screen of the wall with its name as shown, in node and index order."""
        if self.snapshot is None:
            return []
        labels = {g.ref: g.label for g in self.snapshot.geometry}
        refs = sorted(set(labels) | {r for r, _c in self.snapshot.screens})
        return [(ref, self._screen_label(ref, labels)) for ref in refs]

    def _screen_label(self, ref: ScreenRef, labels: dict[ScreenRef, str]) -> str:
        return labels.get(ref) or self.tr("%1 · écran %2").replace("%1", ref.node).replace(
            "%2", str(ref.index + 1)
        )

    def _fill_sources(self) -> None:
        layout_set, views, directory = self.host.layout_set, self.host.views, self.host.context.directory
        if layout_set is not self._sources[0]:
            self.layout_list.clear()
            for entry in layout_set.entries:
                item = QListWidgetItem(entry.layout.name, self.layout_list)
                item.setData(DATA_ROLE, entry.layout.name)
                item.setToolTip(self.tr("%1 tuiles").replace("%1", str(len(entry.layout.tiles))))
        if views is not self._sources[1]:
            self.view_list.clear()
            for view in views:
                item = QListWidgetItem(view.name, self.view_list)
                item.setData(DATA_ROLE, view)
                item.setToolTip(
                    f"{view.layout_name}: {', '.join('-' if c is None else str(c) for c in view.cameras)}"
                )
        self._sources = (layout_set, views, directory)

    def _camera_names(self, directory: Directory | None) -> dict[int, str]:
        if directory is None:
            return {}
        return {n: c.name for n, c in directory.cameras.items() if self.view.may_show(n)}

    def visible_cameras(self) -> list[tuple[int, str]]:
        """The cameras this account may put on the wall, by number (commune scoping, live rules)."""
        directory = self.host.context.directory
        if directory is None:
            return []
        now = datetime.now()
        return [
            (n, directory.cameras[n].name) for n in directory.numbers() if directory.refusal(n, now) is None
        ]

    # --- enabling --------------------------------------------------------------------------------

    def _check_refusal_holds(self, directory: Directory | None) -> None:
        """A refusal of the account holds until another account signs in on this console."""
        user = directory.user if directory is not None else None
        if self.refusal and user is not None and user.login != self._refused_login:
            self.refusal, self._refused_login = "", None
            self._show_notice("")

    def _disabled_reason(self) -> str | None:
        if self.client is None:
            return self.tr("Aucun contrôleur de mur configuré.")
        directory = self.host.context.directory
        user = directory.user if directory is not None else None
        if directory is not None and user is not None and not directory.may(Permission.WALL):  # rights now
            return self.tr("Votre compte « %1 » n'a pas le droit de piloter le mur d'images.").replace(
                "%1", user.login
            )
        if self.refusal:
            return self.refusal
        if self._key_refused():
            return self.tr(
                "Le contrôleur du mur ne connaît pas la clé de ce pupitre : faites-la enregistrer "
                "(vmwall wall keys --export ici, --register sur le contrôleur)."
            )
        if not self._connected:
            return self.tr("Contrôleur du mur injoignable : commandes suspendues.")
        return None

    def _key_refused(self) -> bool:
        """The controller refused this console's CurveZMQ key (``WallClient.key_refused``)."""
        return getattr(self.client, "key_refused", False) is True

    def _update_commands(self) -> None:
        reason = self._disabled_reason()
        self.commands_reason = reason
        enabled = reason is None
        self.view.set_commands_enabled(enabled)
        self.view.setToolTip(reason or "")
        self.presets.set_commands_enabled(enabled, reason or "")
        self.sequences.set_commands_enabled(enabled, reason or "")
        self.alarm_combo.setEnabled(enabled)
        self.alarm_combo.setToolTip(reason or self._alarm_tooltip)
        self.save_preset_action.setEnabled(enabled)
        self.save_preset_action.setToolTip(reason or "")

    def commands_enabled(self) -> bool:
        return self.commands_reason is None

    # --- commands --------------------------------------------------------------------------------

    def send(self, action: str, **args: Any) -> bool:
        """Submit a command; its answer comes back in the GUI thread. False if not sent (and why shown)."""
        reason = self._disabled_reason()
        client = self.client
        if reason is not None or client is None:
            self._show_notice(reason or "")
            return False
        bridge, panel = self.bridge, weakref.ref(self)

        def done(result: Any) -> None:  # the client's thread
            target = panel()
            if target is not None:
                bridge.deliver(target, target._on_command_done, action, args, result)

        try:
            client.submit(action, dict(args), done)
        except Exception as error:  # a closed client, arguments it rejects: said, never raised
            log.warning("wall command %s not sent: %s", action, error)
            self._on_command_done(action, args, error)
            return False
        return True

    def _on_command_done(self, action: str, args: dict[str, Any], result: Any) -> None:
        if isinstance(result, BaseException):
            self._fill_alarm_combo()
            if is_rights_refusal(result):
                user = self.host.context.directory.user if self.host.context.directory is not None else None
                self._refused_login = user.login if user is not None else None
                self.refusal = self.account_refusal_text(result)
                self._show_notice(self.refusal)
                self._update_commands()
            else:
                self._show_notice(self.command_refusal_text(action, result))
            return
        self._show_notice("")
        done = self.done_text(action, args)
        if done:
            self.host.notify(done)

    def command_refusal_text(self, action: str, error: BaseException) -> str:
        """One command refused (or unanswered): why in French, the controller's own words after."""
        code = str(getattr(error, "code", ""))
        why = {
            "camera-refused": self.tr("caméra non autorisée pour ce compte ou non visible en direct"),
            "unknown-screen": self.tr("écran inconnu du mur"),
            "unknown-layout": self.tr("disposition inconnue du contrôleur"),
            "unknown-preset": self.tr("préréglage inconnu"),
            "unknown-sequence": self.tr("séquence inconnue"),
            "no-alarm-screen": self.tr("aucun écran d'alarme n'est défini"),
            "unknown-node": self.tr("ce nœud n'a encore signalé aucun écran"),
            "invalid": self.tr("commande invalide"),
            "unavailable": self.tr("contrôleur injoignable ou droits invérifiables ; réessayez"),
            "closed": self.tr("la liaison avec le contrôleur est fermée"),
            "not-recorded": self.tr("l'envoi n'a pas pu être tracé, il n'est pas appliqué"),
            "not-saved": self.tr("l'état du mur n'a pas pu être enregistré sur le contrôleur"),
        }.get(code)
        reason = str(error) or type(error).__name__
        text = self.tr("Commande « %1 » refusée par le contrôleur du mur : %2").replace(
            "%1", self.action_text(action)
        )
        if why is None:
            return text.replace("%2", reason)
        return text.replace("%2", f"{why} ({reason})")

    def account_refusal_text(self, error: BaseException) -> str:
        """The controller's refusal of this account or console, in French, its own words after it."""
        why = {
            "no-right": self.tr("ce compte n'a pas le droit de piloter le mur d'images"),
            "unknown-user": self.tr("compte inconnu ou désactivé"),
            "key-refused": self.tr("la clé de ce pupitre n'est pas enregistrée sur le contrôleur"),
        }.get(str(getattr(error, "code", "")))
        reason = str(error) or type(error).__name__
        if why is None:
            return self.tr("Le contrôleur du mur refuse votre compte : %1").replace("%1", reason)
        return (
            self.tr("Le contrôleur du mur refuse votre compte : %1 (%2).")
            .replace("%1", why)
            .replace("%2", reason)
        )

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def notice_text(self) -> str:
        return self.notice.text() if self.notice.isVisibleTo(self) else ""

    def action_text(self, action: str) -> str:
        return {
            "show-camera": self.tr("afficher une caméra"),
            "set-screen": self.tr("remplir un écran"),
            "clear-screen": self.tr("vider un écran"),
            "apply-preset": self.tr("appliquer un préréglage"),
            "save-preset": self.tr("enregistrer un préréglage"),
            "delete-preset": self.tr("supprimer un préréglage"),
            "save-sequence": self.tr("enregistrer une séquence"),
            "delete-sequence": self.tr("supprimer une séquence"),
            "sequence-start": self.tr("démarrer une séquence"),
            "sequence-pause": self.tr("mettre une séquence en pause"),
            "sequence-resume": self.tr("reprendre une séquence"),
            "sequence-step": self.tr("avancer une séquence"),
            "sequence-stop": self.tr("arrêter une séquence"),
            "set-alarm-screen": self.tr("choisir l'écran d'alarme"),
            "alarm": self.tr("afficher une alarme"),
        }.get(action, action)

    def done_text(self, action: str, args: dict[str, Any]) -> str:
        name = str(args.get("name", ""))
        if action == "apply-preset":
            return self.tr("Mur : préréglage « %1 » appliqué.").replace("%1", name)
        if action == "save-preset":
            return self.tr("Mur : préréglage « %1 » enregistré.").replace("%1", name)
        if action == "delete-preset":
            return self.tr("Mur : préréglage « %1 » supprimé.").replace("%1", name)
        if action == "save-sequence":
            return self.tr("Mur : séquence « %1 » enregistrée.").replace("%1", name)
        return ""

    def apply_preset(self, name: str) -> bool:
        return self.send("apply-preset", name=name)

    def show_camera(self, ref: ScreenRef, tile: int, camera: int | None) -> bool:
        if camera is not None and not self._may_offer(camera):
            return False
        content = self.snapshot.content(ref) if self.snapshot is not None else None
        if content is None and camera is not None:  # an empty screen: one tile holding the camera
            return self.send("set-screen", screen=ref.key, layout="1x1", cameras=[camera])
        return self.send("show-camera", screen=ref.key, tile=tile, camera=camera)

    def set_screen_layout(self, ref: ScreenRef, name: str) -> bool:
        """Apply a layout to a screen, keeping each tile's camera where the new layout has the tile."""
        content = self.snapshot.content(ref) if self.snapshot is not None else None
        layout = resolve_layout(name, 1, self.host.layout_set)
        cameras = cameras_for_layout(content.cameras if content is not None else (), layout)
        return self.send("set-screen", screen=ref.key, layout=name, cameras=cameras)

    def set_screen_view(
        self, ref: ScreenRef, name: str, layout_name: str, cameras: tuple[int | None, ...]
    ) -> bool:
        """Put a saved view on a screen; cameras the account may not see are left out (said so)."""
        layout = resolve_layout(layout_name, len(cameras), self.host.layout_set)
        allowed = [c if c is not None and self._visible(c) else None for c in cameras]
        left_out = [c for c, a in zip(cameras, allowed, strict=True) if c is not None and a is None]
        sent = self.send(
            "set-screen", screen=ref.key, layout=layout_name, cameras=cameras_for_layout(allowed, layout)
        )
        if sent and left_out:
            self._show_notice(
                self.tr("Vue « %1 » : caméra(s) %2 hors de votre périmètre, laissée(s) vides.")
                .replace("%1", name)
                .replace("%2", ", ".join(map(str, left_out)))
            )
        return sent

    def clear_screen(self, ref: ScreenRef) -> bool:
        return self.send("clear-screen", screen=ref.key)

    def set_alarm_screen(self, ref: ScreenRef | None) -> bool:
        return self.send("set-alarm-screen", screen=ref.key if ref is not None else None)

    def _visible(self, camera: int) -> bool:
        directory = self.host.context.directory
        return directory is not None and directory.refusal(camera, datetime.now()) is None

    def _may_offer(self, camera: int) -> bool:
        directory = self.host.context.directory
        if directory is None:
            self._show_notice(self.tr("Catalogue des caméras pas encore chargé : réessayez dans un instant."))
            return False
        refusal = directory.refusal(camera, datetime.now())
        if refusal is None:
            return True
        self._show_notice(self.refusal_text(camera, refusal))
        return False

    def refusal_text(self, camera: int, refusal: Refusal) -> str:
        text = {
            Refusal.UNKNOWN_CAMERA: self.tr("la caméra n'existe pas dans le catalogue"),
            Refusal.STORAGE_ONLY: self.tr("sa commune a un forfait stockage seul (jamais en direct)"),
            Refusal.OUTSIDE_HOURS: self.tr("hors des heures de visionnage de sa commune"),
            Refusal.OTHER_COMMUNE: self.tr("votre compte ne couvre pas sa commune"),
            Refusal.NO_LIVE_RIGHT: self.tr("votre compte n'a pas le droit de visionnage en direct"),
        }[refusal]
        return self.tr("Caméra %1 non envoyée au mur : %2.").replace("%1", str(camera)).replace("%2", text)

    # --- from the drawing ------------------------------------------------------------------------

    def _on_view_camera_dropped(self, ref: ScreenRef, tile: int, drop: CameraDrop) -> None:
        source = wall_screen_of(drop.grid)
        content = self.snapshot.content(ref) if self.snapshot is not None else None
        if source == ref and drop.tile is not None and content is not None:
            if drop.tile == tile:
                return
            cameras = list(content.cameras) + [None] * max(0, max(tile, drop.tile) + 1 - len(content.cameras))
            cameras[tile], cameras[drop.tile] = cameras[drop.tile], cameras[tile]
            self.send("set-screen", screen=ref.key, layout=content.layout, cameras=cameras)  # one atomic swap
            return
        self.show_camera(ref, tile, drop.camera)

    def _on_view_layout_dropped(self, ref: ScreenRef, drop: LayoutDrop) -> None:
        self.set_screen_layout(ref, drop.layout)

    def _on_view_view_dropped(self, ref: ScreenRef, drop: ViewDrop) -> None:
        self.set_screen_view(ref, drop.name, drop.layout, drop.cameras)

    def _on_view_menu_requested(self, ref: ScreenRef, tile: int | None, position: QPoint) -> None:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        enabled = self.commands_enabled()
        camera = self.view.camera_at(ref, tile)
        actions: list[QAction] = []
        if tile is not None and camera is not None:
            remove = menu.addAction(
                self.tr("Retirer la caméra %1 de la tuile %2")
                .replace("%1", str(camera))
                .replace("%2", str(tile + 1))
            )
            remove.triggered.connect(lambda: self.show_camera(ref, tile, None))
            actions.append(remove)
        clear = menu.addAction(self.tr("Vider l'écran"))
        clear.triggered.connect(lambda: self.clear_screen(ref))
        actions.append(clear)
        is_alarm = self.snapshot is not None and self.snapshot.alarm_screen == ref
        alarm = menu.addAction(
            self.tr("Ne plus utiliser comme écran d'alarme")
            if is_alarm
            else self.tr("Utiliser comme écran d'alarme")
        )
        alarm.triggered.connect(lambda: self.set_alarm_screen(None if is_alarm else ref))
        actions.append(alarm)
        layouts = menu.addMenu(self.tr("Disposition"))
        for entry in self.host.layout_set.entries:
            action = layouts.addAction(entry.layout.name)
            action.triggered.connect(lambda _c=False, n=entry.layout.name: self.set_screen_layout(ref, n))
            actions.append(action)
        views = menu.addMenu(self.tr("Vue enregistrée"))
        views.setEnabled(bool(self.host.views))
        for view in self.host.views:
            action = views.addAction(view.name)
            action.triggered.connect(
                lambda _c=False, v=view: self.set_screen_view(ref, v.name, v.layout_name, v.cameras)
            )
            actions.append(action)
        for action in actions:
            action.setEnabled(enabled)
            action.setToolTip(self.commands_reason or "")
        menu.setToolTipsVisible(True)
        self.last_menu = menu
        menu.popup(position)

    def _on_alarm_combo_activated(self, _index: int) -> None:
        ref = self.alarm_combo.currentData()
        self.set_alarm_screen(ref if isinstance(ref, ScreenRef) else None)

    def _on_layout_list_double_clicked(self, item: QListWidgetItem) -> None:
        ref = self.view.selected
        if ref is None:
            self._show_notice(self.tr("Choisissez d'abord un écran du mur (clic sur l'écran)."))
            return
        self.set_screen_layout(ref, str(item.data(DATA_ROLE)))

    def _on_view_list_double_clicked(self, item: QListWidgetItem) -> None:
        ref, view = self.view.selected, item.data(DATA_ROLE)
        if ref is None:
            self._show_notice(self.tr("Choisissez d'abord un écran du mur (clic sur l'écran)."))
            return
        if isinstance(view, SavedView):
            self.set_screen_view(ref, view.name, view.layout_name, view.cameras)

    # --- sequences -------------------------------------------------------------------------------

    def edit_sequence(self, sequence: WallSequence | None) -> SequenceEditorDialog | None:
        """Open the editor (new tour when None); saving sends ``save-sequence``. Returns the dialog."""
        if not self.commands_enabled():
            self._show_notice(self.commands_reason or "")
            return None
        screens = []
        for ref, label in self.screen_choices():
            content = self.snapshot.content(ref) if self.snapshot is not None else None
            tiles = (
                len(resolve_layout(content.layout, len(content.cameras), self.host.layout_set).tiles)
                if content is not None
                else 0
            )
            screens.append(ScreenChoice(ref, label, tiles))
        dialog = SequenceEditorDialog(
            self,
            cameras=self.visible_cameras(),
            presets=sorted((p.name for p in self.snapshot.presets), key=str.casefold)
            if self.snapshot
            else [],
            screens=screens,
            sequence=sequence,
            default_screen=self.view.selected,
            taken={s.name for s in self.snapshot.sequences} if self.snapshot else set(),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.send("save-sequence", **dialog.command_args()))
        self.last_sequence_dialog = dialog
        dialog.open()
        return dialog

    # --- the console's menu ----------------------------------------------------------------------

    def fill_menu(self, menu: QMenu) -> None:
        """The console's "Mur d'images" menu: show the panel, apply a preset, save the wall."""
        menu.addAction(self.toggle_action)
        menu.addSeparator()
        presets = menu.addMenu(self.tr("Appliquer un préréglage"))
        presets.aboutToShow.connect(lambda: self._fill_presets_menu(presets))
        menu.addAction(self.save_preset_action)
        self.presets_menu = presets

    def _fill_presets_menu(self, menu: QMenu) -> None:
        menu.clear()
        menu.setToolTipsVisible(True)
        names = sorted((p.name for p in self.snapshot.presets), key=str.casefold) if self.snapshot else []
        if not names:
            empty = menu.addAction(self.tr("(aucun préréglage)"))
            empty.setEnabled(False)
        for name in names:
            action = menu.addAction(name)
            action.setEnabled(self.commands_enabled())
            action.setToolTip(self.commands_reason or "")
            action.triggered.connect(lambda _c=False, n=name: self.apply_preset(n))

    def _on_save_preset_triggered(self) -> None:
        self.show()
        self.raise_()
        self.tabs.setCurrentWidget(self.presets)
        self.presets.ask_save()

    def show_panel(self) -> None:
        self.show()
        self.raise_()
