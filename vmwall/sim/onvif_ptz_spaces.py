"""ONVIF generic PTZ spaces of the simulated cameras: their descriptions, and vectors expressed in them.

Pan and tilt positions, translations and velocities live in [-1, 1], zoom positions and all speeds
in [0, 1]; a vector naming another space is refused with ter:SpaceNotSupported.
"""

from __future__ import annotations

import math

from vmwall.sim.onvif_context import PROFILES, PTZ_CONFIG_TOKEN, PTZ_NODE_TOKEN
from vmwall.sim.ptz_state import PtzPosition
from vmwall.sim.soap import Element, el, find, format_duration, format_float, invalid_arg

_PT = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/"
_Z = "http://www.onvif.org/ver10/tptz/ZoomSpaces/"
PT_POSITION_SPACE = _PT + "PositionGenericSpace"
Z_POSITION_SPACE = _Z + "PositionGenericSpace"
PT_TRANSLATION_SPACE = _PT + "TranslationGenericSpace"
PT_FOV_TRANSLATION_SPACE = _PT + "TranslationSpaceFov"  # x, y: fractions of the half field of view
Z_TRANSLATION_SPACE = _Z + "TranslationGenericSpace"
PT_VELOCITY_SPACE = _PT + "VelocityGenericSpace"
Z_VELOCITY_SPACE = _Z + "VelocityGenericSpace"
PT_SPEED_SPACE = _PT + "GenericSpeedSpace"
Z_SPEED_SPACE = _Z + "ZoomGenericSpeedSpace"

DEFAULT_TIMEOUT_S = 10.0  # DefaultPTZTimeout: a ContinuousMove without Timeout stops after this
MIN_TIMEOUT_S = 0.1
MAX_TIMEOUT_S = 300.0
MAX_PRESETS = 64

Range = tuple[float, float]


# --- descriptions -----------------------------------------------------------------------------------


def _range(tag: str, low: float, high: float) -> Element:
    return el(tag, children=[el("tt:Min", format_float(low)), el("tt:Max", format_float(high))])


def _space_2d(tag: str, uri: str, x: Range, y: Range) -> Element:
    return el(tag, children=[el("tt:URI", uri), _range("tt:XRange", *x), _range("tt:YRange", *y)])


def _space_1d(tag: str, uri: str, x: Range) -> Element:
    return el(tag, children=[el("tt:URI", uri), _range("tt:XRange", *x)])


def ptz_spaces(tag: str, unsupported: frozenset[str] = frozenset(), fov: bool = False) -> Element:
    """The spaces of the modes the head offers (``unsupported`` names ONVIF operations it refuses)."""
    full, half = (-1.0, 1.0), (0.0, 1.0)
    children: list[Element] = []
    if "AbsoluteMove" not in unsupported:
        children += [
            _space_2d("tt:AbsolutePanTiltPositionSpace", PT_POSITION_SPACE, full, full),
            _space_1d("tt:AbsoluteZoomPositionSpace", Z_POSITION_SPACE, half),
        ]
    if "RelativeMove" not in unsupported:
        relative = "tt:RelativePanTiltTranslationSpace"
        children.append(_space_2d(relative, PT_TRANSLATION_SPACE, full, full))
        if fov:
            children.append(_space_2d(relative, PT_FOV_TRANSLATION_SPACE, full, full))
        children.append(_space_1d("tt:RelativeZoomTranslationSpace", Z_TRANSLATION_SPACE, full))
    if "ContinuousMove" not in unsupported:
        children += [
            _space_2d("tt:ContinuousPanTiltVelocitySpace", PT_VELOCITY_SPACE, full, full),
            _space_1d("tt:ContinuousZoomVelocitySpace", Z_VELOCITY_SPACE, full),
        ]
    children += [
        _space_1d("tt:PanTiltSpeedSpace", PT_SPEED_SPACE, half),
        _space_1d("tt:ZoomSpeedSpace", Z_SPEED_SPACE, half),
    ]
    return el(tag, children=children)


def ptz_configuration(tag: str) -> Element:
    """The camera's one PTZ configuration (also embedded in each media profile)."""
    return el(
        tag,
        children=[
            el("tt:Name", "PTZ"),
            el("tt:UseCount", str(len(PROFILES))),
            el("tt:NodeToken", PTZ_NODE_TOKEN),
            el("tt:DefaultAbsolutePantTiltPositionSpace", PT_POSITION_SPACE),
            el("tt:DefaultAbsoluteZoomPositionSpace", Z_POSITION_SPACE),
            el("tt:DefaultRelativePanTiltTranslationSpace", PT_TRANSLATION_SPACE),
            el("tt:DefaultRelativeZoomTranslationSpace", Z_TRANSLATION_SPACE),
            el("tt:DefaultContinuousPanTiltVelocitySpace", PT_VELOCITY_SPACE),
            el("tt:DefaultContinuousZoomVelocitySpace", Z_VELOCITY_SPACE),
            el(
                "tt:DefaultPTZSpeed",
                children=[
                    el("tt:PanTilt", x="1.0", y="1.0", space=PT_SPEED_SPACE),
                    el("tt:Zoom", x="1.0", space=Z_SPEED_SPACE),
                ],
            ),
            el("tt:DefaultPTZTimeout", format_duration(DEFAULT_TIMEOUT_S)),
            el(
                "tt:PanTiltLimits",
                children=[_space_2d("tt:Range", PT_POSITION_SPACE, (-1.0, 1.0), (-1.0, 1.0))],
            ),
            el("tt:ZoomLimits", children=[_space_1d("tt:Range", Z_POSITION_SPACE, (0.0, 1.0))]),
        ],
        token=PTZ_CONFIG_TOKEN,
    )


def ptz_node(tag: str, unsupported: frozenset[str] = frozenset(), fov: bool = False) -> Element:
    presets = "0" if "SetPreset" in unsupported else str(MAX_PRESETS)
    return el(
        tag,
        children=[
            el("tt:Name", "PTZ head"),
            ptz_spaces("tt:SupportedPTZSpaces", unsupported, fov),
            el("tt:MaximumNumberOfPresets", presets),
            el("tt:HomeSupported", "false" if "GotoHomePosition" in unsupported else "true"),
        ],
        token=PTZ_NODE_TOKEN,
        FixedHomePosition="false",
    )


def ptz_vector(tag: str, position: PtzPosition) -> Element:
    return el(
        tag,
        children=[
            el(
                "tt:PanTilt",
                x=format_float(position.pan),
                y=format_float(position.tilt),
                space=PT_POSITION_SPACE,
            ),
            el("tt:Zoom", x=format_float(position.zoom), space=Z_POSITION_SPACE),
        ],
    )


# --- parsing ----------------------------------------------------------------------------------------


def _number(node: Element, name: str, limits: Range, subcode: str) -> float:
    try:
        value = float(node.get(name, ""))
    except ValueError:
        raise invalid_arg(subcode, f"{name} is not a number") from None
    if not math.isfinite(value) or not limits[0] <= value <= limits[1]:
        raise invalid_arg(subcode, f"{name}={value} outside [{limits[0]}, {limits[1]}]")
    return value


def _check_space(node: Element, expected: str) -> None:
    space = node.get("space")
    if space is not None and space.strip() != expected:
        raise invalid_arg("ter:SpaceNotSupported", f"Only {expected} is supported")


def vector_parts(
    parent: Element | None, space_uris: tuple[str, str], limits: tuple[Range, Range, Range], subcode: str
) -> tuple[float | None, float | None, float | None]:
    """(x, y, zoom) of a PTZVector/PTZSpeed; None for an omitted axis."""
    if parent is None:
        return None, None, None
    pan = tilt = zoom = None
    pan_tilt = find(parent, "tt:PanTilt")
    if pan_tilt is not None:
        _check_space(pan_tilt, space_uris[0])
        pan = _number(pan_tilt, "x", limits[0], subcode)
        tilt = _number(pan_tilt, "y", limits[1], subcode)
    zoom_node = find(parent, "tt:Zoom")
    if zoom_node is not None:
        _check_space(zoom_node, space_uris[1])
        zoom = _number(zoom_node, "x", limits[2], subcode)
    return pan, tilt, zoom
