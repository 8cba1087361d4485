"""`vmwall cameras`: the camera catalogue (add from ONVIF, import CSV, list, show, remove, discover)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vmwall.errors import UserFacingError
from vmwall.model import Camera, Forfait
from vmwall.model.device import DeviceProbe, DiscoveredDevice, MediaProfile, format_address, parse_address
from vmwall.redact import redact_url

_DEFAULT_TIMEOUT_S = 5.0
_DEFAULT_DISCOVERY_WINDOW_S = 3.0
_CSV_HELP = (
    "header row required; columns: number,name,commune (required), insee_code,forfait,live_hours,"
    "onvif,user,main_uri,sub_uri,snapshot_uri,ptz,latitude,longitude,address; comma, semicolon or tab"
    " separated, UTF-8. No password column: give the password with --password-stdin"
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "cameras",
        help="the camera catalogue: add (ONVIF), import (CSV), list, show, remove, discover",
        description="Manage the camera catalogue. Camera passwords go to the operating system's"
        " keyring, never to the database or to files.",
    )
    actions = parser.add_subparsers(dest="cameras_action", metavar="ACTION", required=True)
    _register_add(actions)
    _register_import(actions)
    _register_list(actions)
    _register_show(actions)
    _register_remove(actions)
    _register_discover(actions)


def _register_add(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add = actions.add_parser(
        "add",
        help="ask an ONVIF camera for its streams and add it",
        description="Query the device (information, profiles, main and sub stream URIs, PTZ) and store"
        " the camera; its password goes to the keyring only. Without --commune, the catalogue's only"
        " commune is used; a commune that does not exist yet is created when --insee is given.",
    )
    add.add_argument("--onvif", required=True, metavar="HOST:PORT", help="the camera's ONVIF address")
    add.add_argument("--user", required=True, help="the camera account vmwall uses")
    _add_password_stdin(add)
    add.add_argument("--commune", metavar="NAME", help="commune of the camera")
    add.add_argument("--insee", metavar="CODE", help="INSEE code, to create the commune if it is new")
    add.add_argument(
        "--forfait", choices=[f.value for f in Forfait], help="forfait of a new commune (default live-24-7)"
    )
    add.add_argument("--live-hours", metavar="HH:MM-HH:MM", help="viewing hours of a new live-hours commune")
    add.add_argument(
        "--number", type=_positive_int, metavar="N", help="camera number (default: the next free)"
    )
    add.add_argument("--name", help="camera name (default: the device's name)")
    _add_timeout(add, _DEFAULT_TIMEOUT_S, "how long to wait for the camera")
    add.set_defaults(handler=_add)


def _register_import(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = actions.add_parser(
        "import",
        help="add cameras from a CSV file (all rows or none)",
        description=f"Import cameras from a CSV file. {_CSV_HELP}. Every row is checked first; one bad"
        " row rejects the whole file and nothing is stored.",
    )
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    _add_password_stdin(imp, "the password of every row that names a user")
    imp.add_argument(
        "--probe", action="store_true", help="ask each camera with an onvif address for its streams"
    )
    _add_timeout(imp, _DEFAULT_TIMEOUT_S, "how long to wait for each camera with --probe")
    imp.set_defaults(handler=_import)


def _register_list(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lst = actions.add_parser("list", help="list the cameras")
    lst.add_argument("--commune", metavar="NAME", help="only the cameras of this commune")
    lst.add_argument("--json", action="store_true", help="print a JSON array (no secrets)")
    lst.set_defaults(handler=_list)


def _register_show(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    show = actions.add_parser("show", help="every field of one camera")
    show.add_argument("number", type=_positive_int)
    show.add_argument("--json", action="store_true", help="print a JSON object (no secrets)")
    show.set_defaults(handler=_show)


def _register_remove(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    remove = actions.add_parser("remove", help="remove a camera and its keyring entry")
    remove.add_argument("number", type=_positive_int)
    remove.set_defaults(handler=_remove)


def _register_discover(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    discover = actions.add_parser(
        "discover",
        help="find ONVIF cameras on the local network (WS-Discovery)",
        description="Send a WS-Discovery probe for ONVIF video devices to the multicast group"
        " 239.255.255.250:3702 (or to --target) and list those that answer.",
    )
    discover.add_argument("--target", metavar="HOST:PORT", help="probe this address only (unicast)")
    discover.add_argument(
        "--interface", metavar="ADDRESS", help="local IPv4 address to send the multicast from"
    )
    _add_timeout(discover, _DEFAULT_DISCOVERY_WINDOW_S, "how long to listen for answers")
    discover.add_argument("--json", action="store_true", help="print a JSON array")
    discover.set_defaults(handler=_discover)


# --- handlers -------------------------------------------------------------------------------


def _add(args: argparse.Namespace) -> int:
    from vmwall.catalogue import Catalogue, CommuneChoice, OnvifCameraRequest
    from vmwall.store import open_database

    host, port = _address(args.onvif, "--onvif")
    password = _read_password(args, f"Password of {args.user} on {args.onvif}: ")
    request = OnvifCameraRequest(
        host=host,
        port=port,
        username=args.user,
        password=password,
        commune=CommuneChoice(
            name=args.commune,
            insee_code=args.insee,
            forfait=Forfait(args.forfait) if args.forfait else None,
            live_hours=args.live_hours,
        ),
        number=args.number,
        name=args.name,
        timeout_s=args.timeout,
    )
    with open_database(args.db) as database:
        catalogue = Catalogue(database)
        camera, probe = catalogue.add_from_onvif(request)
        commune = catalogue.communes.get(camera.commune_id).name
    print(f"added camera {camera.number} {camera.name!r} (commune {commune})")
    print(f"  device: {_device_line(probe)}")
    print(f"  main:   {_profile_line(probe.main)}")
    print(f"  sub:    {_profile_line(probe.sub)}")
    print(f"  PTZ:    {'yes' if camera.ptz else 'no'}")
    print("  password stored in the keyring")
    return 0


def _import(args: argparse.Namespace) -> int:
    from vmwall.catalogue import Catalogue, import_csv, read_camera_csv
    from vmwall.store import open_database

    password = None
    if args.password_stdin or any(d.username for d in read_camera_csv(args.file)):
        password = _read_password(args, f"Password of the cameras of {args.file}: ")
    with open_database(args.db) as database:
        report = import_csv(
            Catalogue(database), args.file, password=password, probe=args.probe, timeout_s=args.timeout
        )
    print(f"imported {len(report.cameras)} cameras from {args.file}")
    if report.communes_created:
        print(f"  new communes: {', '.join(report.communes_created)}")
    if report.passwords_stored:
        print(f"  {report.passwords_stored} passwords stored in the keyring")
    return 0


def _list(args: argparse.Namespace) -> int:
    from vmwall.catalogue import Catalogue
    from vmwall.store import open_database

    with open_database(args.db) as database:
        entries = Catalogue(database).entries(args.commune)
    scope = _scope(args)
    entries = [e for e in entries if not scope or e.camera.commune_id in scope]
    if args.json:
        print(json.dumps([_camera_json(e.camera, e.commune) for e in entries], indent=2))
        return 0
    if not entries:
        print("no cameras")
        return 0
    rows = [
        (
            str(e.camera.number),
            e.camera.name,
            e.commune,
            _onvif_text(e.camera.onvif_host, e.camera.onvif_port),
            "yes" if e.camera.ptz else "no",
            redact_url(e.camera.main_uri) if e.camera.main_uri else "-",
        )
        for e in entries
    ]
    print(_table(("NUMBER", "NAME", "COMMUNE", "ONVIF", "PTZ", "MAIN STREAM"), rows))
    return 0


def _show(args: argparse.Namespace) -> int:
    from vmwall.catalogue import Catalogue
    from vmwall.store import open_database

    with open_database(args.db) as database:
        entry = Catalogue(database).entry(args.number)
    scope = _scope(args)
    if scope and entry.camera.commune_id not in scope:  # not even named to another commune's account
        raise UserFacingError(f"no camera number {args.number}")
    fields = _camera_json(entry.camera, entry.commune)
    if args.json:
        print(json.dumps(fields, indent=2))
        return 0
    width = max(len(k) for k in fields)
    for key, value in fields.items():
        print(f"{key:<{width}}  {'-' if value is None else value}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from vmwall.catalogue import Catalogue
    from vmwall.store import open_database

    with open_database(args.db) as database:
        camera = Catalogue(database).remove(args.number)
    print(f"removed camera {camera.number} {camera.name!r}")
    return 0


def _discover(args: argparse.Namespace) -> int:
    from vmwall.onvif.discovery import discover_sync

    target = _address(args.target, "--target", default_port=3702) if args.target else None
    devices = discover_sync(target=target, window_s=args.timeout, interface=args.interface)
    if args.json:
        print(json.dumps([_discovered_json(d) for d in devices], indent=2))
        return 0
    if not devices:
        where = args.target or "the local network"
        print(f"no ONVIF device answered from {where} within {args.timeout:g} s")
        return 0
    rows = [(d.address or "-", d.name or "-", d.hardware or "-", " ".join(d.xaddrs) or "-") for d in devices]
    print(_table(("ONVIF", "NAME", "HARDWARE", "SERVICE URLS"), rows))
    return 0


# --- helpers ---------------------------------------------------------------------------------


def _scope(args: argparse.Namespace) -> frozenset[int]:
    """The signed-in account's communes (empty: every commune)."""
    from vmwall.commands._auth import session_of

    session = session_of(args)
    return session.communes if session is not None else frozenset()


def _add_password_stdin(parser: argparse.ArgumentParser, what: str = "the password") -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help=f"read {what} from the first line of standard input (else it is asked on the terminal)",
    )


def _add_timeout(parser: argparse.ArgumentParser, default: float, what: str) -> None:
    parser.add_argument(
        "--timeout", type=_timeout, default=default, metavar="SECONDS", help=f"{what} (default {default:g})"
    )


def _read_password(args: argparse.Namespace, prompt: str) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UserFacingError("--password-stdin: the first line of standard input is empty", exit_code=2)
        return password
    if sys.stdin.isatty():
        password = getpass.getpass(prompt)
        if not password:
            raise UserFacingError("no password given", exit_code=2)
        return password
    raise UserFacingError(
        "no terminal to ask for the password: pass --password-stdin and pipe the password in", exit_code=2
    )


def _address(text: str, option: str, default_port: int = 80) -> tuple[str, int]:
    try:
        return parse_address(text, default_port)
    except ValueError as exc:
        raise UserFacingError(f"{option}: {exc}", exit_code=2) from None


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1")
    return int(text)


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.1 <= value <= 300:
        raise argparse.ArgumentTypeError(f"{text} s is outside 0.1..300 s")
    return value


def _camera_json(camera: Camera, commune: str) -> dict[str, Any]:
    """Every field a person may see: the password is in the keyring, only its ref shows."""
    return {
        "id": camera.id,
        "number": camera.number,
        "name": camera.name,
        "commune": commune,
        "commune_id": camera.commune_id,
        "onvif": _onvif_text(camera.onvif_host, camera.onvif_port) if camera.onvif_host else None,
        "user": camera.username,
        "credential_ref": camera.credential_ref,
        "main_uri": redact_url(camera.main_uri) if camera.main_uri else None,
        "sub_uri": redact_url(camera.sub_uri) if camera.sub_uri else None,
        "snapshot_uri": redact_url(camera.snapshot_uri) if camera.snapshot_uri else None,
        "main_profile": camera.main_profile,
        "sub_profile": camera.sub_profile,
        "ptz": camera.ptz,
        "latitude": camera.latitude,
        "longitude": camera.longitude,
        "address": camera.address,
        "manufacturer": camera.manufacturer,
        "model": camera.model,
        "firmware": camera.firmware,
        "serial": camera.serial,
    }


def _discovered_json(device: DiscoveredDevice) -> dict[str, Any]:
    return {
        "onvif": device.address,
        "name": device.name,
        "hardware": device.hardware,
        "endpoint": device.endpoint,
        "xaddrs": list(device.xaddrs),
        "scopes": list(device.scopes),
    }


def _onvif_text(host: str | None, port: int | None) -> str:
    if host is None:
        return "-"
    return format_address(host, port or 80)


def _device_line(probe: DeviceProbe) -> str:
    info = probe.info
    parts = [p for p in (info.manufacturer, info.model) if p]
    if info.firmware_version:
        parts.append(f"firmware {info.firmware_version}")
    if info.serial_number:
        parts.append(f"serial {info.serial_number}")
    return ", ".join(parts) or "no device information"


def _profile_line(profile: MediaProfile | None) -> str:
    if profile is None:
        return "none (the grid plays the main stream)"
    details = [d for d in (profile.resolution, profile.encoding) if d]
    if profile.frame_rate:
        details.append(f"{profile.frame_rate:g} fps")
    uri = redact_url(profile.stream_uri) if profile.stream_uri else "no URI"
    return f"{uri} ({', '.join(details) or profile.token})"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(lines)
