"""`vmwall wall-node`: a wall PC's screens, following the wall controller.

Start-up speed matters (a restarted node must show the wall's current state within 2 s of its
process start): nothing here opens a database, and the heavy modules (Qt, libVLC, ZeroMQ) are
imported only once the arguments are known good.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from vmwall.errors import UserFacingError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "wall-node",
        help="a wall PC: one full-screen window per screen, showing what the wall controller says",
        description="Drive this machine's screens as part of the video wall (mur d'images): one "
        "borderless full-screen window per screen, each showing a layout of live tiles played from "
        "the stream hub, as the wall controller commands. Keeps showing its last state when the "
        "controller is away. Needs no database: cameras are numbers, the stream hub knows them.",
    )
    parser.add_argument(
        "--name", required=True, metavar="NAME", help="this node's name on the wall (letters, digits, _ . -)"
    )
    screens = parser.add_mutually_exclusive_group()
    screens.add_argument(
        "--virtual-screens",
        metavar="NxWxH",
        help="N virtual screens of W x H pixels (e.g. 2x1920x1080), windows side by side on the display "
        "(scaled down to fit): for tests and headless rehearsal",
    )
    screens.add_argument(
        "--screens",
        metavar="N,N,…",
        help="the physical screens to use, by index (default: all); each keeps its index as its number",
    )
    parser.add_argument(
        "--controller",
        metavar="ADDRESS",
        help="wall controller: HOST:PORT (ROUTER on PORT, PUB on PORT+1) or tcp://…,tcp://… "
        "(default: $VMWALL_WALL_CONTROLLER or 127.0.0.1:8494)",
    )
    parser.add_argument(
        "--keys",
        type=Path,
        metavar="DIR",
        help="wall key directory (default: $VMWALL_WALL_KEYS or the user's)",
    )
    parser.add_argument(
        "--hub",
        metavar="URL",
        help="stream hub to play from, instead of the one the controller names (default: the controller's, "
        "else $VMWALL_HUB_URL or the local hub)",
    )
    parser.add_argument(
        "--hub-token-env",
        metavar="VAR",
        help="environment variable holding the token of a hub beyond this machine (kept in memory only)",
    )
    parser.add_argument(
        "--no-start-hub", action="store_true", help="do not start a local stream hub when none answers"
    )
    parser.add_argument(
        "--layouts", type=Path, metavar="DIR", help="folder of custom layouts (default: the console's)"
    )
    parser.add_argument("--language", choices=("fr", "en"), default="fr", help="language of the screens")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from vmwall.model import ValidationError
    from vmwall.model.wall import check_node_name
    from vmwall.wall.config import WallAddressError, WallConfig
    from vmwall.wall.node_screens import parse_virtual_screens

    try:
        name = check_node_name(args.name)
    except ValidationError as error:
        raise UserFacingError(f"--name: {error}", exit_code=2) from None
    virtual = None
    if args.virtual_screens:
        try:
            virtual = parse_virtual_screens(args.virtual_screens)
        except ValueError as error:
            raise UserFacingError(f"--virtual-screens: {error}", exit_code=2) from None
    try:
        config = WallConfig.from_env()
        if args.controller:
            config = config.with_controller(args.controller)
    except WallAddressError as error:
        raise UserFacingError(f"--controller: {error}", exit_code=2) from None
    if args.keys:
        config = config.with_key_dir(args.keys)
    config = config.with_hub(args.hub)
    token = None
    if args.hub_token_env:
        token = os.environ.get(args.hub_token_env) or None
        if token is None:
            raise UserFacingError(f"--hub-token-env {args.hub_token_env}: that variable is empty or unset")
    return _run_node(args, name, config, virtual, token)


def _run_node(
    args: argparse.Namespace, name: str, config: Any, virtual: tuple[int, int, int] | None, token: str | None
) -> int:
    from vmwall.logs import register_secret, setup_logging

    process = f"wall-node-{name}"
    setup_logging(process if len(process) <= 64 else "wall-node", verbose=args.verbose)
    if token:
        register_secret(token)
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "xcb"  # libVLC draws into X11 windows by id

    from vmwall.wall.node_display import NodeOptions, run_wall_node

    return run_wall_node(
        NodeOptions(
            name=name,
            config=config,
            virtual=virtual,
            screens=args.screens,
            hub_url=args.hub,
            hub_token=token,
            start_hub=not args.no_start_hub,
            db_url=args.db,
            layouts_dir=args.layouts,
            language=args.language,
        )
    )
