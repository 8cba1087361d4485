"""`vmwall sim`: the simulated camera farm (RTSP streams + one ONVIF device per camera)."""

from __future__ import annotations

import argparse
import logging
import threading
import time
from pathlib import Path
from typing import Any

import platformdirs

from vmwall.errors import UserFacingError
from vmwall.logs import install_sigterm_handler, setup_logging

log = logging.getLogger("vmwall.sim")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sim",
        help="run the simulated camera farm (RTSP + ONVIF), for demos, tests and installers",
        description="Simulated cameras: per camera a real RTSP server (main 1920x1080 and sub 640x360, "
        "H.264 25 fps, keyframe every second, camera number, name, clock and frame counter burned in) and "
        "an ONVIF device (device, media, PTZ, events) with WS-Security digest authentication.",
    )
    parser.add_argument("--cameras", type=int, default=16, metavar="N", help="number of cameras (default 16)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--rtsp-port",
        type=int,
        default=8554,
        metavar="PORT",
        help="RTSP port of camera 1; camera N uses PORT+N-1 (0: ephemeral ports)",
    )
    parser.add_argument(
        "--onvif-port",
        type=int,
        default=8080,
        metavar="PORT",
        help="camera N's ONVIF device listens on PORT+N (0: ephemeral ports)",
    )
    parser.add_argument(
        "--register",
        action="store_true",
        help="add/update the cameras in the catalogue (commune 'Simulation', forfait live 24/7),"
        " passwords in the OS keyring",
    )
    parser.add_argument("--commune", default="Simulation", help="commune to register the cameras in")
    parser.add_argument(
        "--first-number",
        type=int,
        default=1,
        metavar="N",
        help="logical number of the first camera when registering (default 1)",
    )
    parser.add_argument("--no-rtsp-auth", action="store_true", help="serve RTSP without authentication")
    parser.add_argument(
        "--motion-interval",
        type=float,
        default=20.0,
        metavar="S",
        help="seconds between simulated motion alarms per camera (0: none)",
    )
    parser.add_argument(
        "--discovery",
        action="store_true",
        help="answer WS-Discovery probes (UDP 3702, multicast) like real cameras",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="where the simulated devices keep their passwords (default: user data dir)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        metavar="S",
        help="stop after S seconds (default: run until interrupted)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from vmwall.sim.farm import FarmOptions, SimFarm  # GStreamer is only needed by this command

    setup_logging("sim", verbose=args.verbose)
    state_dir = args.state_dir or Path(platformdirs.user_data_dir("vmwall")) / "sim"
    options = FarmOptions(
        cameras=args.cameras,
        host=args.host,
        rtsp_base_port=args.rtsp_port,
        onvif_base_port=args.onvif_port,
        require_rtsp_auth=not args.no_rtsp_auth,
        motion_interval_s=args.motion_interval or None,
        discovery_port=3702 if args.discovery else None,
    )
    if not 1 <= args.cameras <= 999:
        raise UserFacingError("--cameras must be between 1 and 999")
    farm = SimFarm(options, state_dir / "devices.json")
    try:
        farm.start()
    except OSError as exc:
        raise UserFacingError(
            f"the camera farm could not start: {exc} (is another `vmwall sim` running?)"
        ) from exc
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        install_sigterm_handler(stop.set)
    try:
        _print_addresses(farm, state_dir)
        if args.register:
            _register(args, farm)
        print("Farm running. Ctrl+C to stop.", flush=True)
        deadline = None if args.duration is None else time.monotonic() + args.duration
        while not stop.wait(0.5):
            if deadline is not None and time.monotonic() >= deadline:
                break
    except KeyboardInterrupt:
        pass
    finally:
        farm.close()
        log.info("farm stopped")
    return 0


def _print_addresses(farm: Any, state_dir: Path) -> None:
    specs = farm.specs
    print(f"vmwall sim: {len(specs)} simulated cameras on {specs[0].host}", flush=True)
    print(f"{'no.':>4}  {'name':<28} {'PTZ':<5} {'ONVIF device':<22} RTSP main / sub")
    for s in specs:
        print(
            f"{s.number:>4}  {s.name[:28]:<28} {'yes' if s.ptz else 'no':<5} "
            f"{'http://' + s.onvif_address + '/onvif/device_service':<22} {s.rtsp_main_uri} {s.rtsp_sub_uri}"
        )
    print(
        f"User {specs[0].username}; each device's password is in {state_dir / 'devices.json'} "
        "(and in the OS keyring once registered).",
        flush=True,
    )


def _register(args: argparse.Namespace, farm: Any) -> None:
    from vmwall.sim.registration import register_farm
    from vmwall.store import open_database

    db = open_database(args.db)
    try:
        result = register_farm(db, farm.specs, args.commune, args.first_number)
    finally:
        db.close()
    print(
        f"Registered in commune {result.commune.name!r}: {result.created} cameras added, "
        f"{result.updated} updated (numbers {args.first_number}..{args.first_number + len(farm.specs) - 1}).",
        flush=True,
    )
