"""Focus of one ONVIF camera (onvif-zeep-async, ver20 imaging service), in vmwall types.

`OnvifImagingDevice` lives on one asyncio loop (the ONVIF loop thread), like
`vmwall.onvif.ptz.OnvifPtzDevice`: every method is a coroutine bounded by ``timeout_s`` whatever
the camera does, and raises only `CameraError` subclasses (`CameraAuthError`,
`CameraUnreachableError`, `CameraProtocolError`, `ImagingUnsupportedError`).

`open` reads what the lens offers: the video source (from the media profile: the imaging service
addresses a video source, not a profile), GetMoveOptions (continuous focus and its speed range),
GetOptions (the AutoFocusModes) and GetImagingSettings (the current mode). A camera without an
imaging service or a video source reads as `FocusOptions.none()`; asking it to focus raises
`ImagingUnsupportedError`, as does a mode it does not offer.

Speeds are vmwall's [-1, 1], far + and near −, scaled to the camera's ContinuousFocus speed range.
ONVIF continuous focus carries no timeout: the caller must send Stop (see `vmwall.ptz.focus`).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

from vmwall.model.ptz import Range
from vmwall.onvif._session import DEFAULT_TIMEOUT_S, ServiceDevice
from vmwall.onvif.convert import as_list, get_field, range_from, text_or_none
from vmwall.onvif.errors import CameraError

log = logging.getLogger(__name__)

IMAGING_NAMESPACE = "http://www.onvif.org/ver20/imaging/wsdl"
AUTO, MANUAL = "AUTO", "MANUAL"


class ImagingUnsupportedError(CameraError):
    """The camera has no imaging focus, or not the mode asked for."""

    def __init__(self, address: str, what: str) -> None:
        super().__init__(address, f"camera {address} does not support {what}")
        self.what = what


@dataclass(frozen=True, slots=True)
class FocusOptions:
    """What a camera's lens offers, as `open` read it."""

    imaging: bool  # an imaging service and a video source
    continuous: bool = False  # Move with Continuous focus
    speed_range: Range | None = None  # of ContinuousFocus Speed
    auto_modes: frozenset[str] = frozenset()  # "AUTO", "MANUAL"
    auto: bool | None = None  # the AutoFocusMode when read (None: the camera did not say)
    video_source: str | None = None

    @classmethod
    def none(cls) -> FocusOptions:
        return cls(imaging=False)

    @property
    def switchable(self) -> bool:
        """AutoFocusMode can be set to AUTO and to MANUAL."""
        return {AUTO, MANUAL} <= self.auto_modes


@dataclass(frozen=True, slots=True)
class FocusReading:
    """GetStatus: the lens position (camera units; None if not given), whether it moves."""

    position: float | None
    moving: bool
    error: str | None = None


class OnvifImagingDevice(ServiceDevice):
    """One camera's imaging service. Create, `open`, command, `close` — all on the same loop."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        password: str,
        *,
        profile_token: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        super().__init__(host, port, username, password, profile_token=profile_token, timeout_s=timeout_s)
        self._options: FocusOptions | None = None
        self._auto: bool | None = None

    @property
    def options(self) -> FocusOptions | None:
        """What `open` read (with the mode as last set), or None before."""
        return self._options

    # --- capabilities -----------------------------------------------------------------------------

    async def open(self) -> FocusOptions:
        """Connect and read what the lens offers (once; a failed attempt is retried next call)."""
        async with self._open_lock:
            if self._options is not None:
                return self._options
            options = await self._session.opening(self._read_options)
            self._options = options
            self._auto = options.auto
            log.debug("focus of %s: %s", self.address, options)
            return options

    async def _read_options(self) -> FocusOptions:
        camera = await self._session.connect()
        if IMAGING_NAMESPACE not in camera.xaddrs:
            return FocusOptions.none()
        media = await camera.create_media_service()
        profiles = list(await media.GetProfiles() or ())
        sources = [(p, _source_token(p)) for p in profiles]
        sources = [(p, token) for p, token in sources if token]
        if not sources:
            return FocusOptions.none()
        chosen = next((t for p, t in sources if get_field(p, "token") == self._wanted_profile), sources[0][1])
        self._session.service = await camera.create_imaging_service()
        token = {"VideoSourceToken": chosen}
        move = await self._session.optional("GetMoveOptions", token)
        continuous = get_field(move, "Continuous")
        speed_range = range_from(get_field(continuous, "Speed"))
        options = await self._session.optional("GetOptions", token)
        auto_modes = as_list(get_field(get_field(options, "Focus"), "AutoFocusModes"))
        modes = frozenset(str(mode).upper() for mode in auto_modes if mode)
        settings = await self._session.optional("GetImagingSettings", token)
        auto = _mode(get_field(get_field(settings, "Focus"), "AutoFocusMode"))
        return FocusOptions(
            imaging=True,
            continuous=continuous is not None,
            speed_range=speed_range,
            auto_modes=modes,
            auto=auto,
            video_source=chosen,
        )

    # --- focusing ---------------------------------------------------------------------------------

    async def continuous_focus(self, speed: float) -> None:
        """Focus at ``speed`` in [-1, 1] (far +, near −) until `stop`; 0 is a Stop."""
        if not math.isfinite(speed):
            raise ValueError("focus speeds must be finite numbers")
        options = await self._require(True, "continuous focus")
        if speed == 0.0:
            await self.stop()
            return
        value = _scaled(max(-1.0, min(1.0, speed)), options.speed_range)
        await self._call(
            "Move",
            {"VideoSourceToken": options.video_source, "Focus": {"Continuous": {"Speed": value}}},
        )

    async def stop(self) -> None:
        options = await self._require(False, "focus")
        await self._call("Stop", {"VideoSourceToken": options.video_source})

    async def status(self) -> FocusReading:
        options = await self._require(False, "focus")
        reply = await self._call("GetStatus", {"VideoSourceToken": options.video_source})
        focus = get_field(reply, "FocusStatus20")
        if focus is None:
            raise self._session.map(ValueError("GetStatus gave no focus status"))
        moving = str(get_field(focus, "MoveStatus") or "").upper() == "MOVING"
        error = text_or_none(get_field(focus, "Error"))
        return FocusReading(_float(get_field(focus, "Position")), moving, error)

    async def auto_focus(self) -> bool | None:
        """The AutoFocusMode now (True: AUTO; None: the camera does not say)."""
        options = await self._require(False, "focus")
        reply = await self._call("GetImagingSettings", {"VideoSourceToken": options.video_source})
        self._auto = _mode(get_field(get_field(reply, "Focus"), "AutoFocusMode"))
        return self._auto

    async def set_auto_focus(self, on: bool) -> None:
        """AutoFocusMode AUTO (``on``) or MANUAL; the other focus settings are left as they are."""
        options = await self._require(False, "focus")
        wanted = AUTO if on else MANUAL
        if wanted not in options.auto_modes:
            raise ImagingUnsupportedError(self.address, f"the {wanted} focus mode")
        source = options.video_source
        current = await self._call("GetImagingSettings", {"VideoSourceToken": source})
        focus: dict[str, Any] = {"AutoFocusMode": wanted}
        for name in ("DefaultSpeed", "NearLimit", "FarLimit"):
            value = _float(get_field(get_field(current, "Focus"), name))
            if value is not None:
                focus[name] = value
        await self._call(
            "SetImagingSettings",
            {"VideoSourceToken": source, "ImagingSettings": {"Focus": focus}, "ForcePersistence": False},
        )
        self._auto = on

    @property
    def auto(self) -> bool | None:
        """The AutoFocusMode as last read or set (None: unknown)."""
        return self._auto

    # --- plumbing ---------------------------------------------------------------------------------

    async def _require(self, continuous: bool, what: str) -> FocusOptions:
        options = await self.open()
        if not options.imaging:
            raise ImagingUnsupportedError(self.address, "focus control (no imaging service)")
        if continuous and not options.continuous:
            raise ImagingUnsupportedError(self.address, what)
        return options


# --- conversion -------------------------------------------------------------------------------------


def _source_token(profile: Any) -> str | None:
    return text_or_none(get_field(get_field(profile, "VideoSourceConfiguration"), "SourceToken"))


def _mode(value: Any) -> bool | None:
    text = str(value or "").strip().upper()
    return True if text == AUTO else False if text == MANUAL else None


def _scaled(speed: float, limits: Range | None) -> float:
    """[-1, 1] → the camera's range: each side scaled to its own end (a range [0, max] is a
    magnitude: the sign is kept)."""
    if limits is None:
        return round(speed, 6)
    low, high = limits
    if low < 0.0 < high:
        return round(speed * (high if speed > 0 else -low), 6)
    return round(speed * max(abs(low), abs(high)), 6)


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


__all__ = [
    "AUTO",
    "DEFAULT_TIMEOUT_S",
    "IMAGING_NAMESPACE",
    "MANUAL",
    "FocusOptions",
    "FocusReading",
    "ImagingUnsupportedError",
    "OnvifImagingDevice",
]
