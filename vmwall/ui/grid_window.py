"""Windows that hold a grid: the base of the main window, and the extra grid windows of other screens.

Each window has its own layout, cameras, keypad and F-key layout shortcuts (they act on the grid of
the window that has the keyboard). Extra grid windows are restored at restart on the screen they
were on (matched by screen name and position, else the primary screen).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence, QScreen
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from vmwall.config.settings import LAYOUT_SHORTCUT_PREFIX, Action, WindowKind, WindowState
from vmwall.model import Layout
from vmwall.ui.grid import GridWidget
from vmwall.ui.shortcuts import KeyMap
from vmwall.ui.tile import TileContext

if TYPE_CHECKING:
    from vmwall.ui.main_window import ConsoleWindow


def encode_bytes(data: QByteArray) -> str:
    return bytes(data.toBase64().data()).decode("ascii")


def decode_bytes(text: str | None) -> QByteArray | None:
    if not text:
        return None
    data = QByteArray.fromBase64(QByteArray(text.encode("ascii", errors="ignore")))
    return data if not data.isEmpty() else None


def screen_for(state: WindowState | None) -> QScreen:
    """The screen a window was on: same index and name, else same name, else the primary screen."""
    screens = QGuiApplication.screens()
    primary = QGuiApplication.primaryScreen()
    if state is None:
        return primary
    index = state.screen_index
    if index is not None and index < len(screens) and (state.screen_name in (None, screens[index].name())):
        return screens[index]
    for screen in screens:
        if state.screen_name is not None and screen.name() == state.screen_name:
            return screen
    return primary


def screen_position(screen: QScreen | None) -> tuple[str | None, int | None]:
    if screen is None:
        return None, None
    screens = QGuiApplication.screens()
    return screen.name(), (screens.index(screen) if screen in screens else None)


class GridHostWindow(QMainWindow):
    """A top-level window around one GridWidget, with its layout menu and window shortcuts."""

    kind = WindowKind.GRID

    def __init__(
        self,
        context: TileContext,
        keymap: KeyMap,
        layout: Layout,
        parent: QWidget | None = None,
        screen: QScreen | None = None,
    ) -> None:
        super().__init__(parent)
        if screen is not None:
            # Before any native child exists: on a multi-X-screen display, changing a window's
            # screen later recreates its native windows, and the players would lose theirs.
            self.setScreen(screen)
        self.context = context
        self.keymap = keymap
        self.grid = GridWidget(context, keymap, layout, self)
        self.layout_menu = QMenu(self.tr("&Disposition"), self)
        self._layout_group = QActionGroup(self)
        self._layout_actions: dict[str, QAction] = {}
        self.grid.contents_changed.connect(self._on_grid_contents_changed)

    # --- actions ------------------------------------------------------------------------------

    def make_action(self, text: str, action: str | None = None, slot: object = None) -> QAction:
        """A QAction with the shortcuts configured for ``action``, active while the window is."""
        qaction = QAction(text, self)
        if action is not None:
            qaction.setShortcuts(self.keymap.sequences(action))
            qaction.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if slot is not None:
            qaction.triggered.connect(slot)
        self.addAction(qaction)  # still reachable when the menu bar is hidden (full screen)
        return qaction

    def console(self) -> ConsoleWindow:
        raise NotImplementedError

    def rebuild_layout_menu(self) -> None:
        console = self.console()
        menu = self.layout_menu
        for action in self._layout_actions.values():
            self.removeAction(action)
            self._layout_group.removeAction(action)
        menu.clear()
        self._layout_actions.clear()
        current = self.grid.grid_layout().name
        for entry in console.layout_set.entries:
            name = entry.layout.name
            label = name if entry.builtin else self.tr("%1 (personnalisée)").replace("%1", name)
            action = self.make_action(label, LAYOUT_SHORTCUT_PREFIX + name)
            action.setCheckable(True)
            action.setChecked(name == current)
            action.setData(name)
            action.triggered.connect(lambda _checked=False, n=name: self.apply_layout_name(n))
            if entry.origin is not None:
                action.setToolTip(str(entry.origin))
            self._layout_group.addAction(action)
            menu.addAction(action)
            self._layout_actions[name] = action
        menu.addSeparator()
        menu.addAction(
            self.make_action(
                self.tr("Disposition suivante"), Action.NEXT_LAYOUT, lambda: self.cycle_layout(1)
            )
        )
        menu.addAction(
            self.make_action(
                self.tr("Disposition précédente"), Action.PREVIOUS_LAYOUT, lambda: self.cycle_layout(-1)
            )
        )
        errors = console.layout_set.errors
        if errors:
            menu.addSeparator()
            broken = menu.addAction(self.tr("%n fichier(s) de disposition ignoré(s)", "", len(errors)))
            broken.setToolTip("\n".join(str(e) for e in errors))
            broken.triggered.connect(console.show_layout_errors)
        menu.setToolTipsVisible(True)

    def apply_layout_name(self, name: str) -> bool:
        layout = self.console().layout_set.get(name)
        if layout is None:
            self.console().notify(self.tr("Disposition « %1 » introuvable.").replace("%1", name))
            return False
        self.grid.set_grid_layout(layout)
        return True

    def cycle_layout(self, step: int) -> None:
        names = self.console().layout_set.names()
        if not names:
            return
        current = self.grid.grid_layout().name
        index = names.index(current) if current in names else -1
        self.apply_layout_name(names[(index + step) % len(names)])

    def _on_grid_contents_changed(self) -> None:
        name = self.grid.grid_layout().name
        for layout_name, action in self._layout_actions.items():
            action.setChecked(layout_name == name)
        self.grid_contents_changed()

    def grid_contents_changed(self) -> None:
        """Hook: something the settings save changed."""

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def snapshot_selected_tile(self) -> None:
        self.console().take_snapshot(self.grid.tile(self.grid.selected_index()))

    # --- saved state --------------------------------------------------------------------------

    def window_state(self) -> WindowState:
        name, index = screen_position(self.screen())
        cameras = self.grid.cameras()
        while cameras and cameras[-1] is None:
            cameras.pop()
        return WindowState(
            kind=self.kind,
            layout=self.grid.grid_layout().name,
            cameras=tuple(cameras),
            selected_tile=self.grid.selected_index(),
            maximised_tile=self.grid.maximised_index(),
            screen_name=name,
            screen_index=index,
            geometry=encode_bytes(self.saveGeometry()),
            full_screen=self.isFullScreen(),
        )

    def restore_grid(self, state: WindowState) -> None:
        layout = self.console().layout_set.get(state.layout)
        if layout is not None:
            self.grid.set_grid_layout(layout)
        self.grid.set_cameras(list(state.cameras))
        self.grid.select(min(state.selected_tile, len(self.grid.tiles()) - 1))
        if state.maximised_tile is not None and state.maximised_tile < len(self.grid.tiles()):
            self.grid.toggle_maximise(state.maximised_tile)

    def show_on(self, state: WindowState | None, default_fraction: float = 0.8) -> None:
        """Show on the saved screen and geometry (or centred on the primary screen)."""
        screen = screen_for(state)
        self.setScreen(screen)
        geometry = decode_bytes(state.geometry if state else None)
        if geometry is None or not self.restoreGeometry(geometry):
            area = screen.availableGeometry()
            width, height = int(area.width() * default_fraction), int(area.height() * default_fraction)
            self.setGeometry(
                area.x() + (area.width() - width) // 2,
                area.y() + (area.height() - height) // 2,
                width,
                height,
            )
        if state is not None and state.full_screen:
            self.showFullScreen()
        else:
            self.show()


class GridWindow(GridHostWindow):
    """An extra grid window (typically on another screen): its own layout and cameras."""

    kind = WindowKind.GRID

    def __init__(
        self, console: ConsoleWindow, layout: Layout, title_number: int, screen: QScreen | None = None
    ) -> None:
        super().__init__(console.context, console.keymap, layout, screen=screen)
        self._console = console
        self.setWindowTitle(self.tr("vmwall — grille %1").replace("%1", str(title_number)))
        self.setCentralWidget(self.grid)
        self.grid.snapshot_requested.connect(console.take_snapshot)
        self.grid.notice_posted.connect(console.notify)
        self.grid.tile_status_changed.connect(console.on_any_tile_status_changed)
        self.grid.keypad_entry_changed.connect(console.show_keypad_entry)
        bar = self.menuBar()
        bar.addMenu(self.layout_menu)
        window_menu = bar.addMenu(self.tr("&Fenêtre"))
        window_menu.addAction(
            self.make_action(
                self.tr("Instantané de la tuile sélectionnée"), Action.SNAPSHOT, self.snapshot_selected_tile
            )
        )
        window_menu.addAction(
            self.make_action(
                self.tr("Enregistrer la vue…"), Action.SAVE_VIEW, lambda: console.save_view(self.grid)
            )
        )
        window_menu.addAction(
            self.make_action(self.tr("Plein écran"), Action.FULL_SCREEN, self.toggle_full_screen)
        )
        self.make_action(self.tr("Revenir à la grille"), Action.FOCUS_GRID, self.grid.setFocus)
        window_menu.addSeparator()
        close = self.make_action(self.tr("Fermer cette fenêtre"), None, self.close)
        close.setShortcut(QKeySequence(QKeySequence.StandardKey.Close))
        window_menu.addAction(close)
        self.views_menu = bar.addMenu(self.tr("&Vues"))
        self.rebuild_layout_menu()
        console.fill_views_menu(self.views_menu, self.grid)

    def console(self) -> ConsoleWindow:
        return self._console

    def grid_contents_changed(self) -> None:
        self._console.schedule_settings_save()

    def showFullScreen(self) -> None:  # noqa: N802 (Qt)
        self.menuBar().hide()
        super().showFullScreen()

    def showNormal(self) -> None:  # noqa: N802 (Qt)
        self.menuBar().show()
        super().showNormal()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt)
        self._console.grid_window_closed(self)
        super().closeEvent(event)
