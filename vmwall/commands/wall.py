"""`vmwall wall`: the video wall from the command line (status, presets, show, sequences, keys).

The CLI acts as a console: it connects to the wall controller with this machine's console key and
commands it on behalf of the signed-in user. Screens and tiles are counted from 1 here
(``--screen mur-1:2:3`` is node mur-1, its second screen, third tile), as on the wall panel.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from vmwall.errors import UserFacingError

ENV_USER = "VMWALL_USER"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "wall",
        help="the video wall: status, presets, show a camera, sequences, alarm screen, keys",
        description="Command the wall controller (`vmwall wall-controller`) as a console does, or manage "
        "this machine's wall keys. Screens and tiles are numbered from 1.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--controller",
        metavar="ADDRESS",
        help="wall controller: HOST:PORT or tcp://…,tcp://… "
        "(default: $VMWALL_WALL_CONTROLLER or 127.0.0.1:8494)",
    )
    common.add_argument(
        "--keys", type=Path, metavar="DIR", help="wall key directory (default: $VMWALL_WALL_KEYS)"
    )
    common.add_argument(
        "--key-name", default="console", metavar="NAME", help="this console's key name (default: console)"
    )
    common.add_argument(
        "--user", metavar="LOGIN", help=f"who commands, when no user is signed in (default: ${ENV_USER})"
    )
    common.add_argument(
        "--timeout", type=float, default=5.0, metavar="S", help="wait at most S seconds (default 5)"
    )
    actions = parser.add_subparsers(dest="wall_action", metavar="ACTION", required=True)

    status = actions.add_parser("status", parents=[common], help="nodes, screens, tiles and their state")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=_status)

    preset = actions.add_parser("preset", help="list, apply, save or delete wall presets")
    preset_actions = preset.add_subparsers(dest="preset_action", metavar="ACTION", required=True)
    listing = preset_actions.add_parser("list", parents=[common], help="saved presets")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_preset_list)
    for verb, text in (
        ("apply", "show a preset on the whole wall"),
        ("save", "save the whole wall as a preset (replaces one of that name)"),
        ("delete", "delete a preset"),
    ):
        sub = preset_actions.add_parser(verb, parents=[common], help=text)
        sub.add_argument("name", metavar="NAME")
        sub.set_defaults(handler=_preset_command, wall_command=f"{verb}-preset")

    show = actions.add_parser("show", parents=[common], help="show a camera on a tile of a screen")
    show.add_argument("camera", metavar="CAMERA", help="camera number, or 'none' to empty the tile")
    show.add_argument(
        "--screen",
        required=True,
        metavar="NODE:N[:TILE]",
        help="screen N of node NODE, tile TILE (default 1)",
    )
    show.set_defaults(handler=_show)

    sequence = actions.add_parser("sequence", help="start, pause, resume, step or stop a sequence (tour)")
    sequence_actions = sequence.add_subparsers(dest="sequence_action", metavar="ACTION", required=True)
    for verb in ("start", "pause", "resume", "step", "stop"):
        sub = sequence_actions.add_parser(verb, parents=[common], help=f"{verb} a sequence")
        sub.add_argument("name", metavar="NAME")
        sub.set_defaults(handler=_sequence_command, wall_command=f"sequence-{verb}")

    alarm_screen = actions.add_parser("alarm-screen", parents=[common], help="choose the alarm screen")
    alarm_screen.add_argument("screen", metavar="NODE:N", help="the screen, or 'none'")
    alarm_screen.set_defaults(handler=_alarm_screen)

    alarm = actions.add_parser("alarm", parents=[common], help="show a camera on the alarm screen")
    alarm.add_argument("camera", type=int, metavar="CAMERA")
    alarm.set_defaults(handler=_alarm)

    keys = actions.add_parser(
        "keys",
        help="this machine's wall keys: list, export, register, revoke",
        description="Wall processes make their CurveZMQ key pairs on first start and register their public "
        "keys in this machine's key directory, so processes of one user on one machine need nothing "
        "more. Across machines: `--export FILE` here, copy FILE, `--register FILE` there (a node's or "
        "console's key on the controller machine; the controller's key on node and console machines). "
        "Secret halves never leave the key directory.",
    )
    keys.add_argument(
        "--keys", type=Path, metavar="DIR", help="wall key directory (default: $VMWALL_WALL_KEYS)"
    )
    keys.add_argument("--list", action="store_true", help="list own and registered keys (the default)")
    keys.add_argument("--export", type=Path, metavar="FILE", help="write this machine's public keys to FILE")
    keys.add_argument("--register", type=Path, metavar="FILE", help="register the public key(s) in FILE")
    keys.add_argument("--revoke", metavar="NAME", help="take NAME off the allow-list")
    keys.add_argument(
        "--role",
        choices=("controller", "node", "console"),
        help="with --export: make/export only this role's key; with --register/--revoke: the role to use",
    )
    keys.add_argument(
        "--name", metavar="NAME", help="with --export: the key's name; with --register: register under NAME"
    )
    keys.add_argument(
        "--replace", action="store_true", help="with --register: replace a key registered under that name"
    )
    keys.add_argument("--json", action="store_true", help="with --list: print JSON")
    keys.set_defaults(handler=_keys)


# --- connecting ---------------------------------------------------------------------------------


def _config(args: argparse.Namespace) -> Any:
    from vmwall.wall.config import WallAddressError, WallConfig

    try:
        config = WallConfig.from_env()
        if getattr(args, "controller", None):
            config = config.with_controller(args.controller)
    except WallAddressError as exc:
        raise UserFacingError(f"--controller: {exc}", exit_code=2) from None
    if getattr(args, "keys", None):
        config = config.with_key_dir(args.keys)
    return config


def _login(args: argparse.Namespace) -> str:
    try:
        from vmwall.commands._auth import acting_login

        signed_in = acting_login(args)
    except ImportError:  # pragma: no cover - before accounts existed
        signed_in = None
    login = signed_in or args.user or os.environ.get(ENV_USER, "").strip()
    if not login:
        raise UserFacingError(
            f"who is commanding the wall? give --user LOGIN or set ${ENV_USER}", exit_code=2
        )
    return str(login)


def _client(args: argparse.Namespace, login: str = "-") -> Any:
    """A started WallClient whose mirror holds a snapshot, or UserFacingError saying why not."""
    from vmwall.wall.client import WallClient

    config = _config(args)
    client = WallClient(config, user=login, name=args.key_name)
    client.start()
    if not client.wait_synced(args.timeout):
        refused = client.key_refused
        client.close()
        if refused:
            raise UserFacingError(
                f"the wall controller at {config.router} refused this machine's console key: register it "
                "there (`vmwall wall keys --export FILE` here, `vmwall wall keys --register FILE` there)"
            )
        raise UserFacingError(
            f"no answer from the wall controller at {config.router} within {args.timeout:g} s "
            "(is `vmwall wall-controller` running? --controller ADDRESS)"
        )
    return client


def _command(args: argparse.Namespace, action: str, **fields: Any) -> int:
    from vmwall.wall.errors import WallCommandError

    login = _login(args)
    client = _client(args, login)
    try:
        result = client.command(action, timeout_s=args.timeout, **fields)
    except WallCommandError as exc:
        raise UserFacingError(
            f"the wall controller refused: {exc}", exit_code=77 if exc.code == "no-right" else 1
        ) from None
    finally:
        client.close()
    print(result.detail if result.changed else f"{result.detail} (nothing changed)")
    return 0


def _parse_screen(text: str, *, with_tile: bool) -> tuple[str, int]:
    """``NODE:N[:TILE]`` (1-based) → (``"node:index"`` 0-based key, 0-based tile)."""
    from vmwall.model.errors import ValidationError
    from vmwall.model.wall import ScreenRef

    parts = text.split(":")
    if len(parts) not in ((2, 3) if with_tile else (2,)) or not all(p.isdigit() for p in parts[1:]):
        shape = "NODE:N[:TILE]" if with_tile else "NODE:N"
        raise UserFacingError(f"{text!r} is not a screen ({shape}, numbered from 1)", exit_code=2)
    numbers = [int(p) for p in parts[1:]]
    if any(n < 1 for n in numbers):
        raise UserFacingError(f"{text!r}: screens and tiles are numbered from 1", exit_code=2)
    try:
        ref = ScreenRef(parts[0], numbers[0] - 1)
    except ValidationError as exc:
        raise UserFacingError(f"{text!r}: {exc}", exit_code=2) from None
    return ref.key, (numbers[1] - 1 if len(numbers) > 1 else 0)


# --- actions ------------------------------------------------------------------------------------


def _show(args: argparse.Namespace) -> int:
    screen, tile = _parse_screen(args.screen, with_tile=True)
    camera: int | None
    if args.camera.lower() in ("none", "-", "0"):
        camera = None
    else:
        try:
            camera = int(args.camera)
        except ValueError:
            raise UserFacingError(
                f"{args.camera!r} is not a camera number (or 'none')", exit_code=2
            ) from None
    return _command(args, "show-camera", screen=screen, tile=tile, camera=camera)


def _preset_command(args: argparse.Namespace) -> int:
    return _command(args, args.wall_command, name=args.name)


def _sequence_command(args: argparse.Namespace) -> int:
    return _command(args, args.wall_command, name=args.name)


def _alarm_screen(args: argparse.Namespace) -> int:
    screen = None if args.screen.lower() == "none" else _parse_screen(args.screen, with_tile=False)[0]
    return _command(args, "set-alarm-screen", screen=screen)


def _alarm(args: argparse.Namespace) -> int:
    return _command(args, "alarm", camera=args.camera)


def _preset_list(args: argparse.Namespace) -> int:
    client = _client(args)
    try:
        snapshot = client.snapshot()
    finally:
        client.close()
    if args.json:
        from vmwall.wall import codec

        print(json.dumps([codec.preset_to_json(p) for p in snapshot.presets], indent=2, ensure_ascii=False))
        return 0
    if not snapshot.presets:
        print("no preset saved")
    for preset in snapshot.presets:
        by = f", saved by {preset.saved_by}" if preset.saved_by else ""
        count = len(preset.screens)
        print(f"{preset.name}  ({count} screen{'' if count == 1 else 's'}{by})")
    return 0


def _status(args: argparse.Namespace) -> int:
    client = _client(args)
    try:
        time.sleep(min(1.2, args.timeout))  # a heartbeat from every node reaches the mirror
        snapshot = client.snapshot()
        router = client.config.router
    finally:
        client.close()
    document = status_document(snapshot, router)
    if args.json:
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    print_status(document, sys.stdout)
    return 0


def status_document(snapshot: Any, router: str) -> dict[str, Any]:
    """The wall as `vmwall wall status --json` prints it (screens and tiles numbered from 1)."""
    now = time.time()
    contents = {ref.key: content for ref, content in snapshot.screens}
    nodes = []
    for node in snapshot.nodes:
        tiles_by_screen = {ref.key: tiles for ref, tiles in node.tiles}
        screens = []
        for geometry in [g for g in snapshot.geometry if g.ref.node == node.name]:
            content = contents.get(geometry.ref.key)
            statuses = tiles_by_screen.get(geometry.ref.key, ())
            cameras = list(content.cameras) if content else []
            tiles = []
            for index, camera in enumerate(cameras):
                status = statuses[index] if index < len(statuses) else None
                tiles.append(
                    {
                        "tile": index + 1,
                        "camera": camera,
                        "state": str(status.state) if status else None,
                        "fps": status.fps if status else None,
                        "latency_ms": status.latency_ms if status else None,
                        "error": status.error if status else "",
                    }
                )
            screens.append(
                {
                    "screen": f"{node.name}:{geometry.ref.index + 1}",
                    "size": f"{geometry.width_px}x{geometry.height_px}",
                    "column": geometry.column + 1,
                    "row": geometry.row + 1,
                    "layout": content.layout if content else None,
                    "alarm": snapshot.alarm_screen == geometry.ref,
                    "tiles": tiles,
                }
            )
        nodes.append(
            {
                "name": node.name,
                "online": node.online,
                "heartbeat_age_s": round(now - node.last_heartbeat, 1) if node.last_heartbeat else None,
                "cpu_percent": node.cpu_percent,
                "applied_sequence": node.applied_sequence,
                "version": node.version,
                "screens": screens,
            }
        )
    alarm = snapshot.alarm_screen
    return {
        "controller": router,
        "epoch": snapshot.epoch,
        "sequence": snapshot.sequence,
        "nodes": nodes,
        "alarm_screen": None if alarm is None else f"{alarm.node}:{alarm.index + 1}",
        "presets": [p.name for p in snapshot.presets],
        "sequences": [
            {"name": s.name, "state": str(s.state), "step": s.position + 1, "steps": len(s.steps)}
            for s in snapshot.sequences
        ],
    }


def print_status(document: dict[str, Any], out: Any) -> None:
    out.write(
        f"wall controller {document['controller']}: epoch {document['epoch']}, "
        f"sequence {document['sequence']}\n"
    )
    if not document["nodes"]:
        out.write("no node has reported yet\n")
    for node in document["nodes"]:
        age = "never" if node["heartbeat_age_s"] is None else f"{node['heartbeat_age_s']:.1f} s ago"
        state = "online" if node["online"] else "OFFLINE"
        out.write(
            f"node {node['name']}: {state}, last heartbeat {age}, CPU {node['cpu_percent']:.0f} %, "
            f"at sequence {node['applied_sequence']}\n"
        )
        for screen in node["screens"]:
            alarm = "  [alarm screen]" if screen["alarm"] else ""
            layout = screen["layout"] or "empty"
            out.write(
                f"  screen {screen['screen']} ({screen['size']}, column {screen['column']}, "
                f"row {screen['row']}): {layout}{alarm}\n"
            )
            for tile in screen["tiles"]:
                camera = "-" if tile["camera"] is None else f"camera {tile['camera']}"
                state = tile["state"] or "?"
                fps = f" {tile['fps']:.1f} fps" if tile["fps"] else ""
                error = f"  ({tile['error']})" if tile["error"] else ""
                out.write(f"    tile {tile['tile']}: {camera}  {state}{fps}{error}\n")
    out.write(f"alarm screen: {document['alarm_screen'] or 'none'}\n")
    out.write(f"presets: {', '.join(document['presets']) or 'none'}\n")
    sequences = [f"{s['name']} ({s['state']}, step {s['step']}/{s['steps']})" for s in document["sequences"]]
    out.write(f"sequences: {', '.join(sequences) or 'none'}\n")


# --- keys ---------------------------------------------------------------------------------------


def _keys(args: argparse.Namespace) -> int:
    from vmwall.wall.config import default_key_dir
    from vmwall.wall.keys import KeyRole, KeyStore, read_key_file

    store = KeyStore((args.keys or default_key_dir()).expanduser().absolute())
    role = KeyRole(args.role) if args.role else None
    chosen = [bool(args.export), bool(args.register), bool(args.revoke)]
    if sum(chosen) > 1:
        raise UserFacingError("give one of --export, --register, --revoke", exit_code=2)
    if args.export:
        if (role is None) != (args.name is None):
            raise UserFacingError("--export takes --role and --name together (or neither)", exit_code=2)
        if role is not None:
            pair = store.own(role, args.name)
            keys = [k for k in store.own_keys() if k.public == pair.public.decode()]
        else:
            keys = store.own_keys()
            if not keys:
                raise UserFacingError(
                    f"this machine has no wall key yet in {store.root}: start the wall process once, or "
                    "give --role and --name to make one"
                )
        document = KeyStore.export_document(keys)
        args.export.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        for key in keys:
            print(f"exported {key.peer} {key.public}")
        return 0
    if args.register:
        found = read_key_file(args.register)
        if len(found) > 1 and (args.name or args.role):
            raise UserFacingError(f"{args.register} holds {len(found)} keys: --role/--name fit one key only")
        done = []
        for item in found:
            use_role = role or item.role
            use_name = args.name or item.name
            if use_role is None or use_name is None:
                raise UserFacingError(f"{args.register} is a bare key: give --role and --name", exit_code=2)
            done.append(store.register(use_role, use_name, item.public, replace=args.replace))
        for key in done:
            print(f"registered {key.peer} {key.public}")
        return 0
    if args.revoke:
        revoked = store.revoke(args.revoke, role)
        if not revoked:
            raise UserFacingError(f"no registered key named {args.revoke!r}")
        for key in revoked:
            print(f"revoked {key.peer} (a running controller refuses it from now on)")
        return 0
    own = store.own_keys()
    allowed = store.allowed()
    if args.json:
        print(
            json.dumps(
                {
                    "key_dir": str(store.root),
                    "own": [{"role": str(k.role), "name": k.name, "public_key": k.public} for k in own],
                    "allowed": [
                        {"role": str(k.role), "name": k.name, "public_key": k.public} for k in allowed
                    ],
                },
                indent=2,
            )
        )
        return 0
    print(f"wall keys in {store.root}")
    print("this machine's key pairs:" if own else "this machine has no key pair yet")
    for key in own:
        print(f"  {key.peer:<32} {key.public}")
    print("registered (allowed) keys:" if allowed else "no key registered")
    for key in allowed:
        print(f"  {key.peer:<32} {key.public}")
    return 0
