"""`vmwall hub`: the stream hub service, its status, and the URL a player opens for a camera."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from vmwall.errors import UserFacingError
from vmwall.model import StreamKind


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "hub",
        help="stream hub: one RTSP session per camera stream, served to players as MPEG-TS over HTTP",
        description="Without an action, runs the hub service. Consoles and wall nodes start one on "
        "demand when none answers; run it as a system service to keep it up.",
    )
    parser.add_argument(
        "--listen",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to listen on (default 127.0.0.1; another address needs --token-env)",
    )
    parser.add_argument(
        "--port", type=int, default=None, help="HTTP port (default 8490, or $VMWALL_HUB_URL's)"
    )
    parser.add_argument(
        "--linger",
        type=float,
        default=30.0,
        metavar="S",
        help="keep a stream pulled S seconds after its last viewer left (default 30)",
    )
    parser.add_argument(
        "--warm-sub",
        default="",
        metavar="N,N,…",
        help="cameras whose sub stream is always pulled (instant call-up)",
    )
    parser.add_argument(
        "--rtsp-transport",
        choices=("tcp", "udp"),
        default="tcp",
        help="RTP over the RTSP TCP connection (default) or UDP",
    )
    parser.add_argument(
        "--token-env",
        metavar="VAR",
        help="environment variable holding the token remote (non-loopback) players must send",
    )
    parser.set_defaults(handler=_run)
    actions = parser.add_subparsers(dest="hub_action", metavar="ACTION")

    status = actions.add_parser("status", help="per-stream state, bitrate, fps, keyframe interval, viewers")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=_status)

    url = actions.add_parser("url", help="print the URL a player (VLC, ffplay) opens for a camera")
    url.add_argument("camera", metavar="CAMERA", help="camera number, or id:N for a catalogue id")
    url.add_argument("--sub", action="store_true", help="the sub stream (default: main)")
    url.set_defaults(handler=_url)


def _client() -> Any:
    from vmwall.hub.client import HubClient

    return HubClient()


def _run(args: argparse.Namespace) -> int:
    import os

    from vmwall.hub.client import default_hub_url
    from vmwall.hub.service import Hub, HubOptions
    from vmwall.logs import setup_logging
    from vmwall.store import open_database

    setup_logging("hub", verbose=args.verbose)
    port = args.port or int(default_hub_url().rsplit(":", 1)[-1].split("/")[0])
    token = os.environ.get(args.token_env) if args.token_env else None
    if args.token_env and not token:
        raise UserFacingError(f"--token-env {args.token_env}: that variable is empty or unset")
    if args.listen not in ("127.0.0.1", "::1", "localhost") and not token:
        raise UserFacingError("a hub listening beyond this machine needs a token: use --token-env VAR")
    warm = frozenset((n, StreamKind.SUB) for n in _numbers(args.warm_sub))
    db = open_database(args.db)
    options = HubOptions(
        host=args.listen,
        port=port,
        linger_s=args.linger,
        always_warm=warm,
        rtsp_transport=args.rtsp_transport,
        token=token,
    )

    async def serve() -> None:
        hub = Hub(db, options)
        try:
            await hub.start()
        except OSError as exc:
            raise UserFacingError(
                f"the hub cannot listen on {args.listen}:{port}: {exc.strerror} "
                "(is another hub running? `vmwall hub status`)"
            ) from exc
        try:
            await hub.run_until_stopped()
        finally:
            await hub.close()

    try:
        asyncio.run(serve())
    finally:
        db.close()
    return 0


def _numbers(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise UserFacingError(f"--warm-sub takes camera numbers separated by commas, not {text!r}") from exc


def _status(args: argparse.Namespace) -> int:
    client = _client()
    streams = client.streams()
    if args.json:
        print(json.dumps({"hub": client.url, "streams": streams}, indent=2))
        return 0
    print(f"hub {client.url}: {len(streams)} stream(s)")
    if streams:
        print(
            f"{'cam':>5} {'kind':<4} {'state':<12} {'kbit/s':>7} {'fps':>5} {'GOP':>7} {'size':>9} "
            f"{'age s':>6} {'viewers':>7} {'reconn':>6}  last error"
        )
    for s in streams:
        gop = f"{s['keyframe_interval_s']:.2f}s" if s["keyframe_interval_s"] else "-"
        size = f"{s['width']}x{s['height']}" if s["width"] else "-"
        age = f"{s['last_packet_age_s']:.1f}" if s["last_packet_age_s"] is not None else "-"
        print(
            f"{s['camera']:>5} {s['kind']:<4} {s['state']:<12} {s['bitrate_kbps']:>7.0f} {s['fps']:>5.1f} "
            f"{gop:>7} {size:>9} {age:>6} {s['consumers']:>7} {s['reconnects']:>6}  {s['last_error'] or ''}"
        )
    return 0


def _url(args: argparse.Namespace) -> int:
    from vmwall.store import CameraRepository, open_database

    kind = StreamKind.SUB if args.sub else StreamKind.MAIN
    ref = str(args.camera)
    db = open_database(args.db)
    try:
        repo = CameraRepository(db)
        if ref.startswith("id:"):
            try:
                camera = repo.get(int(ref[3:]))
            except ValueError as exc:
                raise UserFacingError(f"{ref!r}: an id is a whole number (id:12)") from exc
        else:
            try:
                found = repo.get_by_number(int(ref))
            except ValueError as exc:
                raise UserFacingError(f"{ref!r} is not a camera number (or id:N)") from exc
            if found is None:
                raise UserFacingError(f"no camera number {ref} in the catalogue")
            camera = found
    finally:
        db.close()
    print(_client().stream_url(camera.number, kind))
    return 0
