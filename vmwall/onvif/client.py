"""Ask an ONVIF device who it is and how to get its streams.

`probe_device` runs on an asyncio loop (the console's ONVIF loop thread); `probe_device_sync` and
`probe_devices_sync` are for the command line, which has no loop of its own. Every call is bounded
by ``timeout_s`` as a whole, whatever the device does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Sequence
from typing import Any

from vmwall.model.device import (
    DeviceInfo,
    DeviceProbe,
    MediaProfile,
    ProbeTarget,
    choose_main_and_sub,
    format_address,
)
from vmwall.onvif._library import Fault, ONVIFCamera, is_auth_error
from vmwall.onvif.convert import (
    device_info_from,
    media_profile_from,
    name_from_scopes,
    strip_credentials,
    text_or_none,
)
from vmwall.onvif.errors import CameraError
from vmwall.onvif.mapping import map_exception

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 5.0
DEFAULT_CONCURRENCY = 8
_CLOSE_TIMEOUT_S = 1.0
_PTZ_NAMESPACE = "http://www.onvif.org/ver20/ptz/wsdl"
_PROXY_VARIABLES = ("http_proxy", "https_proxy")
_RTSP_STREAM_SETUP = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}


async def probe_device(
    host: str, port: int, username: str, password: str, *, timeout_s: float = DEFAULT_TIMEOUT_S
) -> DeviceProbe:
    """Query device information, profiles, main/sub stream URIs, snapshot URI and PTZ support.

    Raises `CameraAuthError`, `CameraUnreachableError` or `CameraProtocolError`, nothing else
    (cancellation aside).
    """
    address = format_address(host, port)
    camera = _new_camera(host, port, username, password)
    try:
        async with asyncio.timeout(timeout_s):
            return await _query(camera, host, port)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        error = map_exception(exc, address, timeout_s, secrets=(password,))
        log.debug("probe of %s failed: %s (%s)", address, error, type(exc).__name__)
        raise error from exc
    finally:
        await _close(camera)


def probe_device_sync(
    host: str, port: int, username: str, password: str, *, timeout_s: float = DEFAULT_TIMEOUT_S
) -> DeviceProbe:
    """`probe_device` on a private event loop, for callers that have none (the CLI)."""
    return asyncio.run(probe_device(host, port, username, password, timeout_s=timeout_s))


async def probe_devices(
    targets: Sequence[ProbeTarget],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> list[DeviceProbe | CameraError]:
    """Probe many devices, ``concurrency`` at a time; one result (or error) per target, in order."""
    limit = asyncio.Semaphore(max(1, concurrency))

    async def one(target: ProbeTarget) -> DeviceProbe | CameraError:
        async with limit:
            try:
                return await probe_device(
                    target.host, target.port, target.username, target.password, timeout_s=timeout_s
                )
            except CameraError as exc:
                return exc

    return list(await asyncio.gather(*(one(t) for t in targets)))


def probe_devices_sync(
    targets: Sequence[ProbeTarget],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> list[DeviceProbe | CameraError]:
    return asyncio.run(probe_devices(targets, timeout_s=timeout_s, concurrency=concurrency))


async def _query(camera: Any, host: str, port: int) -> DeviceProbe:
    await _update_addresses(camera)
    devicemgmt = await camera.create_devicemgmt_service()
    info: DeviceInfo = device_info_from(await devicemgmt.GetDeviceInformation())
    name = name_from_scopes(await _optional(devicemgmt.GetScopes()))
    media = await camera.create_media_service()
    profiles = tuple(media_profile_from(p) for p in (await media.GetProfiles() or ()))
    main, sub = choose_main_and_sub(tuple(p for p in profiles if p.token))
    if main is not None:
        main = await _with_stream_uri(media, main)
    if sub is not None:  # a device that will not give the sub stream's URI still gives a camera
        sub = await _optional(_with_stream_uri(media, sub))
    snapshot_uri = None
    if main is not None:
        reply = await _optional(media.GetSnapshotUri({"ProfileToken": main.token}))
        snapshot_uri = strip_credentials(text_or_none(getattr(reply, "Uri", None)))
    has_ptz_service = _PTZ_NAMESPACE in camera.xaddrs
    return DeviceProbe(
        host=host,
        port=port,
        info=info,
        profiles=profiles,
        main=main,
        sub=sub,
        snapshot_uri=snapshot_uri,
        ptz=bool(has_ptz_service and main is not None and main.ptz),
        name=name,
        clock_offset_s=_clock_offset(camera),
    )


def _new_camera(host: str, port: int, username: str, password: str) -> Any:
    """The library's camera object. Its constructor deletes http_proxy and https_proxy from the
    process environment (camera traffic must not go through a proxy; aiohttp ignores them anyway
    unless asked): they are put back, for the rest of vmwall."""
    saved = {name: os.environ[name] for name in _PROXY_VARIABLES if name in os.environ}
    try:
        return ONVIFCamera(host, port, username, password, no_cache=True, adjust_time=True)
    finally:
        os.environ.update(saved)


async def _update_addresses(camera: Any) -> None:
    """GetSystemDateAndTime (the clock offset, so WS-Security timestamps match the device's clock),
    then GetServices. Devices whose clock answer has no usable UTCDateTime (some give only the local
    time, some a date like month 0) are then asked without the offset."""
    try:
        await camera.update_xaddrs()
    except (AttributeError, TypeError, ValueError) as exc:
        log.debug("unusable clock answer (%s): asking without the clock offset", exc)
        camera.adjust_time = False
        camera.dt_diff = None
        await camera.update_xaddrs()


async def _with_stream_uri(media: Any, profile: MediaProfile) -> MediaProfile:
    reply = await media.GetStreamUri({"StreamSetup": _RTSP_STREAM_SETUP, "ProfileToken": profile.token})
    uri = strip_credentials(text_or_none(getattr(reply, "Uri", None)))
    return MediaProfile(
        token=profile.token,
        name=profile.name,
        encoding=profile.encoding,
        width=profile.width,
        height=profile.height,
        frame_rate=profile.frame_rate,
        ptz=profile.ptz,
        stream_uri=uri,
    )


async def _optional(call: Any) -> Any:
    """Await an optional operation; a device that does not support it gives None, not an error.

    Authentication and network failures still propagate: they concern the whole probe.
    """
    try:
        return await call
    except Fault as fault:
        if is_auth_error(fault):
            raise
        log.debug("optional ONVIF operation refused: %s", fault)
        return None


def _clock_offset(camera: Any) -> float | None:
    diff = getattr(camera, "dt_diff", None)
    seconds = getattr(diff, "total_seconds", None)
    return round(float(seconds()), 3) if callable(seconds) else None


async def _close(camera: Any) -> None:
    with contextlib.suppress(Exception):
        async with asyncio.timeout(_CLOSE_TIMEOUT_S):
            await camera.close()


__all__ = [
    "DEFAULT_TIMEOUT_S",
    "ProbeTarget",
    "probe_device",
    "probe_device_sync",
    "probe_devices",
    "probe_devices_sync",
]
