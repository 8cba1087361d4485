"""`vmwall wall-controller`: the headless service holding the authoritative wall state.

Builds the controller's rights from the store (accounts: who holds the wall right; the catalogue:
which cameras exist and may be shown live to that user) and runs until SIGTERM or Ctrl-C.

Every accepted push goes to the audit trail through the journal writer (``vmwall.audit_wiring``):
durable in a local queue next to the state file at once, in the database when it answers; the
tail of the push log is recorded again at start (stored once) in case the last run died first.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from vmwall.errors import UserFacingError

log = logging.getLogger(__name__)

ENV_HUB_URL = "VMWALL_HUB_URL"
ENV_HUB_TOKEN = "VMWALL_HUB_TOKEN"
CATALOGUE_TTL_S = 10.0  # the catalogue is read again this often, and at once for an unknown camera
LAYOUTS_TTL_S = 10.0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "wall-controller",
        help="the video wall's controller: wall state, presets, sequences; consoles command it, nodes follow",
        description="Run the wall controller: it holds what every wall screen shows, saves it so a restart "
        "resumes, runs sequences, and tells wall nodes (`vmwall wall-node`) what to show when consoles "
        "(`vmwall console`, `vmwall wall`) command it. CurveZMQ on every socket: only registered keys "
        "get in (`vmwall wall keys`). Stops on SIGTERM or Ctrl-C.",
    )
    parser.add_argument(
        "--bind",
        metavar="ADDRESS",
        help="where to listen: HOST:PORT (ROUTER on PORT, PUB on PORT+1) or tcp://…,tcp://… "
        "(default: $VMWALL_WALL_CONTROLLER or 127.0.0.1:8494)",
    )
    parser.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="wall state file (default: wall-state.json in the data dir)",
    )
    parser.add_argument(
        "--keys", type=Path, metavar="DIR", help="wall key directory (default: $VMWALL_WALL_KEYS)"
    )
    parser.add_argument(
        "--hub",
        metavar="URL",
        help="stream hub the nodes play from (default: $VMWALL_HUB_URL, else each node's own)",
    )
    parser.add_argument(
        "--hub-token-env",
        metavar="VAR",
        help=f"environment variable holding that hub's token (default: ${ENV_HUB_TOKEN}); sent to nodes "
        "over CurveZMQ only, never written",
    )
    parser.add_argument(
        "--layouts", type=Path, metavar="DIR", help="folder of custom layouts (default: the console's)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from vmwall.logs import register_secret, setup_logging
    from vmwall.wall.config import WallAddressError, WallConfig
    from vmwall.wall.controller import ControllerOptions, WallController
    from vmwall.wall.persist import default_state_path

    try:
        config = WallConfig.from_env()
        if args.bind:
            config = config.with_controller(args.bind)
    except WallAddressError as exc:
        raise UserFacingError(f"--bind: {exc}", exit_code=2) from None
    if args.keys:
        config = config.with_key_dir(args.keys)
    token_var = args.hub_token_env or ENV_HUB_TOKEN
    token = os.environ.get(token_var) or None
    if args.hub_token_env and token is None:
        raise UserFacingError(f"--hub-token-env {args.hub_token_env}: that variable is empty or unset")
    hub = (args.hub or os.environ.get(ENV_HUB_URL) or "").strip().rstrip("/") or None
    setup_logging("wall-controller", verbose=args.verbose)
    if token:
        register_secret(token)

    from vmwall.store import open_database

    database = open_database(args.db)
    try:
        authorise, check_cameras = build_rights(database)
        options = ControllerOptions(
            router=config.router,
            pub=config.pub,
            key_dir=config.key_dir,
            state_path=(args.state or default_state_path()).expanduser().absolute(),
            hub_url=hub,
            hub_token=token,
        )
        journal, pushes = audit_pushes(database, options.state_path)
        try:
            controller = WallController(
                options,
                authorise=authorise,
                check_cameras=check_cameras,
                layouts=layout_catalogue(args.layouts),
                on_push=lambda push: pushes(push, controller.epoch),
            )
            serve(controller)
        finally:
            journal.close()  # every push recorded durably (in the database, or queued for the next start)
    finally:
        database.close()
    print(json.dumps({"event": "stopped"}), file=sys.stdout, flush=True)
    return 0


def serve(controller: Any) -> None:
    """Start the controller, say it is ready, run until SIGTERM or Ctrl-C, close it."""
    from vmwall.logs import install_sigterm_handler
    from vmwall.wall.transport import TransportError

    stop = threading.Event()
    install_sigterm_handler(stop.set)
    try:
        controller.start()
    except TransportError as exc:
        raise UserFacingError(f"{exc} (is another wall controller running?)") from None
    try:
        ready = {
            "event": "ready",
            "router": controller.router_endpoint,
            "pub": controller.pub_endpoint,
            "epoch": controller.epoch,
            "pid": os.getpid(),
        }
        print(json.dumps(ready), flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        controller.close()


# --- the audit trail ---------------------------------------------------------------------------------

REPLAYED_PUSHES = 100


def audit_pushes(database: Any, state_path: Path) -> tuple[Any, Callable[[Any, str], None]]:
    """``(journal, record)``: a started JournalService and ``record(push, epoch)`` for the controller.

    The journal's local queue lives next to the state file. The last pushes of the push log are
    recorded again now (each is stored once: its record's identifier comes from the push itself).
    """
    import socket
    from collections import deque

    from vmwall.audit_wiring import WallPushRecorder
    from vmwall.journal.service import JournalService
    from vmwall.wall.persist import StateFileError, push_log_path, read_push_log

    workstation = f"wall-controller@{socket.gethostname()}"[:64]
    journal = JournalService(database, data_dir=state_path.parent, workstation=workstation)
    journal.start()
    recorder = WallPushRecorder(journal.audit, lambda: "", workstation=workstation)
    try:
        tail = deque(read_push_log(push_log_path(state_path)), maxlen=REPLAYED_PUSHES)
    except StateFileError as exc:
        log.error("%s: its last pushes are not checked against the audit trail", exc)
        tail = deque()
    recorder.replay(tail)
    return journal, recorder.record


# --- rights from the store --------------------------------------------------------------------------


def build_rights(database: Any) -> tuple[Callable[[str], Any], Callable[[str, Sequence[int]], str | None]]:
    """``(authorise, check_cameras)`` for the controller, read from ``database``.

    ``authorise(login)``: the account's rights today (accounts service), None when unusable.
    ``check_cameras(login, numbers)``: why these cameras may not go on the wall for that user
    (not in the catalogue, no live-view right, outside the account's communes, a storage-only
    commune, outside a commune's live hours), or None. The catalogue is read again every 10 s (a
    changed forfait applies within that), and at once when a camera is not found.
    """
    from vmwall.accounts import Authoriser
    from vmwall.model.user import Permission
    from vmwall.store import AccountRepository, CameraRepository, CommuneRepository
    from vmwall.ui.directory import Refusal, live_refusal

    authoriser = Authoriser(AccountRepository(database))
    cameras = CameraRepository(database)
    communes = CommuneRepository(database)
    cache: dict[str, Any] = {"at": -1e9, "cameras": {}, "communes": {}}
    checked: dict[str, tuple[float, Any]] = {}  # login -> (when, rights) of the command being checked

    def catalogue(refresh: bool = False) -> tuple[dict[int, Any], dict[int, Any]]:
        now = time.monotonic()
        if now - cache["at"] > CATALOGUE_TTL_S or (refresh and now - cache["at"] > 1.0):
            cache["cameras"] = {c.number: c for c in cameras.list()}
            cache["communes"] = {c.id: c for c in communes.list()}
            cache["at"] = now
        return cache["cameras"], cache["communes"]

    def authorise(login: str) -> Any:
        rights = authoriser(login)
        checked.clear()
        checked[login] = (time.monotonic(), rights)
        return rights

    def check_cameras(login: str, numbers: Sequence[int]) -> str | None:
        by_number, by_id = catalogue()
        if any(n not in by_number for n in numbers):
            by_number, by_id = catalogue(refresh=True)  # a camera added a moment ago
        # The rights read for this very command a moment ago (the executor checks them first).
        at, rights = checked.get(login, (-1e9, None))
        permissions = rights if time.monotonic() - at < 1.0 else authoriser(login)
        scope = authoriser.communes(login) or frozenset()
        now = datetime.now()
        for number in numbers:
            camera = by_number.get(number)
            commune = None if camera is None else by_id.get(camera.commune_id)
            if camera is None or commune is None:
                return f"camera {number} is not in the catalogue"
            if Permission.LIVE_VIEW not in (permissions or set()):
                return f"user {login!r} may not view cameras live (no live-view right today)"
            if scope and commune.id not in scope:
                return f"camera {number} belongs to {commune.name}, outside the communes of user {login!r}"
            refusal = live_refusal(commune, now)
            if refusal is Refusal.STORAGE_ONLY:
                return f"camera {number} belongs to {commune.name}, a storage-only commune: never shown live"
            if refusal is Refusal.OUTSIDE_HOURS:
                return f"camera {number}: {commune.name} allows live viewing only {commune.live_hours}"
        return None

    return authorise, check_cameras


def layout_catalogue(folder: Path | None) -> Callable[[], Mapping[str, int]]:
    """Layout name → tile count: the built-in layouts and the custom folder's, re-read every 10 s."""
    from vmwall.config.layouts import load_builtin_layouts, load_layouts
    from vmwall.config.settings import default_layouts_dir

    builtins = load_builtin_layouts()
    cache: dict[str, Any] = {"at": -1e9, "layouts": {}}

    def layouts() -> Mapping[str, int]:
        now = time.monotonic()
        if now - cache["at"] > LAYOUTS_TTL_S:
            found = load_layouts(folder or default_layouts_dir(), builtins)
            cache["layouts"] = {entry.layout.name: len(entry.layout.tiles) for entry in found.entries}
            cache["at"] = now
        result: Mapping[str, int] = cache["layouts"]
        return result

    return layouts
