"""The joystick reader: one thread that owns SDL2's joystick subsystem and reports what it reads.

`JoystickReader` polls SDL (no window, no Qt, the same code on Windows and Linux), follows
hot-plug, opens every device with the profile `MappingSet.select` picks for it (through SDL's
joystick or game-controller API, as the profile says) and reports **events** to one listener:

- `JoystickAttached` (once SDL has read the device's state: what follows is a real movement) /
  `JoystickDetached` (``unplugged``: the device went away, rather than the reader closing): a
  detached stick that was moving a camera must become a Stop;
- `StickMoved`: the pan, tilt and zoom speeds of a device changed (already shaped by the profile:
  deadzone, curve, inversion, scale). The state is read after each poll, so a burst of SDL axis
  events becomes one `StickMoved` with the latest values;
- `ButtonPressed` / `ButtonReleased`: with the profile's action, or None for an unmapped control
  (a configuration screen can show which button is which).

Safety: a mapped axis that is off-centre when its device arrives (a throttle left at one end, a
stuck stick) is ignored until it has once come back inside its deadzone.

The listener is called on the reader thread: it must return quickly and never block (hand work
to a queue, a service that returns at once, or the GUI thread's bridge). A listener that raises is
logged and kept.

The process has one SDL joystick subsystem: run one reader per process. SDL is initialised with
its signal handlers off (SIGINT/SIGTERM stay vmwall's) and background events on (the console's
windows are Qt's, not SDL's).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vmwall.errors import UserFacingError
from vmwall.ptz.joystick_mapping import (
    Api,
    AxisMapping,
    DeviceIdentity,
    JoystickAction,
    JoystickProfile,
    MappingSet,
)

log = logging.getLogger(__name__)

AXIS_MAX = 32767.0
# Polling adapts to use: fast while a stick is deflected or was used in the last ACTIVE_HOLD_S,
# slower while the devices rest, slowest with no device (only hot-plug to watch).
POLL_INTERVAL_S = 0.004  # in use: 250 polls/s (USB HID reports come at 125–1000 Hz)
REST_INTERVAL_S = 0.016  # devices attached, untouched: the first movement waits ≤ 16 ms
IDLE_INTERVAL_S = 0.05
ACTIVE_HOLD_S = 2.0
START_TIMEOUT_S = 5.0
CLOSE_TIMEOUT_S = 5.0
_PEEK_BATCH = 64
_HAT_BITS = {"up": 0x01, "right": 0x02, "down": 0x04, "left": 0x08}


class JoystickUnavailableError(UserFacingError):
    """SDL2 cannot read joysticks on this machine (the message says why)."""


# --- events ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JoystickDevice:
    """An attached device and the profile it is read with. ``instance_id`` is SDL's, unique for
    the life of the process (a device unplugged and plugged back gets a new one)."""

    instance_id: int
    name: str
    guid: str
    vendor: int
    product: int
    gamecontroller: bool  # SDL knows it as a game controller
    api: Api  # how it is read (the profile's API)
    profile_id: str
    profile_label: str
    axes: int
    buttons: int
    hats: int


@dataclass(frozen=True, slots=True)
class JoystickAttached:
    device: JoystickDevice


@dataclass(frozen=True, slots=True)
class JoystickDetached:
    device: JoystickDevice
    unplugged: bool  # False: the reader is closing


@dataclass(frozen=True, slots=True)
class StickMoved:
    """Speeds in [-1, 1]: pan right +, tilt up +, zoom in +. ``at``: `time.monotonic()` of the poll
    that read them."""

    device_id: int
    pan: float
    tilt: float
    zoom: float
    at: float

    @property
    def centred(self) -> bool:
        return self.pan == 0.0 and self.tilt == 0.0 and self.zoom == 0.0


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    device_id: int
    control: str  # "button3", "hat0_up", "a", "leftshoulder"…
    action: JoystickAction | None


@dataclass(frozen=True, slots=True)
class ButtonReleased:
    device_id: int
    control: str
    action: JoystickAction | None


JoystickEvent = JoystickAttached | JoystickDetached | StickMoved | ButtonPressed | ButtonReleased
Listener = Callable[[JoystickEvent], None]


# --- one opened device ---------------------------------------------------------------------------------


@dataclass
class _AxisReader:
    role: str
    mapping: AxisMapping
    index: int  # SDL axis number (joystick) or SDL_GameControllerAxis (game controller)
    armed: bool = False  # seen inside its deadzone since the device arrived
    warned: bool = False


@dataclass
class _Open:
    device: JoystickDevice
    profile: JoystickProfile
    joystick: Any  # SDL_Joystick*
    controller: Any  # SDL_GameController* (game-controller API) or None
    axes: list[_AxisReader]
    speeds: tuple[float, float, float] = (0.0, 0.0, 0.0)
    hats: dict[int, int] = field(default_factory=dict)
    pumped: bool = False  # SDL has updated its state once since it was opened: readings are real
    announced: bool = False  # JoystickAttached sent (after the first real reading)


# --- the reader ----------------------------------------------------------------------------------------


class JoystickReader:
    """One thread polling SDL2; see the module docstring. ``start()``, idempotent ``close()``."""

    def __init__(
        self,
        mappings: MappingSet,
        listener: Listener,
        *,
        poll_interval_s: float = POLL_INTERVAL_S,
        rest_interval_s: float = REST_INTERVAL_S,
        idle_interval_s: float = IDLE_INTERVAL_S,
    ) -> None:
        if min(poll_interval_s, rest_interval_s, idle_interval_s) <= 0:
            raise ValueError("poll intervals must be > 0")
        self._mappings = mappings
        self._listener = listener
        self._poll_interval_s = poll_interval_s
        self._rest_interval_s = max(poll_interval_s, rest_interval_s)
        self._idle_interval_s = idle_interval_s
        self._busy_until = 0.0
        self._open: dict[int, _Open] = {}
        self._devices_lock = threading.Lock()
        self._devices: tuple[JoystickDevice, ...] = ()
        self._closing = threading.Event()
        self._ready = threading.Event()
        self._lifecycle = threading.Lock()
        self._thread: threading.Thread | None = None
        self._error: str | None = None
        self._listener_errors: set[str] = set()
        self._sdl: Any = None
        self._events: Any = None

    # --- public --------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the thread and wait until SDL is up; JoystickUnavailableError if it cannot be."""
        with self._lifecycle:
            if self._thread is not None:
                raise RuntimeError("a JoystickReader starts once")
            self._thread = threading.Thread(target=self._run, name="joystick-reader", daemon=True)
            self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            self.close()
            raise JoystickUnavailableError(f"SDL2 did not start within {START_TIMEOUT_S:g} s: no joystick")
        if self._error is not None:
            self.close()
            raise JoystickUnavailableError(f"no joystick: {self._error}")

    def close(self) -> None:
        """Detach every device (``unplugged=False``), quit SDL's joystick subsystem, end the thread."""
        self._closing.set()
        with self._lifecycle:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(CLOSE_TIMEOUT_S)
            if thread.is_alive():
                log.error("the joystick reader did not stop within %g s", CLOSE_TIMEOUT_S)

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive() and not self._closing.is_set()

    def devices(self) -> tuple[JoystickDevice, ...]:
        """The attached devices, in the order they arrived."""
        with self._devices_lock:
            return self._devices

    # --- the thread ----------------------------------------------------------------------------------

    def _interval(self) -> float:
        if not self._open:
            return self._idle_interval_s
        if time.monotonic() < self._busy_until:
            return self._poll_interval_s
        return self._rest_interval_s

    def _run(self) -> None:
        try:
            self._sdl = _init_sdl()
            self._events = (self._sdl.SDL_Event * _PEEK_BATCH)()
        except Exception as exc:  # ImportError (no SDL binary), SDL_Init failure
            self._error = str(exc) or type(exc).__name__
            log.warning("joystick: %s", self._error)
            self._ready.set()
            return
        self._ready.set()
        sdl = self._sdl
        try:
            for index in range(sdl.SDL_NumJoysticks()):
                self._attach(index)
            while not self._closing.is_set():
                self._poll()
                time.sleep(self._interval())  # cheaper than an Event wait; close() waits ≤ 50 ms
        except Exception:
            log.exception("the joystick reader failed; joysticks stop here")
        finally:
            for instance_id in list(self._open):
                self._detach(instance_id, unplugged=False)
            sdl.SDL_QuitSubSystem(sdl.SDL_INIT_GAMECONTROLLER | sdl.SDL_INIT_JOYSTICK)

    def _poll(self) -> None:
        sdl = self._sdl
        sdl.SDL_PumpEvents()
        for opened in self._open.values():
            opened.pumped = True
        while True:
            count = sdl.SDL_PeepEvents(
                self._events,
                _PEEK_BATCH,
                sdl.SDL_GETEVENT,
                sdl.SDL_JOYAXISMOTION,
                sdl.SDL_CONTROLLERDEVICEREMAPPED,
            )
            for event in self._events[: max(0, count)]:
                self._handle(event)
            if count < _PEEK_BATCH:
                break
        # Nothing else in vmwall reads SDL's queue: drop the rest so it never fills up.
        sdl.SDL_FlushEvents(sdl.SDL_FIRSTEVENT, sdl.SDL_JOYAXISMOTION - 1)
        sdl.SDL_FlushEvents(sdl.SDL_CONTROLLERDEVICEREMAPPED + 1, sdl.SDL_LASTEVENT)
        now = time.monotonic()
        for opened in list(self._open.values()):
            if not opened.pumped:  # opened since the pump: it still reads zeros
                continue
            self._read_axes(opened, now)
            if not opened.announced:
                # Announced once its first real reading has armed the centred axes (that reading
                # never moves anything), so whatever the listener sees next is a real movement.
                opened.announced = True
                self._publish_devices()
                self._emit(JoystickAttached(opened.device))

    def _handle(self, event: Any) -> None:
        sdl = self._sdl
        kind = event.type
        if kind == sdl.SDL_JOYDEVICEADDED:
            self._attach(event.jdevice.which)
        elif kind == sdl.SDL_JOYDEVICEREMOVED:
            self._detach(event.jdevice.which, unplugged=True)
        elif kind in (sdl.SDL_JOYBUTTONDOWN, sdl.SDL_JOYBUTTONUP):
            opened = self._open.get(event.jbutton.which)
            if opened is not None and opened.device.api is Api.JOYSTICK:
                self._button(opened, f"button{event.jbutton.button}", kind == sdl.SDL_JOYBUTTONDOWN)
        elif kind == sdl.SDL_JOYHATMOTION:
            opened = self._open.get(event.jhat.which)
            if opened is not None and opened.device.api is Api.JOYSTICK:
                self._hat(opened, event.jhat.hat, event.jhat.value)
        elif kind in (sdl.SDL_CONTROLLERBUTTONDOWN, sdl.SDL_CONTROLLERBUTTONUP):
            opened = self._open.get(event.cbutton.which)
            if opened is not None and opened.device.api is Api.GAMECONTROLLER:
                name = sdl.SDL_GameControllerGetStringForButton(event.cbutton.button)
                if name:
                    self._button(opened, name.decode(), kind == sdl.SDL_CONTROLLERBUTTONDOWN)

    # --- hot-plug ------------------------------------------------------------------------------------

    def _attach(self, index: int) -> None:
        sdl = self._sdl
        instance_id = sdl.SDL_JoystickGetDeviceInstanceID(index)
        if instance_id < 0 or instance_id in self._open:
            return  # gone already, or announced twice (present at start-up)
        identity = device_identity(sdl, index)
        profile = self._mappings.select(identity)
        if profile is None:
            log.warning(
                "joystick %r (GUID %s): no mapping profile matches; ignored", identity.name, identity.guid
            )
            return
        controller = None
        if profile.api is Api.GAMECONTROLLER:
            controller = sdl.SDL_GameControllerOpen(index)
            joystick = sdl.SDL_GameControllerGetJoystick(controller) if controller else None
        else:
            joystick = sdl.SDL_JoystickOpen(index)
        if not joystick:
            log.warning("joystick %r cannot be opened: %s", identity.name, _sdl_error(sdl))
            return
        instance_id = sdl.SDL_JoystickInstanceID(joystick)
        device = JoystickDevice(
            instance_id=instance_id,
            name=identity.name,
            guid=identity.guid,
            vendor=identity.vendor,
            product=identity.product,
            gamecontroller=identity.gamecontroller,
            api=profile.api,
            profile_id=profile.id,
            profile_label=profile.label,
            axes=sdl.SDL_JoystickNumAxes(joystick),
            buttons=sdl.SDL_JoystickNumButtons(joystick),
            hats=sdl.SDL_JoystickNumHats(joystick),
        )
        opened = _Open(device, profile, joystick, controller, self._axis_readers(device, profile, controller))
        self._open[instance_id] = opened
        log.info(
            "joystick attached: %r (GUID %s, USB %04x:%04x, %d axes, %d buttons, %d hats) read with "
            "profile %r (%s)",
            device.name, device.guid, device.vendor, device.product, device.axes, device.buttons,
            device.hats, profile.id, profile.source,
        )  # fmt: skip

    def _axis_readers(
        self, device: JoystickDevice, profile: JoystickProfile, controller: Any
    ) -> list[_AxisReader]:
        sdl = self._sdl
        readers = []
        for role, mapping in profile.axes():
            if isinstance(mapping.source, str):
                index = sdl.SDL_GameControllerGetAxisFromString(mapping.source.encode())
                present = index >= 0 and bool(sdl.SDL_GameControllerHasAxis(controller, index))
            else:
                index = mapping.source
                present = index < device.axes
            if present:
                readers.append(_AxisReader(role, mapping, index))
            else:
                log.warning(
                    "joystick %r: profile %r reads %s from axis %s, which the device lacks: no %s",
                    device.name, profile.id, role, mapping.source, role,
                )  # fmt: skip
        return readers

    def _detach(self, instance_id: int, *, unplugged: bool) -> None:
        opened = self._open.pop(instance_id, None)
        if opened is None:
            return
        sdl = self._sdl
        if opened.controller:
            sdl.SDL_GameControllerClose(opened.controller)
        else:
            sdl.SDL_JoystickClose(opened.joystick)
        log.info("joystick %s: %r", "unplugged" if unplugged else "closed", opened.device.name)
        if opened.announced:
            self._publish_devices()
            self._emit(JoystickDetached(opened.device, unplugged))

    def _publish_devices(self) -> None:
        with self._devices_lock:
            self._devices = tuple(o.device for o in self._open.values() if o.announced)

    # --- reading -------------------------------------------------------------------------------------

    def _read_axes(self, opened: _Open, now: float) -> None:
        sdl = self._sdl
        speeds = {"pan": 0.0, "tilt": 0.0, "zoom": 0.0}
        for axis in opened.axes:
            if opened.controller:
                raw = sdl.SDL_GameControllerGetAxis(opened.controller, axis.index)
            else:
                raw = sdl.SDL_JoystickGetAxis(opened.joystick, axis.index)
            speed = axis.mapping.speed(max(-1.0, raw / AXIS_MAX))
            if not axis.armed:
                if speed != 0.0:
                    if not axis.warned:
                        axis.warned = True
                        log.warning(
                            "joystick %r: the %s axis is off-centre; ignored until it comes back to the "
                            "centre", opened.device.name, axis.role,
                        )  # fmt: skip
                    continue
                axis.armed = True
            speeds[axis.role] = speed
        values = (speeds["pan"], speeds["tilt"], speeds["zoom"])
        if values != (0.0, 0.0, 0.0):
            self._busy_until = now + ACTIVE_HOLD_S
        if values != opened.speeds:
            opened.speeds = values
            self._emit(StickMoved(opened.device.instance_id, *values, at=now))

    def _button(self, opened: _Open, control: str, pressed: bool) -> None:
        if not opened.announced:
            return  # held at plug-in: not an operator's press
        action = opened.profile.buttons.get(control)
        self._busy_until = time.monotonic() + ACTIVE_HOLD_S
        device_id = opened.device.instance_id
        self._emit(
            ButtonPressed(device_id, control, action)
            if pressed
            else ButtonReleased(device_id, control, action)
        )

    def _hat(self, opened: _Open, hat: int, value: int) -> None:
        before = opened.hats.get(hat, 0)
        opened.hats[hat] = value
        for direction, bit in _HAT_BITS.items():
            if (before ^ value) & bit:
                self._button(opened, f"hat{hat}_{direction}", bool(value & bit))

    def _emit(self, event: JoystickEvent) -> None:
        try:
            self._listener(event)
        except Exception as exc:
            key = f"{type(exc).__name__} on {type(event).__name__}"  # bounded: types only
            if key not in self._listener_errors:
                self._listener_errors.add(key)
                log.exception(
                    "the joystick listener failed on %s (repeats are not logged)", type(event).__name__
                )


# --- SDL -------------------------------------------------------------------------------------------------


def _init_sdl() -> Any:
    """Import pysdl2 and start its joystick and game-controller subsystems (in the calling thread)."""
    with _quiet_sdl_import():
        import sdl2
    sdl2.SDL_SetHint(sdl2.SDL_HINT_NO_SIGNAL_HANDLERS, b"1")
    sdl2.SDL_SetHint(sdl2.SDL_HINT_JOYSTICK_ALLOW_BACKGROUND_EVENTS, b"1")
    sdl2.SDL_SetHint(b"SDL_JOYSTICK_THREAD", b"1")  # Windows: device messages without a window
    if sdl2.SDL_InitSubSystem(sdl2.SDL_INIT_JOYSTICK | sdl2.SDL_INIT_GAMECONTROLLER) != 0:
        raise RuntimeError(f"SDL_Init: {_sdl_error(sdl2)}")
    return sdl2


@contextlib.contextmanager
def _quiet_sdl_import() -> Any:
    """pysdl2 warns on import which binary it uses; that is for the log, not stderr."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


def _sdl_error(sdl: Any) -> str:
    return (sdl.SDL_GetError() or b"unknown SDL error").decode(errors="replace")


def device_identity(sdl: Any, index: int) -> DeviceIdentity:
    """GUID, name, USB ids of device ``index``, from the imported ``sdl2`` module (not opened)."""
    guid_text = ctypes.create_string_buffer(33)
    sdl.SDL_JoystickGetGUIDString(sdl.SDL_JoystickGetDeviceGUID(index), guid_text, 33)
    return DeviceIdentity(
        name=(sdl.SDL_JoystickNameForIndex(index) or b"").decode(errors="replace"),
        guid=guid_text.value.decode("ascii", errors="replace"),
        vendor=sdl.SDL_JoystickGetDeviceVendor(index),
        product=sdl.SDL_JoystickGetDeviceProduct(index),
        gamecontroller=bool(sdl.SDL_IsGameController(index)),
    )


# --- a virtual device, for tests, benchmarks and demonstrations without hardware ----------------------


class VirtualJoystick:
    """An SDL virtual joystick (``SDL_JoystickAttachVirtualEx``) in this process.

    Attach it before a reader starts or after its ``start()`` returned, not during (SDL's
    subsystem start is not thread-safe).

    A `JoystickReader` in the same process sees it attach, move and detach like a USB device.
    ``gamecontroller=True`` makes SDL present it as a game pad (axes and buttons in SDL's
    game-controller order). Values are set from any thread; the reader sees them at its next poll.
    """

    def __init__(
        self,
        name: str = "vmwall virtual joystick",
        *,
        axes: int = 3,
        buttons: int = 16,
        hats: int = 1,
        gamecontroller: bool = False,
        vendor: int = 0,
        product: int = 0,
    ) -> None:
        self.name = name
        self._spec = (axes, buttons, hats, gamecontroller, vendor, product)
        self._sdl: Any = None
        self._events: Any = None
        self._handle: Any = None
        self._name_buffer = ctypes.create_string_buffer(name.encode())
        self.instance_id = -1

    def attach(self) -> VirtualJoystick:
        """Plug it in. Returns self."""
        if self._handle is not None:
            raise RuntimeError(f"{self.name!r} is attached already")
        with _quiet_sdl_import():
            import sdl2
        if sdl2.SDL_InitSubSystem(sdl2.SDL_INIT_JOYSTICK) != 0:
            raise JoystickUnavailableError(f"SDL_Init: {_sdl_error(sdl2)}")
        axes, buttons, hats, gamecontroller, vendor, product = self._spec
        desc = sdl2.SDL_VirtualJoystickDesc()
        desc.version = sdl2.SDL_VIRTUAL_JOYSTICK_DESC_VERSION
        kind = sdl2.SDL_JOYSTICK_TYPE_GAMECONTROLLER if gamecontroller else sdl2.SDL_JOYSTICK_TYPE_UNKNOWN
        desc.type = kind
        desc.naxes, desc.nbuttons, desc.nhats = axes, buttons, hats
        desc.vendor_id, desc.product_id = vendor, product
        desc.name = ctypes.cast(self._name_buffer, ctypes.c_char_p)
        index = sdl2.SDL_JoystickAttachVirtualEx(ctypes.byref(desc))
        if index < 0:
            error = _sdl_error(sdl2)
            sdl2.SDL_QuitSubSystem(sdl2.SDL_INIT_JOYSTICK)
            raise JoystickUnavailableError(f"SDL_JoystickAttachVirtualEx: {error}")
        handle = sdl2.SDL_JoystickOpen(index)
        if not handle:
            error = _sdl_error(sdl2)
            sdl2.SDL_JoystickDetachVirtual(index)
            sdl2.SDL_QuitSubSystem(sdl2.SDL_INIT_JOYSTICK)
            raise JoystickUnavailableError(f"SDL_JoystickOpen: {error}")
        self._sdl, self._handle = sdl2, handle
        self.instance_id = sdl2.SDL_JoystickInstanceID(handle)
        return self

    def set_axis(self, axis: int, value: float) -> None:
        """``value`` in [-1, 1] (clamped)."""
        raw = round(max(-1.0, min(1.0, value)) * AXIS_MAX)
        self._check(self._sdl.SDL_JoystickSetVirtualAxis(self._opened(), axis, raw), "axis")

    def set_button(self, button: int, pressed: bool) -> None:
        self._check(self._sdl.SDL_JoystickSetVirtualButton(self._opened(), button, int(pressed)), "button")

    def set_hat(self, hat: int, *directions: str) -> None:
        """``set_hat(0, "up")``, ``set_hat(0, "up", "left")``; no direction: centred."""
        value = 0
        for direction in directions:
            value |= _HAT_BITS[direction]
        self._check(self._sdl.SDL_JoystickSetVirtualHat(self._opened(), hat, value), "hat")

    def detach(self) -> None:
        """Unplug it (idempotent)."""
        if self._handle is None:
            return
        sdl, handle = self._sdl, self._handle
        self._handle = None
        sdl.SDL_JoystickClose(handle)
        for index in range(sdl.SDL_NumJoysticks()):
            if sdl.SDL_JoystickGetDeviceInstanceID(index) == self.instance_id:
                sdl.SDL_JoystickDetachVirtual(index)
                break
        sdl.SDL_QuitSubSystem(sdl.SDL_INIT_JOYSTICK)

    def __enter__(self) -> VirtualJoystick:
        return self.attach() if self._handle is None else self

    def __exit__(self, *exc: object) -> None:
        self.detach()

    def _opened(self) -> Any:
        if self._handle is None:
            raise RuntimeError(f"{self.name!r} is not attached")
        return self._handle

    def _check(self, result: int, what: str) -> None:
        if result != 0:
            raise ValueError(f"{self.name!r}: cannot set the {what}: {_sdl_error(self._sdl)}")
