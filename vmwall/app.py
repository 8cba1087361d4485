"""Composition root of the console: builds the services, wires them to the widgets, runs Qt.

Everything that can fail before a window exists (settings, layouts, the command line) is read here,
in order, with errors in plain words. Once the window shows, the GUI thread never waits on I/O:
the database, the stream hub and file writes go through ``vmwall.ui.bridge`` workers.
"""

from __future__ import annotations

import getpass
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from vmwall import credentials
from vmwall.accounts import AccountEvent, AccountService, Session, effective_permissions
from vmwall.accounts.watcher import DEFAULT_INTERVAL_S as DEFAULT_WATCH_INTERVAL_S
from vmwall.audit_wiring import PtzAuditListener
from vmwall.config.layouts import LayoutSet, load_builtin_layouts, load_layouts
from vmwall.config.settings import (
    Settings,
    SettingsError,
    default_settings_path,
    layouts_dir,
    load_settings,
    set_aside_broken,
)
from vmwall.doctor import scan_vlc_plugins, vlc_plugin_dir
from vmwall.errors import UserFacingError
from vmwall.hub.client import HubClient, HubUnavailableError
from vmwall.hub.directory import with_credentials
from vmwall.journal.audit import AuditSink
from vmwall.journal.service import JournalService
from vmwall.model import Camera, SavedView, StreamKind, User
from vmwall.ptz.api import PtzService, PtzSettings
from vmwall.store import (
    AccountRepository,
    CameraRepository,
    CommuneRepository,
    Database,
    PtzLockRepository,
    SavedViewRepository,
    UserRepository,
    open_database,
)
from vmwall.ui import i18n
from vmwall.ui.audit_wiring import LayoutAuditRecorder
from vmwall.ui.bridge import Bridge
from vmwall.ui.dialogs import show_problems
from vmwall.ui.directory import Directory
from vmwall.ui.journal_backend import JournalBackend
from vmwall.ui.journal_controller import JournalController
from vmwall.ui.lock_screen import DEFAULT_LOCK_AFTER_S
from vmwall.ui.lock_session import ConsoleSession, SessionServices
from vmwall.ui.login_dialog import LoginDialog
from vmwall.ui.main_window import ConsoleWindow, StartOptions
from vmwall.ui.ptz_controller import PtzController, PtzServiceFactory
from vmwall.ui.ptz_joystick import PtzJoystickBinding
from vmwall.ui.services import ConsoleServices, HubReport, PlayerFactory, PlayerHandle
from vmwall.ui.shortcuts import KeyMap
from vmwall.ui.theme import apply_theme
from vmwall.ui.tile import TileContext
from vmwall.ui.wall_service import WallService
from vmwall.video.engine import VideoEngine, VideoUnavailableError, get_engine
from vmwall.video.status import TileStatus
from vmwall.video.tile_player import TilePlayer
from vmwall.wall.client import WallClient
from vmwall.wall.config import WallConfig

log = logging.getLogger(__name__)

WARM_TTL_S = 30.0
_HUB_RANK = {"live": 4, "connecting": 3, "reconnecting": 2, "failed": 1}


class ConsoleBackend:
    """The real services behind the widgets (``vmwall.ui.services.ConsoleServices``)."""

    def __init__(
        self,
        db_url: str | None,
        hub: HubClient,
        user_login: str | None,
        player_factory: PlayerFactory | None,
        *,
        start_hub: bool = True,
        direct_rtsp: bool = False,
    ) -> None:
        self._db_url = db_url
        self._hub = hub
        # Direct RTSP (libVLC opens the camera): URLs with credentials, resolved off the GUI thread.
        self._direct_rtsp = direct_rtsp
        self._direct_urls: dict[tuple[int, StreamKind], str] = {}
        self._user_login = user_login
        self._player_factory = player_factory
        self._start_hub = start_hub
        self._db: Database | None = None
        self._lock = threading.Lock()
        self._user_id: int | None = None
        self._session: Session | None = None

    def set_session(self, session: Session) -> None:
        """The signed-in operator (set in the GUI thread; the next catalogue load is theirs)."""
        self._session = session

    def _database(self) -> Database:
        with self._lock:
            if self._db is None:
                self._db = open_database(self._db_url)
            return self._db

    def database(self) -> Database:
        """The console's database, opened on first use. *Blocking*."""
        return self._database()

    def load_directory(self) -> Directory:
        db = self._database()
        session = self._session
        login = session.login if session is not None else self._user_login
        user = None
        permissions = None
        if login is not None:
            user = UserRepository(db).get_by_login(login)
            if user is None:
                raise UserFacingError(f"account {login!r} does not exist (vmwall users)")
            if session is not None:
                # The session's rights, narrowed by anything the account lost since (re-read here).
                permissions = session.permissions & effective_permissions(user, datetime.now().date())
            elif not user.active:
                raise UserFacingError(f"account {login!r} is deactivated")
        self._user_id = user.id if user else None
        cameras = CameraRepository(db).list()
        if self._direct_rtsp:
            self._direct_urls = direct_stream_urls(cameras)
        return Directory.build(CommuneRepository(db).list(), cameras, user, permissions)

    def user_id(self) -> int | None:
        return self._user_id

    def list_views(self) -> list[SavedView]:
        return SavedViewRepository(self._database()).list_for(self._user_id)

    def save_view(self, view: SavedView) -> SavedView:
        repository = SavedViewRepository(self._database())
        existing = next(
            (
                v
                for v in repository.list_for(view.owner_id)
                if v.name == view.name and v.owner_id == view.owner_id
            ),
            None,
        )
        if existing is not None:
            return repository.update(replace(view, id=existing.id))
        return repository.add(view)

    def delete_view(self, view: SavedView) -> None:
        if view.id is not None:
            SavedViewRepository(self._database()).delete(view.id)

    def check_hub(self, warm_sub: list[int]) -> HubReport:
        try:
            if self._start_hub:
                self._hub.ensure_running(db_url=self._db_url)
            if warm_sub:
                # Tiles on their main stream keep the sub warm: shrinking back is instant.
                self._hub.warm(warm_sub, StreamKind.SUB, ttl_s=WARM_TTL_S)
            streams, refused = self._hub.report()
        except HubUnavailableError as error:
            return HubReport(False, str(error), {})
        states: dict[int, str] = {}
        problems: dict[int, str] = {}
        for stream in streams:
            camera, state = stream.get("camera"), str(stream.get("state", ""))
            if isinstance(camera, int) and _HUB_RANK.get(state, 0) > _HUB_RANK.get(states.get(camera, ""), 0):
                states[camera] = state
            if isinstance(camera, int) and state in ("failed", "reconnecting") and stream.get("last_error"):
                problems[camera] = str(stream["last_error"])
        for entry in refused:
            camera = entry.get("camera")
            if isinstance(camera, int):
                problems[camera] = str(entry.get("error", ""))
        return HubReport(True, self._hub.url, states, problems)

    def stream_url(self, camera: int, kind: StreamKind) -> str:
        if self._direct_rtsp and (camera, kind) in self._direct_urls:
            return self._direct_urls[(camera, kind)]
        return self._hub.stream_url(camera, kind)

    def new_player(self) -> PlayerFactory | None:
        return self._player_factory

    def close(self) -> None:
        with self._lock:
            db, self._db = self._db, None
        if db is not None:
            db.close()


def direct_stream_urls(cameras: list[Camera]) -> dict[tuple[int, StreamKind], str]:
    """Each camera's own RTSP URL per stream kind, with its credentials from the keyring (in memory)."""
    urls: dict[tuple[int, StreamKind], str] = {}
    for camera in cameras:
        try:
            password = credentials.load_password(camera.credential_ref) if camera.credential_ref else None
        except UserFacingError as error:
            log.warning("camera %d: %s; it plays through the hub", camera.number, error)
            continue
        for kind in (StreamKind.MAIN, StreamKind.SUB):
            uri = camera.stream_uri(kind)
            if uri is not None and uri.startswith(("rtsp://", "rtsps://")):
                urls[(camera.number, kind)] = with_credentials(uri, camera.username, password)
    return urls


def ptz_service_factory(
    database: Callable[[], Database], settings: PtzSettings | None = None, *, audit: AuditSink | None = None
) -> PtzServiceFactory:
    """Makes the console's PTZ service for its account (on a worker: it opens the database).

    Cameras are reached over ONVIF with their catalogue address and keyring password; the control
    locks live in the shared database, so every console of the centre sees the same holders. With
    ``audit``, the service's actions go to the audit trail (``vmwall.audit_wiring``).
    """
    ptz_settings = settings or PtzSettings()

    def make(user: User | None) -> PtzService:
        from vmwall.ptz.service import OnvifPtzService, make_operator  # ONVIF library: loaded on a worker
        from vmwall.ptz.targets import CatalogueResolver

        db = database()
        if user is not None:
            operator = make_operator(user.login, user.full_name, user.role.value, ptz_settings)
        else:  # no named account (development, demo): the workstation's login, the lowest priority
            try:
                login = getpass.getuser()
            except (KeyError, OSError):  # no passwd entry (some containers)
                login = "console"
            operator = make_operator(login, login, "", ptz_settings)
        service = OnvifPtzService(
            operator,
            CatalogueResolver(CameraRepository(db).get_by_number),
            PtzLockRepository(db),
            ptz_settings,
        )
        if audit is not None:
            service.add_listener(PtzAuditListener(audit))
        service.start()
        return service

    return make


def start_wall_client(user: str) -> tuple[WallClient | None, str]:
    """The console's client of the wall controller, started (its own thread), or None and why.

    No controller key on this machine (no ``vmwall wall-controller`` started here, no key
    registered) means no wall for this console: the wall panel says so, the console runs on.
    """
    client: WallClient | None = None
    try:
        client = WallClient(WallConfig.from_env(), user=user, name="console")
        client.start()
    except (UserFacingError, ValueError, OSError) as error:
        log.info("no wall controller for this console: %s", error)
        if client is not None:
            client.close()
        return None, str(error)
    return client, ""


def libvlc_has_rtsp() -> bool:
    """Whether this machine's libVLC has an RTSP client (the live555 module): Debian's has none."""
    import vlc  # loaded only when direct RTSP is configured

    plugin_dir = vlc_plugin_dir(vlc)
    return plugin_dir is not None and "live555" in scan_vlc_plugins(plugin_dir)


def tile_player_factory(engine: VideoEngine) -> PlayerFactory:
    counter = iter(range(1, 1_000_000))

    def make(
        windows: tuple[int, int], show_surface: Callable[[int], None], on_change: Callable[[TileStatus], None]
    ) -> PlayerHandle:
        return TilePlayer(
            list(windows),
            on_change=on_change,
            show_surface=show_surface,
            engine=engine,
            name=f"tile-{next(counter)}",
        )

    return make


@dataclass(frozen=True, slots=True)
class ConsoleArguments:
    db_url: str | None = None
    settings_path: Path | None = None
    layout: str | None = None
    cameras: tuple[int | None, ...] | None = None
    view: str | None = None
    user: str | None = None
    language: str | None = None
    hub_url: str | None = None
    start_hub: bool = True
    verbose: bool = False
    lock_after_s: float = DEFAULT_LOCK_AFTER_S  # --lock-after: inactivity before the console locks


def parse_camera_list(text: str) -> tuple[int | None, ...]:
    """``"1,2,,4"`` -> (1, 2, None, 4): an empty entry leaves its tile empty."""
    numbers: list[int | None] = []
    for part in text.split(","):
        part = part.strip()
        if not part or part == "-":
            numbers.append(None)
            continue
        if not part.isdigit() or int(part) < 1:
            raise UserFacingError(f"--cameras: {part!r} is not a camera number", exit_code=2)
        numbers.append(int(part))
    return tuple(numbers)


def load_start_settings(path: Path) -> tuple[Settings, list[str]]:
    """The settings, or the defaults and the reason when the file is broken (set aside, not lost)."""
    try:
        return load_settings(path), []
    except SettingsError as error:
        aside = set_aside_broken(path)
        note = f" (kept as {aside})" if aside else ""
        return Settings(), [f"{error}{note}"]


def audit_account_events(journal: JournalService) -> Callable[[AccountEvent], None]:
    """Logins, logouts, locks, handovers and account changes go to the audit trail (at once, durably)."""

    def record(event: AccountEvent) -> None:
        journal.audit.account_event(event)

    return record


def prepare_qt_platform() -> None:
    """libVLC draws into X11 windows by id: on Linux, Qt must use xcb (XWayland on a Wayland desktop)."""
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "xcb"


ENV_USER = "VMWALL_USER"
ENV_PASSWORD = "VMWALL_PASSWORD"


def sign_in(
    bridge: Bridge,
    accounts: AccountService,
    login_hint: str | None,
    on_dialog: Callable[[LoginDialog], None] | None = None,
) -> Session | None:
    """The console's operator: from ``$VMWALL_USER``/``$VMWALL_PASSWORD`` (scripts, the demo), else
    the login dialog. None: the operator chose "Quitter". The password is removed from the
    environment at once, so the processes the console starts (the stream hub) never inherit it."""
    login = (login_hint or os.environ.get(ENV_USER, "")).strip()
    password = os.environ.pop(ENV_PASSWORD, None)
    if password is not None and login:
        session = accounts.login(login, password)  # before any window: refusals end the command
        log.info("signed in from the environment: %s", session.login)
        return session
    dialog = LoginDialog(None, bridge, accounts.login, login_hint=login)
    if on_dialog is not None:
        on_dialog(dialog)  # e.g. SIGTERM closes it
    log.info("asking for a login")
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.session is None:
        return None
    log.info("signed in: %s", dialog.session.login)
    return dialog.session


def run_console(arguments: ConsoleArguments) -> int:
    from vmwall.logs import install_sigterm_handler, setup_logging

    setup_logging("console", verbose=arguments.verbose)  # also points faulthandler at the log
    settings_path = arguments.settings_path or default_settings_path()
    settings, problems = load_start_settings(settings_path)
    # --user and --language hold for this session; the settings file keeps its own values.
    user = arguments.user or settings.user
    language = arguments.language or settings.language

    layout_set = load_layouts(layouts_dir(settings), load_builtin_layouts())
    if arguments.layout is not None and layout_set.get(arguments.layout) is None:
        raise UserFacingError(
            f"--layout: no layout named {arguments.layout!r} (layouts: {', '.join(layout_set.names())})",
            exit_code=2,
        )

    prepare_qt_platform()
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "vmwall"])
    assert isinstance(app, QApplication)
    app.setApplicationName("vmwall")
    app.setApplicationDisplayName("vmwall")
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app)
    translators = i18n.install_translators(app, language)

    engine: VideoEngine | None
    try:
        engine = get_engine()
    except VideoUnavailableError as error:
        log.error("no video: %s", error)
        problems.append(str(error))
        engine = None
    hub = HubClient(base_url=arguments.hub_url or "")
    direct_rtsp = settings.stream_source == "direct-rtsp"
    if direct_rtsp and not libvlc_has_rtsp():
        problems.append(
            "stream_source is direct-rtsp, but this machine's libVLC has no RTSP module: "
            "tiles play through the stream hub instead (vmwall doctor)"
        )
        direct_rtsp = False
    backend = ConsoleBackend(
        arguments.db_url,
        hub,
        user,
        tile_player_factory(engine) if engine else None,
        start_hub=arguments.start_hub,
        direct_rtsp=direct_rtsp,
    )
    bridge = Bridge(app)
    # The main courante and the audit trail (one writer; durable locally while the database is away).
    journal = JournalService(backend.database())
    journal.start()
    accounts = AccountService(AccountRepository(backend.database), listeners=[audit_account_events(journal)])
    # SIGTERM closes the login dialog, then (once it exists) the window.
    shutdown: list[Callable[[], object]] = [lambda: None]
    install_sigterm_handler(lambda: QTimer.singleShot(0, shutdown[0]))
    wake = QTimer()  # lets Python see SIGTERM while Qt's loop (or the login dialog's) runs
    wake.start(250)
    wake.timeout.connect(lambda: None)
    try:
        session = sign_in(
            bridge, accounts, user, on_dialog=lambda d: shutdown.__setitem__(0, lambda: d.done(0))
        )
    except BaseException:
        journal.close()  # a refused login is recorded (durably) before the command ends
        raise
    if session is None:  # "Quitter" in the login dialog
        wake.stop()
        bridge.close()
        journal.close()
        backend.close()
        i18n.remove_translators(app, translators)
        return 0
    backend.set_session(session)
    wall_client, wall_problem = start_wall_client(session.login)

    def on_session(current: Session) -> None:  # shift handover, rights re-checked (GUI thread)
        backend.set_session(current)
        if wall_client is not None:
            wall_client.user = current.login

    window = build_console(
        app,
        backend,
        settings,
        settings_path,
        layout_set,
        StartOptions(arguments.layout, arguments.cameras, arguments.view, arguments.user, arguments.language),
        problems,
        ptz_factory=ptz_service_factory(backend.database, audit=journal.audit),
        wall=wall_client,
        wall_problem=wall_problem,
        bridge=bridge,
        accounts=accounts,
        session=session,
        lock_after_s=arguments.lock_after_s,
        on_session=on_session,
        journal=journal,
    )
    joystick = PtzJoystickBinding(window.ptz) if window.ptz is not None else None
    if joystick is not None:
        joystick.start()
    window.closed.connect(app.quit)
    shutdown[0] = window.close
    try:
        return app.exec()
    finally:
        wake.stop()
        if wall_client is not None:
            wall_client.close()
        if joystick is not None:
            joystick.close()
        if window.ptz is not None:
            window.ptz.close_services()  # stops what it moves, releases its locks
        journal.close()  # every accepted write durable (in the database, or queued for the next start)
        backend.close()
        i18n.remove_translators(app, translators)
        if engine is not None:
            engine.close()


def build_console(
    app: QApplication,
    backend: ConsoleServices,
    settings: Settings,
    settings_path: Path,
    layout_set: LayoutSet,
    options: StartOptions,
    problems: list[str] | None = None,
    *,
    ptz_factory: PtzServiceFactory | None = None,
    wall: WallService | None = None,
    wall_problem: str = "",
    bridge: Bridge | None = None,
    accounts: SessionServices | None = None,
    session: Session | None = None,
    lock_after_s: float = DEFAULT_LOCK_AFTER_S,
    watch_interval_s: float = DEFAULT_WATCH_INTERVAL_S,
    on_session: Callable[[Session], None] | None = None,
    journal: JournalBackend | None = None,
) -> ConsoleWindow:
    """Wire the widgets to the services and show the main window (also used by the UI tests).

    ``ptz_factory`` makes the PTZ service once the account is known; without it the PTZ panel
    says PTZ is not available on this console. ``journal`` (a started ``JournalService``) gives
    the console its main courante, bookmarks and the audit of live views, snapshots and layouts.
    """
    bridge = bridge or Bridge(app)
    context = TileContext(bridge, backend)
    context.ptz = PtzController(bridge, ptz_factory, parent=bridge)
    journal_controller = JournalController(bridge, journal, parent=bridge) if journal is not None else None
    context.journal = journal_controller
    keymap = KeyMap(settings, str(settings_path))
    window = ConsoleWindow(context, settings, settings_path, layout_set, keymap, options)
    if journal_controller is not None:  # layout switches and saved views in the audit trail
        LayoutAuditRecorder(journal_controller.service.audit, window, journal_controller.operator)
    window.wall_panel.set_client(wall, wall_problem)
    keeper = None
    if accounts is not None and session is not None:
        # The signed-in operator: rights on screen, lock, handover, re-checks (vmwall.ui.lock_session).
        keeper = ConsoleSession(
            window,
            accounts,
            session,
            lock_after_s=lock_after_s,
            watch_interval_s=watch_interval_s,
            on_session=on_session,
        )
        if journal_controller is not None:
            keeper.session_changed.connect(journal_controller.session_changed)
            keeper.lock_changed.connect(journal_controller.lock_changed)
        context.ptz.operator_input.connect(keeper.inactivity.touch)  # joystick use is activity too
    window.restore_main_geometry()
    window.start()
    if keeper is not None:
        keeper.start()
    all_problems = list(problems or []) + keymap.errors
    if all_problems:
        window.last_problem_box = show_problems(
            window,
            QCoreApplication.translate("ConsoleWindow", "Réglages"),
            QCoreApplication.translate("ConsoleWindow", "Réglages ignorés (la console démarre sans eux) :"),
            all_problems,
        )
    return window
