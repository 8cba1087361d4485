"""Imaging service (timg, ver20) of a simulated camera: the focus of its lens, over `FocusState`.

What a motorised varifocal lens offers (PTZ domes and fixed cameras alike): GetImagingSettings /
SetImagingSettings (``Focus/AutoFocusMode`` AUTO or MANUAL, brightness and the like kept as
given), GetOptions, GetMoveOptions (Continuous focus only), Move (Continuous), Stop, GetStatus.
Like many cameras, the lens refuses a manual Move while in AUTO mode (a SOAP fault): a client
switches it to MANUAL first. Continuous focus has no timeout in ONVIF: it runs until Stop or the
end of the lens travel.

A device's focus is attached with `attach_focus` (the farm does it for cameras that have one);
a device without it answers ter:ActionNotSupported and the device service does not advertise the
imaging service. Test hooks on `FocusState` as on `PtzState`: `received`, `stall`/`resume`,
`unsupported` operations.

The timg namespace is not among the prefixes of `vmwall.sim.soap.NS`: its elements are named in
Clark notation here (lxml declares the namespace on each such element).
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from vmwall.sim.onvif_context import VIDEO_SOURCE_TOKEN, Access, Call, Operation, SimDevice
from vmwall.sim.soap import (
    Element,
    SoapFaultError,
    el,
    etree,
    format_float,
    invalid_arg,
    receiver_fault,
    sender_fault,
)

IMAGING_NAMESPACE = "http://www.onvif.org/ver20/imaging/wsdl"
IMAGING_PATH = "/onvif/imaging_service"
TT = "http://www.onvif.org/ver10/schema"
FOCUS_LIMITS = (0.0, 1.0)  # near .. far (infinity), in the lens' own units
CONTINUOUS_SPEED_RANGE = (-1.0, 1.0)  # ContinuousFocus Speed: far +, near −
DEFAULT_FOCUS_SPEED = 0.5  # lens travel per second at speed 1
SHARP_POSITION = 0.62  # where the picture is sharp (autofocus goes there)
_STALL_POLL_S = 0.02


def timg(
    local: str, text: str | None = None, children: Iterable[Element | None] = (), **attrib: str
) -> Element:
    """An element of the imaging namespace (Clark notation), like `vmwall.sim.soap.el`."""
    node = etree.Element(f"{{{IMAGING_NAMESPACE}}}{local}", attrib=attrib or None)
    if text is not None:
        node.text = text
    for child in children:
        if child is not None:
            node.append(child)
    return node


def operation_key(name: str) -> str:
    return f"{{{IMAGING_NAMESPACE}}}{name}"


# --- the lens --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FocusCommand:
    """An imaging request as the simulated lens received it (for tests)."""

    at: float  # time.monotonic()
    operation: str  # "Move", "Stop", "SetImagingSettings"...
    value: float | str | None = None  # Move: the speed; SetImagingSettings: the AutoFocusMode


class FocusState:
    """Position (near 0 .. far 1), motion and AUTO/MANUAL mode of one simulated lens.

    Computed from the clock when asked (nothing ticks). In AUTO mode the lens travels to
    `sharp` at its speed; in MANUAL mode it moves only while a continuous focus runs. Thread-safe.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        speed: float = DEFAULT_FOCUS_SPEED,
        position: float = SHARP_POSITION,
        auto: bool = True,
        sharp: float = SHARP_POSITION,
    ) -> None:
        if not speed > 0:
            raise ValueError("the focus speed must be > 0")
        self._clock = clock
        self._lock = threading.Lock()
        self._max_speed = speed
        self._pos = _clamp(position)
        self._t0 = clock()
        self._velocity = 0.0  # units/s (manual continuous focus)
        self._target: float | None = None  # AUTO: where the lens is going
        self._auto = auto
        self._sharp = _clamp(sharp)
        if auto:
            self._target = self._sharp
        self.brightness = 50.0
        self.unsupported: frozenset[str] = frozenset()
        self._answering = threading.Event()
        self._answering.set()
        self._received: deque[FocusCommand] = deque(maxlen=10_000)
        self._received_lock = threading.Lock()

    # --- test hooks ---

    @property
    def answering(self) -> bool:
        return self._answering.is_set()

    def stall(self) -> None:
        """Stop answering imaging requests until `resume` (the lens keeps moving meanwhile)."""
        self._answering.clear()

    def resume(self) -> None:
        self._answering.set()

    def record(self, operation: str, value: float | str | None = None) -> None:
        with self._received_lock:
            self._received.append(FocusCommand(time.monotonic(), operation, value))

    def received(self, operation: str | None = None) -> list[FocusCommand]:
        with self._received_lock:
            items = list(self._received)
        return items if operation is None else [c for c in items if c.operation == operation]

    # --- reading ---

    def _at(self, now: float) -> float:
        elapsed = max(0.0, now - self._t0)
        if self._target is not None:
            distance = self._target - self._pos
            travel = self._max_speed * elapsed
            return self._target if travel >= abs(distance) else self._pos + math.copysign(travel, distance)
        return _clamp(self._pos + self._velocity * elapsed)

    def _moving(self, now: float) -> bool:
        position = self._at(now)
        if self._target is not None:
            return position != self._target
        if self._velocity > 0:
            return position < FOCUS_LIMITS[1]
        if self._velocity < 0:
            return position > FOCUS_LIMITS[0]
        return False

    def position(self) -> float:
        with self._lock:
            return self._at(self._clock())

    def is_moving(self) -> bool:
        with self._lock:
            return self._moving(self._clock())

    @property
    def auto(self) -> bool:
        with self._lock:
            return self._auto

    @property
    def sharp(self) -> float:
        with self._lock:
            return self._sharp

    def blur(self) -> float:
        """How far from sharp the lens is now (0 sharp .. 1), for a renderer that wants it."""
        return abs(self.position() - self.sharp)

    # --- commanding ---

    def _anchor(self) -> None:
        now = self._clock()
        self._pos = self._at(now)
        self._t0 = now

    def set_auto(self, on: bool) -> None:
        with self._lock:
            self._anchor()
            self._auto = on
            self._velocity = 0.0
            self._target = self._sharp if on else None

    def set_sharp(self, position: float) -> None:
        """Where the scene is sharp (a test hook: the subject moved); AUTO follows it."""
        with self._lock:
            self._anchor()
            self._sharp = _clamp(position)
            if self._auto:
                self._target = self._sharp

    def continuous(self, speed: float) -> None:
        """Manual continuous focus at ``speed`` in [-1, 1] (far +); 0 stops. Refused in AUTO."""
        if not math.isfinite(speed):
            raise ValueError("the focus speed must be a finite number")
        with self._lock:
            if self._auto:
                raise PermissionError("the lens is in AUTO focus mode")
            self._anchor()
            self._velocity = max(-1.0, min(1.0, speed)) * self._max_speed

    def stop(self) -> None:
        with self._lock:
            self._anchor()
            self._velocity = 0.0
            if not self._auto:
                self._target = None


def _clamp(value: float) -> float:
    return min(FOCUS_LIMITS[1], max(FOCUS_LIMITS[0], value))


# --- which device has a lens -------------------------------------------------------------------------

_FOCUS: weakref.WeakKeyDictionary[SimDevice, FocusState] = weakref.WeakKeyDictionary()
_FOCUS_LOCK = threading.Lock()


def attach_focus(device: SimDevice, state: FocusState) -> None:
    with _FOCUS_LOCK:
        _FOCUS[device] = state


def focus_of(device: SimDevice) -> FocusState | None:
    with _FOCUS_LOCK:
        return _FOCUS.get(device)


# --- handlers --------------------------------------------------------------------------------------


def _text(call: Call, *path: str) -> str | None:
    node: Element | None = call.body
    for local in path:
        if node is None:
            return None
        namespace = IMAGING_NAMESPACE if node is call.body else TT
        node = node.find(f"{{{namespace}}}{local}")
    if node is None or node.text is None:
        return None
    return str(node.text).strip()


async def _enter(call: Call, operation: str, value: float | str | None = None) -> FocusState:
    """The lens, once the request is recorded, its video source checked, and the lens answers."""
    lens = focus_of(call.device)
    if lens is None:
        raise receiver_fault(
            "ter:ActionNotSupported", "ter:NoImagingForSource", reason="This camera has no imaging service"
        )
    token = _text(call, "VideoSourceToken")
    if token is None:
        raise sender_fault("ter:InvalidArgs", reason="VideoSourceToken missing")
    if token != VIDEO_SOURCE_TOKEN:
        raise invalid_arg("ter:NoSource", f"No video source {token!r}")
    lens.record(operation, value)
    if operation in lens.unsupported:
        raise receiver_fault(
            "ter:ActionNotSupported", "ter:NoImagingForSource", reason=f"{operation} is not supported"
        )
    while not lens.answering:  # a stalled lens: the client's own deadline ends the wait
        await asyncio.sleep(_STALL_POLL_S)
    return lens


def _range(tag: str, low: float, high: float) -> Element:
    return el(tag, children=[el("tt:Min", format_float(low)), el("tt:Max", format_float(high))])


def _focus_settings(lens: FocusState) -> Element:
    return el(
        "tt:Focus",
        children=[
            el("tt:AutoFocusMode", "AUTO" if lens.auto else "MANUAL"),
            el("tt:DefaultSpeed", format_float(1.0)),
            el("tt:NearLimit", format_float(FOCUS_LIMITS[0])),
            el("tt:FarLimit", format_float(FOCUS_LIMITS[1])),
        ],
    )


def imaging_capabilities() -> Element:
    """<timg:Capabilities/> (GetServiceCapabilities and GetServices with IncludeCapability)."""
    return timg("Capabilities", ImageStabilization="false", Presets="false")


async def get_service_capabilities(call: Call) -> Element:
    return timg("GetServiceCapabilitiesResponse", children=[imaging_capabilities()])


async def get_imaging_settings(call: Call) -> Element:
    lens = await _enter(call, "GetImagingSettings")
    settings = timg(
        "ImagingSettings",
        children=[
            el("tt:Brightness", format_float(lens.brightness)),
            el("tt:ColorSaturation", format_float(50.0)),
            el("tt:Contrast", format_float(50.0)),
            _focus_settings(lens),
            el("tt:Sharpness", format_float(50.0)),
        ],
    )
    return timg("GetImagingSettingsResponse", children=[settings])


async def set_imaging_settings(call: Call) -> Element:
    mode = _text(call, "ImagingSettings", "Focus", "AutoFocusMode")
    brightness = _text(call, "ImagingSettings", "Brightness")
    lens = await _enter(call, "SetImagingSettings", mode)
    if mode is not None and mode not in ("AUTO", "MANUAL"):
        raise invalid_arg("ter:SettingsInvalid", f"AutoFocusMode {mode!r} is not AUTO or MANUAL")
    if brightness is not None:
        try:
            value = float(brightness)
        except ValueError:
            raise invalid_arg("ter:SettingsInvalid", "Brightness is not a number") from None
        if not (math.isfinite(value) and 0.0 <= value <= 100.0):
            raise invalid_arg("ter:SettingsInvalid", "Brightness is outside 0..100")
        lens.brightness = value
    if mode is not None:
        lens.set_auto(mode == "AUTO")
    return timg("SetImagingSettingsResponse")


async def get_options(call: Call) -> Element:
    await _enter(call, "GetOptions")
    focus = el(
        "tt:Focus",
        children=[
            el("tt:AutoFocusModes", "AUTO"),
            el("tt:AutoFocusModes", "MANUAL"),
            _range("tt:DefaultSpeed", 0.0, 1.0),
            _range("tt:NearLimit", *FOCUS_LIMITS),
            _range("tt:FarLimit", *FOCUS_LIMITS),
        ],
    )
    options = timg(
        "ImagingOptions",
        children=[
            _range("tt:Brightness", 0.0, 100.0),
            _range("tt:ColorSaturation", 0.0, 100.0),
            _range("tt:Contrast", 0.0, 100.0),
            focus,
            _range("tt:Sharpness", 0.0, 100.0),
        ],
    )
    return timg("GetOptionsResponse", children=[options])


async def get_move_options(call: Call) -> Element:
    lens = await _enter(call, "GetMoveOptions")
    continuous = None
    if "Move" not in lens.unsupported:
        continuous = el("tt:Continuous", children=[_range("tt:Speed", *CONTINUOUS_SPEED_RANGE)])
    return timg("GetMoveOptionsResponse", children=[timg("MoveOptions", children=[continuous])])


async def move(call: Call) -> Element:
    speed_text = _text(call, "Focus", "Continuous", "Speed")
    other = any(
        _text(call, "Focus", kind, "Position") or _text(call, "Focus", kind, "Distance")
        for kind in ("Absolute", "Relative")
    )
    speed: float | None = None
    if speed_text is not None:
        try:
            speed = float(speed_text)
        except ValueError:
            speed = math.nan
    lens = await _enter(call, "Move", speed)
    if speed is None:
        reason = "Only continuous focus moves are supported" if other else "Focus/Continuous/Speed missing"
        raise invalid_arg("ter:SettingsInvalid", reason)
    low, high = CONTINUOUS_SPEED_RANGE
    if not (math.isfinite(speed) and low <= speed <= high):
        raise invalid_arg("ter:SettingsInvalid", f"Speed is outside {low:g}..{high:g}")
    try:
        lens.continuous(speed)
    except PermissionError:
        raise SoapFaultError(
            "Sender", ("ter:InvalidArgVal", "ter:SettingsInvalid"), "Focus is in AUTO mode: set MANUAL first"
        ) from None
    return timg("MoveResponse")


async def stop(call: Call) -> Element:
    lens = await _enter(call, "Stop")
    lens.stop()
    return timg("StopResponse")


async def get_status(call: Call) -> Element:
    lens = await _enter(call, "GetStatus")
    focus = el(
        "tt:FocusStatus20",
        children=[
            el("tt:Position", format_float(round(lens.position(), 6))),
            el("tt:MoveStatus", "MOVING" if lens.is_moving() else "IDLE"),
        ],
    )
    return timg("GetStatusResponse", children=[timg("Status", children=[focus])])


OPERATIONS: dict[str, Operation] = {
    operation_key(name): Operation(handler)
    for name, handler in (
        ("GetImagingSettings", get_imaging_settings),
        ("SetImagingSettings", set_imaging_settings),
        ("GetOptions", get_options),
        ("GetMoveOptions", get_move_options),
        ("Move", move),
        ("Stop", stop),
        ("GetStatus", get_status),
    )
}
OPERATIONS[operation_key("GetServiceCapabilities")] = Operation(get_service_capabilities, Access.PRE_AUTH)

__all__ = [
    "IMAGING_NAMESPACE",
    "IMAGING_PATH",
    "OPERATIONS",
    "FocusCommand",
    "FocusState",
    "attach_focus",
    "focus_of",
    "get_service_capabilities",
    "imaging_capabilities",
]
