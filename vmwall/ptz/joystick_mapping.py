"""Joystick mapping files: which axis pans, tilts and zooms, how it feels, and what each button does.

A mapping file is strict, versioned JSON (unknown keys are refused, every error names the file and
the key). It holds **profiles**; each profile says which devices it is for (``match``), which SDL
API reads them (``api``: ``joystick`` for any HID device, ``gamecontroller`` for devices SDL knows
as game pads), the axes and the buttons::

    {
      "version": 1,
      "profiles": [
        {
          "id": "cctv-keyboard",
          "label": "Clavier CCTV à joystick 3 axes",
          "api": "joystick",
          "match": {"names": ["CCTV", "PTZ keyboard"], "usb_ids": ["0b33:0020"], "guids": []},
          "axes": {
            "pan":  {"axis": 0, "deadzone": 0.08, "curve": "quadratic"},
            "tilt": {"axis": 1, "invert": true},
            "zoom": {"axis": 2, "deadzone": 0.2, "curve": 1.5, "scale": 0.8}
          },
          "buttons": {"button0": "preset_1", "hat0_up": "zoom_in", "button9": "stop"}
        }
      ]
    }

Axes give speeds in [-1, 1] with pan right +, tilt up +, zoom in (tele) +. SDL's own axes go
down and right, so a stick pushed forward reads negative: tilt is usually ``"invert": true``.
Per axis: ``deadzone`` (fraction of the travel ignored around the centre, default 0.1),
``curve`` (``linear``, ``quadratic``, ``cubic`` or an exponent from 1 to 5; default quadratic:
fine control near the centre, full speed at the end), ``invert``, ``scale`` (top speed, 0–1).

Controls are named ``button0``, ``button1``… and ``hat0_up`` / ``hat0_down`` / ``hat0_left`` /
``hat0_right`` with the joystick API (SDL numbers from 0), and by SDL's names (``a``, ``b``,
``leftshoulder``, ``dpup``…) with the game-controller API, whose axes are ``leftx``, ``lefty``,
``rightx``, ``righty``, ``lefttrigger``, ``righttrigger``.

Choosing a profile for a device: a profile naming the device's GUID beats one naming its USB
vendor:product, which beats a name match (case-insensitive substring), which beats a
``"fallback": true`` profile (a game-controller fallback is preferred for game pads). On a tie the
user's file wins over the built-in files, then the earlier profile. A user profile with the ``id``
of a built-in one replaces it. The built-in profiles are package data
(``vmwall/resources/joysticks/*.json``); the user's file is ``joysticks.json`` in the user config
directory (``$VMWALL_CONFIG_DIR`` overrides it).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from vmwall.config._strict import ConfigFileError, Reader, check_version
from vmwall.config.settings import config_dir

MAPPING_VERSION = 1
USER_MAPPING_FILENAME = "joysticks.json"
BUILTIN_PACKAGE = "vmwall.resources"
BUILTIN_FOLDER = "joysticks"

DEFAULT_DEADZONE = 0.1
DEFAULT_CURVE = 2.0
MAX_DEADZONE = 0.9
MIN_EXPONENT, MAX_EXPONENT = 1.0, 5.0
MAX_JOYSTICK_AXIS = 63
MAX_JOYSTICK_BUTTON = 127
MAX_JOYSTICK_HAT = 7
OUTPUT_DECIMALS = 3  # speeds are rounded to 0.001, so sensor noise below that is not an event

CURVES: Mapping[str, float] = MappingProxyType({"linear": 1.0, "quadratic": 2.0, "cubic": 3.0})
GAMECONTROLLER_AXES = ("leftx", "lefty", "rightx", "righty", "lefttrigger", "righttrigger")
GAMECONTROLLER_BUTTONS = (
    "a", "b", "x", "y", "back", "guide", "start", "leftstick", "rightstick", "leftshoulder",
    "rightshoulder", "dpup", "dpdown", "dpleft", "dpright", "misc1", "paddle1", "paddle2", "paddle3",
    "paddle4", "touchpad",
)  # fmt: skip
HAT_DIRECTIONS = ("up", "down", "left", "right")
_BUTTON = re.compile(r"^button(0|[1-9][0-9]*)$")
_HAT = re.compile(r"^hat([0-9])_(up|down|left|right)$")
_GUID = re.compile(r"^[0-9a-f]{32}$")
_USB_ID = re.compile(r"^([0-9a-f]{4}):([0-9a-f]{4})$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class Api(StrEnum):
    """How SDL reads the device: raw joystick (any HID device) or game controller (known pads)."""

    JOYSTICK = "joystick"
    GAMECONTROLLER = "gamecontroller"


class JoystickAction(StrEnum):
    """What a button does. Zoom and focus act while the button is held; the others on press."""

    PRESET_1 = "preset_1"
    PRESET_2 = "preset_2"
    PRESET_3 = "preset_3"
    PRESET_4 = "preset_4"
    PRESET_5 = "preset_5"
    PRESET_6 = "preset_6"
    PRESET_7 = "preset_7"
    PRESET_8 = "preset_8"
    PRESET_9 = "preset_9"
    ZOOM_IN = "zoom_in"
    ZOOM_OUT = "zoom_out"
    FOCUS_NEAR = "focus_near"
    FOCUS_FAR = "focus_far"
    HOME = "home"
    NEXT_CAMERA = "next_camera"
    PREVIOUS_CAMERA = "previous_camera"
    TAKE_CONTROL = "take_control"
    RELEASE_CONTROL = "release_control"
    STOP = "stop"

    @property
    def preset(self) -> int | None:
        """1–9 for a preset action, None otherwise."""
        return int(self.value[-1]) if self.value.startswith("preset_") else None

    @property
    def held(self) -> bool:
        """The action lasts while the button is held (a release ends it)."""
        return self in _HELD_ACTIONS


_HELD_ACTIONS = frozenset(
    {JoystickAction.ZOOM_IN, JoystickAction.ZOOM_OUT, JoystickAction.FOCUS_NEAR, JoystickAction.FOCUS_FAR}
)
AXIS_ROLES = ("pan", "tilt", "zoom")


@dataclass(frozen=True, slots=True)
class AxisMapping:
    """One physical axis read as one PTZ speed. ``source``: an axis number (joystick API) or an
    SDL axis name (game-controller API)."""

    source: int | str
    invert: bool = False
    deadzone: float = DEFAULT_DEADZONE
    exponent: float = DEFAULT_CURVE
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.deadzone <= MAX_DEADZONE:
            raise ValueError(f"deadzone {self.deadzone} is outside 0..{MAX_DEADZONE}")
        if not MIN_EXPONENT <= self.exponent <= MAX_EXPONENT:
            raise ValueError(f"curve exponent {self.exponent} is outside {MIN_EXPONENT:g}..{MAX_EXPONENT:g}")
        if not 0.0 < self.scale <= 1.0:
            raise ValueError(f"scale {self.scale} is outside 0..1")

    def speed(self, raw: float) -> float:
        """The speed for a normalised axis reading ``raw`` in [-1, 1] (out-of-range is clamped).

        Inside the deadzone: 0. Beyond it the remaining travel is rescaled to 0..1, raised to the
        curve's exponent and multiplied by ``scale``, so speed grows continuously from 0 at the
        deadzone's edge to ``scale`` at the end of travel.
        """
        if not math.isfinite(raw):
            return 0.0
        value = -raw if self.invert else raw
        magnitude = min(1.0, abs(value))
        if magnitude <= self.deadzone:
            return 0.0
        travel = (magnitude - self.deadzone) / (1.0 - self.deadzone)
        speed = round(self.scale * travel**self.exponent, OUTPUT_DECIMALS)
        return math.copysign(min(1.0, speed), value) if speed else 0.0


@dataclass(frozen=True, slots=True)
class DeviceMatch:
    """Which devices a profile is for. Strings are stored lower case."""

    guids: tuple[str, ...] = ()
    usb_ids: tuple[tuple[int, int], ...] = ()
    names: tuple[str, ...] = ()
    fallback: bool = False


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """What SDL tells about a device before it is opened."""

    name: str
    guid: str  # SDL's 32 hex digits
    vendor: int = 0
    product: int = 0
    gamecontroller: bool = False


@dataclass(frozen=True, slots=True)
class JoystickProfile:
    id: str
    label: str
    api: Api
    match: DeviceMatch
    pan: AxisMapping | None = None
    tilt: AxisMapping | None = None
    zoom: AxisMapping | None = None
    buttons: Mapping[str, JoystickAction] = field(default_factory=dict)
    source: str = ""  # the file it came from, for messages

    def axes(self) -> tuple[tuple[str, AxisMapping], ...]:
        """(role, mapping) of the mapped axes, in pan, tilt, zoom order."""
        roles = (("pan", self.pan), ("tilt", self.tilt), ("zoom", self.zoom))
        return tuple((role, axis) for role, axis in roles if axis is not None)

    def score(self, device: DeviceIdentity) -> float:
        """How well this profile names ``device``: 0 (not for it) up to 4 (its GUID)."""
        if self.api is Api.GAMECONTROLLER and not device.gamecontroller:
            return 0.0  # SDL cannot open it as a game controller
        guid, name = device.guid.lower(), device.name.lower()
        if guid in self.match.guids:
            return 4.0
        if (device.vendor, device.product) in self.match.usb_ids:
            return 3.0
        if any(pattern in name for pattern in self.match.names):
            return 2.0
        if self.match.fallback:
            return 1.5 if self.api is Api.GAMECONTROLLER else 1.0
        return 0.0


@dataclass(frozen=True)
class MappingSet:
    """Profiles in order of precedence (the user's first, then the built-in ones)."""

    profiles: tuple[JoystickProfile, ...]

    def select(self, device: DeviceIdentity) -> JoystickProfile | None:
        """The profile for ``device`` (see the module docstring), None if nothing matches."""
        best: JoystickProfile | None = None
        best_score = 0.0
        for profile in self.profiles:
            score = profile.score(device)
            if score > best_score:
                best, best_score = profile, score
        return best

    def by_id(self, profile_id: str) -> JoystickProfile:
        for profile in self.profiles:
            if profile.id == profile_id:
                return profile
        raise KeyError(profile_id)


# --- parsing -----------------------------------------------------------------------------------------


def parse_mapping(source: str, data: object) -> tuple[JoystickProfile, ...]:
    """The profiles of one decoded mapping file; ConfigFileError naming ``source`` and the key."""
    reader = Reader(source, data)
    reader.only("version", "profiles", "comment")
    check_version(reader, MAPPING_VERSION, "joystick mapping")
    reader.string("comment", required=False)
    items = reader.array("profiles")
    assert items is not None
    profiles: list[JoystickProfile] = []
    for index, item in enumerate(items):
        profile = _profile(reader.item("profiles", index, item))
        if any(p.id == profile.id for p in profiles):
            raise reader.error(f"profile id {profile.id!r} is used twice", f"profiles[{index}].id")
        profiles.append(profile)
    return tuple(profiles)


def _profile(reader: Reader) -> JoystickProfile:
    reader.only("id", "label", "api", "match", "axes", "buttons", "comment")
    reader.string("comment", required=False)
    profile_id = reader.text("id")
    if not _ID.match(profile_id):
        raise reader.error(
            "expected lower-case letters, digits, '-', '_' or '.' (at most 64, starting with a letter "
            "or digit)",
            "id",
        )
    label = reader.string("label", required=False, default=profile_id) or profile_id
    api_text = reader.string("api", required=False, default=Api.JOYSTICK.value)
    if api_text not in {a.value for a in Api}:
        raise reader.error(f"expected 'joystick' or 'gamecontroller', found {api_text!r}", "api")
    api = Api(api_text)
    match = _match(_child(reader, "match"))
    axes_reader = _child(reader, "axes")
    axes_reader.only(*AXIS_ROLES)
    axes = {
        role: _axis(child, api) if (child := axes_reader.child(role, required=False)) else None
        for role in AXIS_ROLES
    }
    buttons_reader = reader.child("buttons", required=False)
    buttons = _buttons(buttons_reader, api) if buttons_reader else {}
    return JoystickProfile(
        id=profile_id,
        label=label,
        api=api,
        match=match,
        pan=axes["pan"],
        tilt=axes["tilt"],
        zoom=axes["zoom"],
        buttons=MappingProxyType(buttons),
        source=reader.source,
    )


def _child(reader: Reader, key: str) -> Reader:
    child = reader.child(key)
    assert child is not None
    return child


def _strings(reader: Reader, key: str) -> list[str]:
    items = reader.array(key, required=False) or []
    values = []
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise reader.error("expected a non-empty string", f"{key}[{index}]")
        values.append(item.strip().lower())
    return values


def _match(reader: Reader) -> DeviceMatch:
    reader.only("guids", "usb_ids", "names", "fallback")
    guids = _strings(reader, "guids")
    for index, guid in enumerate(guids):
        if not _GUID.match(guid):
            raise reader.error(f"{guid!r} is not an SDL GUID (32 hexadecimal digits)", f"guids[{index}]")
    usb_ids = []
    for index, text in enumerate(_strings(reader, "usb_ids")):
        found = _USB_ID.match(text)
        if not found:
            raise reader.error(
                f"{text!r} is not a USB id (vendor:product, 4 hexadecimal digits each)", f"usb_ids[{index}]"
            )
        usb_ids.append((int(found.group(1), 16), int(found.group(2), 16)))
    names = _strings(reader, "names")
    fallback = reader.boolean("fallback", default=False)
    if not (guids or usb_ids or names or fallback):
        raise reader.error('names no device: give guids, usb_ids, names or "fallback": true')
    return DeviceMatch(tuple(guids), tuple(usb_ids), tuple(names), fallback)


def _axis(reader: Reader, api: Api) -> AxisMapping:
    reader.only("axis", "invert", "deadzone", "curve", "scale")
    source: int | str
    if api is Api.JOYSTICK:
        number = reader.integer("axis", minimum=0, maximum=MAX_JOYSTICK_AXIS)
        assert number is not None
        source = number
    else:
        name = reader.text("axis")
        if name not in GAMECONTROLLER_AXES:
            raise reader.error(
                f"unknown game-controller axis {name!r} (known: {', '.join(GAMECONTROLLER_AXES)})", "axis"
            )
        source = name
    return AxisMapping(
        source=source,
        invert=reader.boolean("invert", default=False),
        deadzone=_number(reader, "deadzone", DEFAULT_DEADZONE, 0.0, MAX_DEADZONE),
        exponent=_curve(reader),
        scale=_number(reader, "scale", 1.0, 0.0, 1.0, open_low=True),
    )


def _number(
    reader: Reader, key: str, default: float, low: float, high: float, *, open_low: bool = False
) -> float:
    if not reader.has(key):
        return default
    value = reader.data[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise reader.error("expected a number", key)
    if value > high or value < low or (open_low and value == low):
        bound = f"above {low:g}" if open_low else f"at least {low:g}"
        raise reader.error(f"{value:g} is out of range (must be {bound} and at most {high:g})", key)
    return float(value)


def _curve(reader: Reader) -> float:
    if not reader.has("curve"):
        return DEFAULT_CURVE
    value = reader.data["curve"]
    if isinstance(value, str):
        if value not in CURVES:
            raise reader.error(
                f"unknown curve {value!r} (linear, quadratic, cubic, or an exponent from "
                f"{MIN_EXPONENT:g} to {MAX_EXPONENT:g})",
                "curve",
            )
        return CURVES[value]
    return _number(reader, "curve", DEFAULT_CURVE, MIN_EXPONENT, MAX_EXPONENT)


def _buttons(reader: Reader, api: Api) -> dict[str, JoystickAction]:
    actions = {a.value for a in JoystickAction}
    buttons: dict[str, JoystickAction] = {}
    for control, action in reader.data.items():
        _check_control(reader, control, api)
        if not isinstance(action, str) or action not in actions:
            raise reader.error(
                f"unknown action {action!r} (known: {', '.join(a.value for a in JoystickAction)})",
                control,
            )
        buttons[control] = JoystickAction(action)
    return buttons


def _check_control(reader: Reader, control: str, api: Api) -> None:
    if api is Api.GAMECONTROLLER:
        if control not in GAMECONTROLLER_BUTTONS:
            raise reader.error(
                f"unknown game-controller button (known: {', '.join(GAMECONTROLLER_BUTTONS)})", control
            )
        return
    button = _BUTTON.match(control)
    if button and int(button.group(1)) <= MAX_JOYSTICK_BUTTON:
        return
    if _HAT.match(control) and int(control[3]) <= MAX_JOYSTICK_HAT:
        return
    raise reader.error(
        f"unknown control (expected button0…button{MAX_JOYSTICK_BUTTON} or "
        f"hatN_up/down/left/right with N from 0 to {MAX_JOYSTICK_HAT})",
        control,
    )


def parse_control(control: str) -> tuple[str, int, str]:
    """A joystick-API control name as ``("button", n, "")`` or ``("hat", n, direction)``."""
    if button := _BUTTON.match(control):
        return ("button", int(button.group(1)), "")
    if hat := _HAT.match(control):
        return ("hat", int(hat.group(1)), hat.group(2))
    raise ValueError(f"not a joystick control: {control!r}")


# --- loading -----------------------------------------------------------------------------------------


def decode_strict_json(source: str, text: str) -> object:
    """JSON with duplicate keys refused (``json`` would silently keep the last one)."""

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        result: dict[str, object] = {}
        for key, value in items:
            if key in result:
                raise ConfigFileError(source, f"key {key!r} appears twice in the same object")
            result[key] = value
        return result

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        raise ConfigFileError(
            source, f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None


def load_mapping_file(path: Path) -> tuple[JoystickProfile, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigFileError(str(path), "not UTF-8 text") from None
    except OSError as error:
        raise ConfigFileError(str(path), f"cannot be read: {error.strerror or error}") from None
    return parse_mapping(str(path), decode_strict_json(str(path), text))


def builtin_profiles() -> tuple[JoystickProfile, ...]:
    """The profiles shipped with vmwall, file by file in name order."""
    folder = resources.files(BUILTIN_PACKAGE).joinpath(BUILTIN_FOLDER)
    profiles: list[JoystickProfile] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            source = f"vmwall/resources/{BUILTIN_FOLDER}/{entry.name}"
            profiles.extend(parse_mapping(source, decode_strict_json(source, entry.read_text("utf-8"))))
    return tuple(profiles)


def user_mapping_path() -> Path:
    return config_dir() / USER_MAPPING_FILENAME


def combine(user: Sequence[JoystickProfile], builtin: Iterable[JoystickProfile]) -> MappingSet:
    """The user's profiles first; a built-in profile with the id of a user one is dropped."""
    replaced = {p.id for p in user}
    return MappingSet(tuple(user) + tuple(p for p in builtin if p.id not in replaced))


def load_mappings(user_path: Path | None = None) -> MappingSet:
    """Built-in profiles plus the user's file (``user_mapping_path()`` by default) if it exists.

    A bad user file raises ConfigFileError; `load_mappings_or_builtin` falls back instead.
    """
    path = user_mapping_path() if user_path is None else user_path
    user = load_mapping_file(path) if path.exists() else ()
    return combine(user, builtin_profiles())


def load_mappings_or_builtin(user_path: Path | None = None) -> tuple[MappingSet, ConfigFileError | None]:
    """Like `load_mappings`, but a bad user file is set aside: built-in profiles and the error."""
    try:
        return load_mappings(user_path), None
    except ConfigFileError as error:
        return combine((), builtin_profiles()), error
