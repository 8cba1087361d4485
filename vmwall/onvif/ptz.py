"""PTZ of one ONVIF camera (onvif-zeep-async, ver20 PTZ service), in vmwall types.

`OnvifPtzDevice` lives on one asyncio loop (the ONVIF loop thread): every method is a coroutine
bounded by ``timeout_s`` whatever the camera does, and raises only `CameraError` subclasses
(`CameraAuthError`, `CameraUnreachableError`, `CameraProtocolError`, `PtzUnsupportedError`).

Capabilities are read first (`open`): the media profile carrying the PTZ configuration, the PTZ
node (spaces, presets, home) and the configuration options (ContinuousMove timeout range). A
camera without a PTZ service or PTZ profile reads as `PtzCapabilities.fixed()`; asking it to move
raises `PtzUnsupportedError`, as does a mode the camera does not offer.

Vectors are sent without a ``space`` attribute (the camera's default, generic space), except
RelativeMove in the field-of-view space (``TranslationSpaceFov``), which names it. ContinuousMove
always carries a Timeout so that the camera stops by itself if vmwall dies mid-move.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

from vmwall.model.ptz import PtzCapabilities, PtzPosition, PtzPreset, Range
from vmwall.onvif._session import DEFAULT_TIMEOUT_S, ServiceDevice
from vmwall.onvif.convert import as_list, get_field, range_from, text_or_none
from vmwall.onvif.errors import CameraError

log = logging.getLogger(__name__)

_PTZ_NAMESPACE = "http://www.onvif.org/ver20/ptz/wsdl"
_PT = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/"
_Z = "http://www.onvif.org/ver10/tptz/ZoomSpaces/"
FOV_TRANSLATION_SPACE = _PT + "TranslationSpaceFov"
_GENERIC = {
    "absolute_pt": _PT + "PositionGenericSpace",
    "absolute_z": _Z + "PositionGenericSpace",
    "relative_pt": _PT + "TranslationGenericSpace",
    "relative_z": _Z + "TranslationGenericSpace",
    "continuous_pt": _PT + "VelocityGenericSpace",
    "continuous_z": _Z + "VelocityGenericSpace",
}


class PtzUnsupportedError(CameraError):
    """The camera has no PTZ, or not the mode asked for."""

    def __init__(self, address: str, what: str) -> None:
        super().__init__(address, f"camera {address} does not support {what}")
        self.what = what


class OnvifPtzDevice(ServiceDevice):
    """One camera's PTZ service. Create, `open`, command, `close` — all on the same loop."""

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
        self._profile: str | None = None
        self._capabilities: PtzCapabilities | None = None

    @property
    def capabilities(self) -> PtzCapabilities | None:
        """What `open` read, or None before."""
        return self._capabilities

    @property
    def profile_token(self) -> str | None:
        return self._profile

    # --- capabilities -----------------------------------------------------------------------------

    async def open(self) -> PtzCapabilities:
        """Connect and read the capabilities (once; a failed attempt is retried by the next call)."""
        async with self._open_lock:
            if self._capabilities is not None:
                return self._capabilities
            capabilities = await self._session.opening(self._read_capabilities)
            self._capabilities = capabilities
            log.debug("PTZ of %s: %s", self.address, capabilities)
            return capabilities

    async def _read_capabilities(self) -> PtzCapabilities:
        camera = await self._session.connect()
        if _PTZ_NAMESPACE not in camera.xaddrs:
            return PtzCapabilities.fixed()
        media = await camera.create_media_service()
        profiles = list(await media.GetProfiles() or ())
        with_ptz = [
            p for p in profiles if get_field(p, "PTZConfiguration") is not None and get_field(p, "token")
        ]
        if not with_ptz:
            return PtzCapabilities.fixed()
        chosen = next((p for p in with_ptz if get_field(p, "token") == self._wanted_profile), with_ptz[0])
        self._profile = str(get_field(chosen, "token"))
        configuration = get_field(chosen, "PTZConfiguration")
        ptz = self._session.service = await camera.create_ptz_service()
        node = None
        node_token = text_or_none(get_field(configuration, "NodeToken"))
        if node_token:
            node = await ptz.GetNode({"NodeToken": node_token})
        else:
            nodes = list(await ptz.GetNodes() or ())
            node = nodes[0] if nodes else None
        options = None
        config_token = text_or_none(get_field(configuration, "token"))
        if config_token:  # optional: the node says enough to drive the camera
            request = {"ConfigurationToken": config_token}
            options = await self._session.optional("GetConfigurationOptions", request)
        return capabilities_from(node, configuration, options)

    # --- moving -----------------------------------------------------------------------------------

    async def continuous_move(self, pan: float, tilt: float, zoom: float, timeout_s: float) -> None:
        """Velocities in [-1, 1] (pan right +, tilt up +, zoom in +); the camera stops after
        ``timeout_s`` (clamped to what it accepts) unless another command comes first."""
        caps = await self._require("continuous", "continuous moves")
        velocity: dict[str, Any] = {"PanTilt": {"x": _unit(pan), "y": _unit(tilt)}}
        if caps.zoom:
            velocity["Zoom"] = {"x": _unit(zoom)}
        timeout = _clamp_timeout(timeout_s, caps.timeout_range)
        await self._call(
            "ContinuousMove",
            {"ProfileToken": self._profile, "Velocity": velocity, "Timeout": dt.timedelta(seconds=timeout)},
        )

    async def stop(self, *, pan_tilt: bool = True, zoom: bool = True) -> None:
        await self._require(None, "PTZ")
        await self._call("Stop", {"ProfileToken": self._profile, "PanTilt": pan_tilt, "Zoom": zoom})

    async def absolute_move(self, pan: float | None, tilt: float | None, zoom: float | None) -> None:
        """Go to a position in generic spaces; None leaves an axis (both pan and tilt, or zoom)."""
        caps = await self._require("absolute", "absolute moves")
        position: dict[str, Any] = {}
        if pan is not None and tilt is not None:
            position["PanTilt"] = {
                "x": _within(pan, caps.pan_range or (-1.0, 1.0)),
                "y": _within(tilt, caps.tilt_range or (-1.0, 1.0)),
            }
        if zoom is not None and caps.zoom:
            position["Zoom"] = {"x": _within(zoom, caps.zoom_range or (0.0, 1.0))}
        if not position:
            return
        await self._call("AbsoluteMove", {"ProfileToken": self._profile, "Position": position})

    async def relative_move(self, pan: float, tilt: float, zoom: float = 0.0, *, fov: bool = False) -> None:
        """Move by a translation: generic units, or (``fov``) fractions of the half field of view
        (x right +, y up +, ±1 = the picture's edges)."""
        caps = await self._require("relative", "relative moves")
        if fov and not caps.fov_translation:
            raise PtzUnsupportedError(self.address, "moves in the field-of-view space")
        pan_tilt: dict[str, Any] = {"x": _unit(pan), "y": _unit(tilt)}
        if fov:
            pan_tilt["space"] = FOV_TRANSLATION_SPACE
        translation: dict[str, Any] = {"PanTilt": pan_tilt}
        if zoom and caps.zoom:
            translation["Zoom"] = {"x": _unit(zoom)}
        await self._call("RelativeMove", {"ProfileToken": self._profile, "Translation": translation})

    async def status(self) -> PtzPosition:
        await self._require(None, "PTZ")
        reply = await self._call("GetStatus", {"ProfileToken": self._profile})
        position = position_from(get_field(reply, "Position"))
        move = get_field(reply, "MoveStatus")
        moving = any(str(get_field(move, axis) or "").upper() == "MOVING" for axis in ("PanTilt", "Zoom"))
        error = text_or_none(get_field(reply, "Error"))
        if position is None:
            raise self._session.map(ValueError("GetStatus gave no position"))
        return PtzPosition(position.pan, position.tilt, position.zoom, moving=moving, error=error)

    # --- presets and home -------------------------------------------------------------------------

    async def presets(self) -> list[PtzPreset]:
        await self._require("presets", "presets")
        reply = await self._call("GetPresets", {"ProfileToken": self._profile})
        result = []
        for item in reply or ():
            token = text_or_none(get_field(item, "token"))
            if token:
                name = text_or_none(get_field(item, "Name")) or token
                result.append(PtzPreset(token, name, position_from(get_field(item, "PTZPosition"))))
        return result

    async def set_preset(self, name: str | None, token: str | None = None) -> str:
        """Store the current position; a new preset (``token`` None) or over ``token`` (a rename when
        the camera has not moved). Returns the preset's token."""
        await self._require("presets", "presets")
        request: dict[str, Any] = {"ProfileToken": self._profile}
        if name:
            request["PresetName"] = name
        if token:
            request["PresetToken"] = token
        reply = await self._call("SetPreset", request)
        return text_or_none(reply) or token or ""

    async def goto_preset(self, token: str) -> None:
        await self._require("presets", "presets")
        await self._call("GotoPreset", {"ProfileToken": self._profile, "PresetToken": token})

    async def remove_preset(self, token: str) -> None:
        await self._require("presets", "presets")
        await self._call("RemovePreset", {"ProfileToken": self._profile, "PresetToken": token})

    async def goto_home(self) -> None:
        await self._require("home", "a home position")
        await self._call("GotoHomePosition", {"ProfileToken": self._profile})

    async def set_home(self) -> None:
        await self._require("home", "a home position")
        await self._call("SetHomePosition", {"ProfileToken": self._profile})

    # --- plumbing ---------------------------------------------------------------------------------

    async def _require(self, mode: str | None, what: str) -> PtzCapabilities:
        caps = await self.open()
        if not caps.ptz:
            raise PtzUnsupportedError(self.address, "PTZ (fixed camera)")
        if mode is not None and not getattr(caps, mode):
            raise PtzUnsupportedError(self.address, what)
        return caps


# --- conversion -------------------------------------------------------------------------------------


def capabilities_from(node: Any, configuration: Any, options: Any) -> PtzCapabilities:
    """Read the PTZ node, the profile's PTZ configuration and its options (each may be None)."""
    spaces = get_field(node, "SupportedPTZSpaces")
    if spaces is None:
        spaces = get_field(options, "Spaces")

    def uris(name: str) -> list[str]:
        return [str(get_field(space, "URI") or "") for space in as_list(get_field(spaces, name))]

    def has(name: str, generic: str) -> bool:
        # Only generic spaces are used: a mode offered in other spaces alone is not driven.
        return generic in uris(name)

    continuous = has("ContinuousPanTiltVelocitySpace", _GENERIC["continuous_pt"])
    absolute = has("AbsolutePanTiltPositionSpace", _GENERIC["absolute_pt"])
    relative = has("RelativePanTiltTranslationSpace", _GENERIC["relative_pt"])
    fov = FOV_TRANSLATION_SPACE in uris("RelativePanTiltTranslationSpace")
    zoom = bool(
        uris("ContinuousZoomVelocitySpace")
        or uris("AbsoluteZoomPositionSpace")
        or uris("RelativeZoomTranslationSpace")
    )
    max_presets = _int(get_field(node, "MaximumNumberOfPresets"))
    home = _bool(get_field(node, "HomeSupported"))
    pan_range, tilt_range = _xy_range(get_field(get_field(configuration, "PanTiltLimits"), "Range"))
    if pan_range is None:
        pan_range, tilt_range = _xy_range(_first(get_field(spaces, "AbsolutePanTiltPositionSpace")))
    zoom_range, _ = _xy_range(get_field(get_field(configuration, "ZoomLimits"), "Range"))
    if zoom_range is None:
        zoom_range, _ = _xy_range(_first(get_field(spaces, "AbsoluteZoomPositionSpace")))
    timeout_range = None
    timeout = get_field(options, "PTZTimeout")
    low, high = _seconds(get_field(timeout, "Min")), _seconds(get_field(timeout, "Max"))
    if low is not None and high is not None and 0 <= low <= high:
        timeout_range = (low, high)
    return PtzCapabilities(
        ptz=True,
        continuous=continuous,
        absolute=absolute,
        relative=relative or fov,
        presets=max_presets > 0,
        home=home,
        zoom=zoom,
        max_presets=max_presets,
        pan_range=pan_range,
        tilt_range=tilt_range,
        zoom_range=zoom_range,
        timeout_range=timeout_range,
        fov_translation=fov,
        status=True,
    )


def position_from(vector: Any) -> PtzPosition | None:
    if vector is None:
        return None
    pan_tilt, zoom = get_field(vector, "PanTilt"), get_field(vector, "Zoom")
    if pan_tilt is None and zoom is None:
        return None
    return PtzPosition(
        pan=_float(get_field(pan_tilt, "x")),
        tilt=_float(get_field(pan_tilt, "y")),
        zoom=_float(get_field(zoom, "x")),
    )


def _first(value: Any) -> Any:
    items = as_list(value)
    return items[0] if items else None


def _xy_range(space: Any) -> tuple[Range | None, Range | None]:
    return range_from(get_field(space, "XRange")), range_from(get_field(space, "YRange"))


def _seconds(value: Any) -> float | None:
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    total = getattr(value, "total_seconds", None)
    if callable(total):
        try:
            return float(total())
        except (TypeError, ValueError):
            return None
    return None


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def _float(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def _unit(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("PTZ values must be finite numbers")
    return round(max(-1.0, min(1.0, value)), 6)


def _within(value: float, limits: Range) -> float:
    if not math.isfinite(value):
        raise ValueError("PTZ values must be finite numbers")
    return round(max(limits[0], min(limits[1], value)), 6)


def _clamp_timeout(seconds: float, limits: Range | None) -> float:
    if limits is not None:
        seconds = max(limits[0], min(limits[1], seconds))
    return max(0.1, round(seconds, 3))


__all__ = ["DEFAULT_TIMEOUT_S", "FOV_TRANSLATION_SPACE", "OnvifPtzDevice", "PtzUnsupportedError"]
