"""`vmwall ptz CAMERA ACTION`: PTZ for technicians (status, presets, moves, stop, tours).

The command acts as the signed-in user (`vmwall.commands._auth`, else ``--user`` /
``$VMWALL_USER``) and takes the camera's control lock like a console does: it is refused while
another operator drives the camera, unless ``--take-over`` and a higher priority. Locks are
released when the command ends.

`build_service` is also the console's way to get a `PtzService` wired to the database.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from vmwall.commands._auth import cli_workstation
from vmwall.errors import UserFacingError
from vmwall.ptz.api import LockHolder, PtzAction, PtzError, PtzEvent, PtzListener, PtzSettings, TourState

if TYPE_CHECKING:
    from vmwall.model import Camera, User
    from vmwall.ptz.loop import LoopThread
    from vmwall.ptz.service import OnvifPtzService
    from vmwall.store import Database

T = TypeVar("T")

ENV_USER = "VMWALL_USER"
_WAIT_S = 30.0  # longest wait for one answer (the service's own timeouts are shorter)
_MAX_MOVE_S = 600.0


def build_service(
    database: Database,
    user: User,
    *,
    console: str | None = None,
    settings: PtzSettings | None = None,
    loop: LoopThread | None = None,
) -> OnvifPtzService:
    """A PTZ service for ``user`` at this workstation: cameras from the catalogue, passwords from
    the keyring, control locks in the database. Not started."""
    from vmwall.ptz.service import OnvifPtzService, make_operator
    from vmwall.ptz.targets import CatalogueResolver
    from vmwall.store import CameraRepository, PtzLockRepository

    settings = settings or PtzSettings()
    operator = make_operator(user.login, user.full_name, user.role.value, settings, console=console)
    resolver = CatalogueResolver(CameraRepository(database).get_by_number)
    return OnvifPtzService(operator, resolver, PtzLockRepository(database), settings, loop=loop)


# --- parser -----------------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ptz",
        help="drive a PTZ camera: status, presets, goto, move, stop, home, tours",
        description="Drive a PTZ camera over ONVIF, as the signed-in user. The command takes the"
        " camera's control lock (refused while someone else drives it) and releases it at the end.",
    )
    parser.add_argument("camera", metavar="CAMERA", help="the camera's number, or its exact name")
    parser.add_argument("--user", metavar="LOGIN", help=f"the operator (default ${ENV_USER})")
    parser.add_argument(
        "--take-over",
        action="store_true",
        help="take the control from an operator of lower priority (chef de salle over opérateur)",
    )
    parser.add_argument(
        "--timeout", type=_positive, default=3.0, metavar="SECONDS", help="per request (default 3)"
    )
    actions = parser.add_subparsers(dest="ptz_action", metavar="ACTION", required=True)

    status = actions.add_parser("status", help="position, motion and who holds the control")
    status.add_argument("--json", action="store_true")
    presets = actions.add_parser("presets", help="list the presets")
    presets.add_argument("--json", action="store_true")
    actions.add_parser("capabilities", help="what the camera's PTZ offers").add_argument(
        "--json", action="store_true"
    )
    goto = actions.add_parser("goto", help="go to a preset (its token or its exact name)")
    goto.add_argument("preset", metavar="PRESET")
    move = actions.add_parser("move", help="move at a speed for a while, then stop")
    for axis in ("pan", "tilt", "zoom"):
        move.add_argument(axis, type=_speed, metavar=axis.upper(), help=f"{axis} speed in -1..1")
    move.add_argument(
        "--for",
        dest="duration",
        type=_positive,
        default=1.0,
        metavar="SECONDS",
        help="how long the camera moves, from when it starts (default 1)",
    )
    actions.add_parser("stop", help="stop the camera")
    actions.add_parser("home", help="go to the home position")
    actions.add_parser("set-home", help="make the current position the home position")
    absolute = actions.add_parser("absolute", help="go to a position (pan, tilt -1..1; zoom 0..1)")
    absolute.add_argument("pan", type=_number, metavar="PAN")
    absolute.add_argument("tilt", type=_number, metavar="TILT")
    absolute.add_argument("zoom", type=_number, nargs="?", metavar="ZOOM")
    relative = actions.add_parser("relative", help="move by a translation (-1..1 each)")
    relative.add_argument("pan", type=_number, metavar="PAN")
    relative.add_argument("tilt", type=_number, metavar="TILT")
    relative.add_argument("zoom", type=_number, nargs="?", default=0.0, metavar="ZOOM")
    centre = actions.add_parser("centre", help="centre a point of the picture (x right, y up, -1..1)")
    centre.add_argument("x", type=_number, metavar="X")
    centre.add_argument("y", type=_number, metavar="Y")
    box = actions.add_parser("zoom-box", help="zoom into a box of the picture (corners, -1..1)")
    for name in ("x0", "y0", "x1", "y1"):
        box.add_argument(name, type=_number, metavar=name.upper())
    preset_set = actions.add_parser("preset-set", help="store the current position as a preset")
    preset_set.add_argument("name", metavar="NAME")
    preset_rename = actions.add_parser("preset-rename", help="rename a preset")
    preset_rename.add_argument("preset", metavar="PRESET")
    preset_rename.add_argument("name", metavar="NAME")
    preset_remove = actions.add_parser("preset-remove", help="delete a preset")
    preset_remove.add_argument("preset", metavar="PRESET")
    tour = actions.add_parser("tour", help="go round presets (PRESET:SECONDS …) until Ctrl-C")
    tour.add_argument("steps", nargs="+", metavar="PRESET:SECONDS")
    tour.add_argument("--once", action="store_true", help="go round once, then stop")
    holder = actions.add_parser("holder", help="who holds the camera's control")
    holder.add_argument("--json", action="store_true")
    parser.set_defaults(handler=run)


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _speed(text: str) -> float:
    value = _number(text)
    if not -1.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"speed {text} is outside -1..1")
    return value


def _positive(text: str) -> float:
    value = _number(text)
    if not 0 < value <= _MAX_MOVE_S:
        raise argparse.ArgumentTypeError(f"{text} is not in 0..{_MAX_MOVE_S:g} s")
    return value


# --- running ----------------------------------------------------------------------------------------


# Actions that only read the camera or its lock: no take-over, nothing to audit.
_READ_ONLY = frozenset({"status", "presets", "capabilities", "holder"})


def run(args: argparse.Namespace) -> int:
    from vmwall.audit_wiring import PtzAuditListener
    from vmwall.journal.service import JournalService
    from vmwall.store import open_database

    with open_database(args.db) as database:
        user = _user(args, database)
        camera = _camera(database, args.camera)
        settings = PtzSettings(request_timeout_s=args.timeout)
        console = cli_workstation()
        service = build_service(database, user, console=console, settings=settings)
        watcher = _Watcher(camera.number)
        service.add_listener(watcher)
        # What the command does to the camera goes to the audit trail (durable before the command ends).
        # A reading moves nothing: no journal writer (nor its database listener) for it.
        acts = args.ptz_action not in _READ_ONLY
        journal = JournalService(database, workstation=console) if acts else None
        if journal is not None:
            journal.start()
        try:
            if journal is not None:
                service.add_listener(PtzAuditListener(journal.audit))
            service.start()
            try:
                if args.take_over and acts:
                    _take_over(service, camera.number)
                return _ACTIONS[args.ptz_action](service, camera, args, watcher)
            finally:
                service.close()
        finally:
            if journal is not None:
                journal.close()


def _user(args: argparse.Namespace, database: Database) -> User:
    """The signed-in user of the command, else the account named by --user / $VMWALL_USER."""
    from vmwall.model import Permission
    from vmwall.store import UserRepository

    session_user = getattr(getattr(args, "session", None), "user", None)
    if session_user is not None:
        if args.user and args.user != session_user.login:
            raise UserFacingError(f"--user {args.user} differs from the signed-in user {session_user.login}")
        user: User = session_user
    else:
        login = (args.user or os.environ.get(ENV_USER, "")).strip()
        if not login:
            raise UserFacingError(f"name the operator: --user LOGIN or ${ENV_USER}", exit_code=2)
        found = UserRepository(database).get_by_login(login)
        if found is None:
            raise UserFacingError(f"account {login!r} does not exist")
        if not found.active:
            raise UserFacingError(f"account {login!r} is deactivated")
        user = found
    if Permission.PTZ not in user.permissions:
        raise UserFacingError(f"{user.login} ({user.role.value}) has no PTZ right", exit_code=77)
    return user


def _camera(database: Database, text: str) -> Camera:
    from vmwall.store import CameraRepository

    repository = CameraRepository(database)
    wanted = text.strip()
    if wanted.isdigit():
        camera = repository.get_by_number(int(wanted))
        if camera is None:
            raise UserFacingError(f"camera {wanted} is not in the catalogue")
        return camera
    matches = [c for c in repository.list() if c.name == wanted]
    if not matches:
        raise UserFacingError(f"no camera is named {wanted!r} (give its number, or its exact name)")
    if len(matches) > 1:
        numbers = ", ".join(str(c.number) for c in matches)
        raise UserFacingError(f"several cameras are named {wanted!r} ({numbers}): give the number")
    return matches[0]


def _wait(future: Future[T]) -> T:
    try:
        return future.result(timeout=_WAIT_S)
    except TimeoutError:
        raise UserFacingError(f"no answer within {_WAIT_S:g} s") from None


def _take_over(service: OnvifPtzService, camera: int) -> None:
    from vmwall.ptz.api import LockStatus
    from vmwall.ptz.lock import describe_holder

    outcome = _wait(service.take_control(camera))
    if outcome.status is LockStatus.REFUSED:
        raise UserFacingError(
            f"camera {camera} is driven by {describe_holder(outcome.holder)} (the same or a higher priority)",
            exit_code=75,
        )
    if outcome.previous is not None:
        print(f"took the control over from {describe_holder(outcome.previous)}", file=sys.stderr)


class _Watcher(PtzListener):
    """Collects what the service reports about the command's camera (from the service's thread)."""

    def __init__(self, camera: int) -> None:
        self.camera = camera
        self.failure: PtzError | None = None
        self.failed = threading.Event()
        self.tour: TourState | None = None
        self.tour_news = threading.Event()
        self.moving = threading.Event()  # the camera accepted a ContinuousMove

    def ptz_event(self, event: PtzEvent) -> None:
        if event.camera == self.camera and event.action is PtzAction.MOVE:
            self.moving.set()

    def ptz_failed(self, error: PtzError) -> None:
        if error.camera == self.camera and self.failure is None:
            self.failure = error
            self.failed.set()

    def tour_changed(self, state: TourState) -> None:
        if state.camera == self.camera:
            self.tour = state
            self.tour_news.set()


Action = Callable[["OnvifPtzService", "Camera", argparse.Namespace, _Watcher], int]


def _status(service: OnvifPtzService, camera: Camera, args: argparse.Namespace, _w: _Watcher) -> int:
    from vmwall.ptz.lock import describe_holder

    holder = _wait(service.holder(camera.number))
    position = _wait(service.status(camera.number))
    if args.json:
        print(
            json.dumps(
                {
                    "camera": camera.number,
                    "name": camera.name,
                    "pan": position.pan,
                    "tilt": position.tilt,
                    "zoom": position.zoom,
                    "moving": position.moving,
                    "error": position.error,
                    "holder": _holder_json(holder),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    state = "moving" if position.moving else "still"
    print(
        f"camera {camera.number} ({camera.name}): pan {position.pan:+.3f} tilt {position.tilt:+.3f}"
        f" zoom {position.zoom:.3f}, {state}"
    )
    print(f"control: {describe_holder(holder) if holder else 'free'}")
    return 0


def _holder_json(holder: LockHolder | None) -> dict[str, object] | None:
    if holder is None:
        return None
    return {
        "login": holder.login,
        "full_name": holder.full_name,
        "role": holder.role,
        "console": holder.console,
        "priority": holder.priority,
        "since": holder.since.isoformat(),
        "until": holder.until.isoformat(),
    }


def _presets(service: OnvifPtzService, camera: Camera, args: argparse.Namespace, _w: _Watcher) -> int:
    presets = _wait(service.presets(camera.number))
    if args.json:
        print(json.dumps([{"token": p.token, "name": p.name} for p in presets], indent=2, ensure_ascii=False))
        return 0
    if not presets:
        print(f"camera {camera.number} ({camera.name}) has no preset")
    for preset in presets:
        print(f"{preset.token}\t{preset.name}")
    return 0


def _capabilities(service: OnvifPtzService, camera: Camera, args: argparse.Namespace, _w: _Watcher) -> int:
    caps = _wait(service.capabilities(camera.number))
    fields = {
        "ptz": caps.ptz,
        "continuous": caps.continuous,
        "absolute": caps.absolute,
        "relative": caps.relative,
        "fov_translation": caps.fov_translation,
        "zoom": caps.zoom,
        "presets": caps.presets,
        "max_presets": caps.max_presets,
        "home": caps.home,
        "timeout_range": caps.timeout_range,
    }
    if args.json:
        print(json.dumps(fields, indent=2))
    elif not caps.ptz:
        print(f"camera {camera.number} ({camera.name}) is a fixed camera: no PTZ")
    else:
        print(", ".join(f"{k}={v}" for k, v in fields.items()))
    return 0


def _preset_token(service: OnvifPtzService, camera: Camera, wanted: str) -> str:
    presets = _wait(service.presets(camera.number))
    for preset in presets:
        if preset.token == wanted:
            return preset.token
    named = [p for p in presets if p.name == wanted]
    if len(named) == 1:
        return named[0].token
    known = ", ".join(f"{p.token} ({p.name})" for p in presets) or "none"
    raise UserFacingError(f"camera {camera.number} has no preset {wanted!r}; its presets: {known}")


def _goto(service: OnvifPtzService, camera: Camera, args: argparse.Namespace, _w: _Watcher) -> int:
    _wait(service.goto_preset(camera.number, _preset_token(service, camera, args.preset)))
    return 0


@contextmanager
def _interruptible() -> Iterator[threading.Event]:
    """An event set by Ctrl-C or SIGTERM (so the camera is stopped before the command exits)."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(_signum: int, _frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _move(service: OnvifPtzService, camera: Camera, args: argparse.Namespace, watcher: _Watcher) -> int:
    with _interruptible() as interrupted:
        service.velocity(camera.number, args.pan, args.tilt, args.zoom)
        # SECONDS of movement: counted once the camera has taken the first move, so the first
        # contact with it (connection, PTZ node, control lock: up to a second or more) is not
        # taken out of them.
        give_up = time.monotonic() + _WAIT_S
        while not (watcher.moving.is_set() or watcher.failed.is_set() or interrupted.is_set()):
            if time.monotonic() > give_up:
                break  # stopped below, and said
            watcher.moving.wait(0.05)
        end = time.monotonic() + (args.duration if watcher.moving.is_set() else 0.0)
        while (remaining := end - time.monotonic()) > 0 and not interrupted.is_set():
            if watcher.failed.wait(min(0.1, remaining)):
                break
    failure: Exception | None = watcher.failure
    if failure is None and not watcher.moving.is_set() and not interrupted.is_set():
        failure = UserFacingError(f"the camera did not start moving within {_WAIT_S:g} s")
    try:
        _wait(service.stop_now(camera.number))
    except UserFacingError:
        if failure is None:
            raise
    if failure is not None:
        raise failure
    return 130 if interrupted.is_set() else 0


def _stop(service: OnvifPtzService, camera: Camera, _args: argparse.Namespace, _w: _Watcher) -> int:
    _wait(service.stop_now(camera.number))
    return 0


def _home(service: OnvifPtzService, camera: Camera, _args: argparse.Namespace, _w: _Watcher) -> int:
    _wait(service.home(camera.number))
    return 0


def _set_home(service: OnvifPtzService, camera: Camera, _args: argparse.Namespace, _w: _Watcher) -> int:
    _wait(service.set_home(camera.number))
    return 0


def _absolute(service: OnvifPtzService, camera: Camera, args: argparse.Namespace, _w: _Watcher) -> int:
    _wait(service.absolute_move(camera.number, args.pan, args.tilt, args.zoom))
    return 0


def _relative(service: OnvifPtzService, camera: Camera, args: argparse.Namespace, _w: _Watcher) -> int:
    _wait(service.relative_move(camera.number, args.pan, args.tilt, args.zoom))
    return 0


def _centre(service: OnvifPtzService, camera: Camera, args: argparse.Namespace, _w: _Watcher) -> int:
    _wait(service.centre_on(camera.number, args.x, args.y))
    return 0


def _zoom_box(service: OnvifPtzService, camera: Camera, args: argparse.Namespace, _w: _Watcher) -> int:
    _wait(service.zoom_to_box(camera.number, args.x0, args.y0, args.x1, args.y1))
    return 0


def _preset_set(service: OnvifPtzService, camera: Camera, args: argparse.Namespace, _w: _Watcher) -> int:
    preset = _wait(service.set_preset(camera.number, args.name))
    print(preset.token)
    return 0


def _preset_rename(service: OnvifPtzService, camera: Camera, args: argparse.Namespace, _w: _Watcher) -> int:
    token = _preset_token(service, camera, args.preset)
    _wait(service.rename_preset(camera.number, token, args.name))
    return 0


def _preset_remove(service: OnvifPtzService, camera: Camera, args: argparse.Namespace, _w: _Watcher) -> int:
    _wait(service.remove_preset(camera.number, _preset_token(service, camera, args.preset)))
    return 0


def _tour(service: OnvifPtzService, camera: Camera, args: argparse.Namespace, watcher: _Watcher) -> int:
    from vmwall.ptz.api import TourStep

    steps = []
    for text in args.steps:
        name, _, seconds = text.rpartition(":")
        if not name:
            raise UserFacingError(f"tour step {text!r}: write PRESET:SECONDS", exit_code=2)
        try:
            step = TourStep(_preset_token(service, camera, name), float(seconds))
        except ValueError as error:
            raise UserFacingError(f"tour step {text!r}: {error}", exit_code=2) from None
        steps.append(step)
    with _interruptible() as interrupted:
        _wait(service.start_tour(camera.number, steps, loop=not args.once))
        while not interrupted.is_set():
            if watcher.tour_news.wait(0.2):
                watcher.tour_news.clear()
                state = watcher.tour
                if state is not None and state.running:
                    step = state.steps[state.step]
                    print(f"step {state.step + 1}/{len(state.steps)}: {step.preset} for {step.dwell_s:g} s")
                elif state is not None:
                    print(f"tour ended: {state.reason}")
                    if watcher.failure is not None:
                        raise watcher.failure
                    return 0
    service.stop_tour(camera.number)
    _wait(service.stop_now(camera.number))
    return 130


def _holder(service: OnvifPtzService, camera: Camera, args: argparse.Namespace, _w: _Watcher) -> int:
    from vmwall.ptz.lock import describe_holder

    holder = _wait(service.holder(camera.number))
    if args.json:
        print(json.dumps(_holder_json(holder), indent=2, ensure_ascii=False))
    elif holder is None:
        print("free")
    else:
        print(
            f"{describe_holder(holder)} since {holder.since:%H:%M:%S}"
            f" (lease until {holder.until:%H:%M:%S} UTC)"
        )
    return 0


_ACTIONS: dict[str, Action] = {
    "status": _status,
    "presets": _presets,
    "capabilities": _capabilities,
    "goto": _goto,
    "move": _move,
    "stop": _stop,
    "home": _home,
    "set-home": _set_home,
    "absolute": _absolute,
    "relative": _relative,
    "centre": _centre,
    "zoom-box": _zoom_box,
    "preset-set": _preset_set,
    "preset-rename": _preset_rename,
    "preset-remove": _preset_remove,
    "tour": _tour,
    "holder": _holder,
}
