"""PTZ service (tptz, ver20) of a simulated camera, over `PtzState`, in ONVIF generic spaces (and
RelativeMove in the field-of-view space, computed from the lens of `vmwall.sim.scene`).

Test hooks on the head (`PtzState`): every request is recorded on arrival (`received`), a stalled
head lets requests hang until it resumes (`stall`/`resume`), and operations named in
`unsupported` are refused with ter:ActionNotSupported and their spaces are not advertised.
"""

from __future__ import annotations

import asyncio

from vmwall.sim.onvif_context import (
    PROFILES,
    PTZ_CONFIG_TOKEN,
    PTZ_NODE_TOKEN,
    Call,
    Operation,
    operation_key,
)
from vmwall.sim.onvif_ptz_spaces import (
    DEFAULT_TIMEOUT_S,
    MAX_TIMEOUT_S,
    MIN_TIMEOUT_S,
    PT_FOV_TRANSLATION_SPACE,
    PT_POSITION_SPACE,
    PT_SPEED_SPACE,
    PT_TRANSLATION_SPACE,
    PT_VELOCITY_SPACE,
    Z_POSITION_SPACE,
    Z_SPEED_SPACE,
    Z_TRANSLATION_SPACE,
    Z_VELOCITY_SPACE,
    ptz_configuration,
    ptz_node,
    ptz_spaces,
    ptz_vector,
    vector_parts,
)
from vmwall.sim.ptz_state import (
    PresetNameExistsError,
    PtzPosition,
    PtzSpeed,
    PtzState,
    TooManyPresetsError,
    UnknownPresetError,
)
from vmwall.sim.scene import TELE_HFOV, WIDE_HFOV, WORLD_HALF_HEIGHT
from vmwall.sim.soap import (
    Element,
    el,
    find,
    find_text,
    format_datetime,
    format_duration,
    invalid_arg,
    parse_bool,
    parse_duration,
    receiver_fault,
    sender_fault,
    utc_now,
)

# --- request parsing --------------------------------------------------------------------------------


def _require_ptz(call: Call) -> PtzState:
    ptz = call.device.ptz
    if ptz is None:
        raise receiver_fault("ter:ActionNotSupported", "ter:PTZNotSupported", reason="This camera has no PTZ")
    token = find_text(call.body, "tptz:ProfileToken")
    if token is not None and token not in {p.token for p in PROFILES}:
        raise invalid_arg("ter:NoProfile", f"No profile {token!r}")
    return ptz


_STALL_POLL_S = 0.02


async def _enter(call: Call, operation: str, *args: float | None) -> PtzState:
    """The head, once the request is recorded, allowed, and the head answers again."""
    ptz = _require_ptz(call)
    ptz.record(operation, *args)
    if operation in ptz.unsupported:
        raise receiver_fault(
            "ter:ActionNotSupported", "ter:NotSupported", reason=f"{operation} is not supported by this head"
        )
    while not ptz.answering:  # a stalled head: the client's own deadline ends the wait
        await asyncio.sleep(_STALL_POLL_S)
    return ptz


def _speed(call: Call, tag: str = "tptz:Speed") -> PtzSpeed | None:
    unit = (0.0, 1.0)
    pan, tilt, zoom = vector_parts(
        find(call.body, tag), (PT_SPEED_SPACE, Z_SPEED_SPACE), (unit, unit, unit), "ter:InvalidSpeed"
    )
    if pan is None and zoom is None:
        return None
    return PtzSpeed(
        pan=pan if pan is not None else 1.0,
        tilt=tilt if tilt is not None else 1.0,
        zoom=zoom if zoom is not None else 1.0,
    )


def _preset_token(call: Call) -> str:
    token = find_text(call.body, "tptz:PresetToken")
    if not token:
        raise sender_fault("ter:InvalidArgs", reason="PresetToken missing")
    return token


def _empty(name: str) -> Element:
    return el(f"tptz:{name}Response")


def _node(ptz: PtzState) -> Element:
    return ptz_node("tptz:PTZNode", ptz.unsupported, ptz.fov_space)


# --- operations -------------------------------------------------------------------------------------


async def get_nodes(call: Call) -> Element:
    ptz = await _enter(call, "GetNodes")
    return el("tptz:GetNodesResponse", children=[_node(ptz)])


async def get_node(call: Call) -> Element:
    ptz = await _enter(call, "GetNode")
    if find_text(call.body, "tptz:NodeToken") != PTZ_NODE_TOKEN:
        raise invalid_arg("ter:NoEntity", "No such PTZ node")
    return el("tptz:GetNodeResponse", children=[_node(ptz)])


async def get_configurations(call: Call) -> Element:
    await _enter(call, "GetConfigurations")
    return el("tptz:GetConfigurationsResponse", children=[ptz_configuration("tptz:PTZConfiguration")])


async def get_configuration(call: Call) -> Element:
    await _enter(call, "GetConfiguration")
    if find_text(call.body, "tptz:PTZConfigurationToken") != PTZ_CONFIG_TOKEN:
        raise invalid_arg("ter:NoConfig", "No such PTZ configuration")
    return el("tptz:GetConfigurationResponse", children=[ptz_configuration("tptz:PTZConfiguration")])


async def get_configuration_options(call: Call) -> Element:
    ptz = await _enter(call, "GetConfigurationOptions")
    if find_text(call.body, "tptz:ConfigurationToken") != PTZ_CONFIG_TOKEN:
        raise invalid_arg("ter:NoConfig", "No such PTZ configuration")
    options = el(
        "tptz:PTZConfigurationOptions",
        children=[
            ptz_spaces("tt:Spaces", ptz.unsupported, ptz.fov_space),
            el(
                "tt:PTZTimeout",
                children=[
                    el("tt:Min", format_duration(MIN_TIMEOUT_S)),
                    el("tt:Max", format_duration(MAX_TIMEOUT_S)),
                ],
            ),
        ],
    )
    return el("tptz:GetConfigurationOptionsResponse", children=[options])


async def get_status(call: Call) -> Element:
    ptz = await _enter(call, "GetStatus")
    position = ptz.position()
    pan_tilt_moving, zoom_moving = ptz.moving_axes()
    status = el(
        "tptz:PTZStatus",
        children=[
            ptz_vector("tt:Position", position),
            el(
                "tt:MoveStatus",
                children=[
                    el("tt:PanTilt", "MOVING" if pan_tilt_moving else "IDLE"),
                    el("tt:Zoom", "MOVING" if zoom_moving else "IDLE"),
                ],
            ),
            el("tt:UtcTime", format_datetime(utc_now())),
        ],
    )
    return el("tptz:GetStatusResponse", children=[status])


async def continuous_move(call: Call) -> Element:
    ptz = _require_ptz(call)
    full = (-1.0, 1.0)
    velocity = find(call.body, "tptz:Velocity")
    if velocity is None:
        raise sender_fault("ter:InvalidArgs", reason="Velocity missing")
    pan, tilt, zoom = vector_parts(
        velocity, (PT_VELOCITY_SPACE, Z_VELOCITY_SPACE), (full, full, full), "ter:InvalidVelocity"
    )
    timeout_text = find_text(call.body, "tptz:Timeout")
    timeout_s = DEFAULT_TIMEOUT_S
    if timeout_text is not None:
        try:
            timeout_s = parse_duration(timeout_text)
        except ValueError:
            raise invalid_arg("ter:TimeoutNotSupported", f"Invalid Timeout {timeout_text!r}") from None
        if not MIN_TIMEOUT_S <= timeout_s <= MAX_TIMEOUT_S:
            raise invalid_arg(
                "ter:TimeoutNotSupported", f"Timeout outside [{MIN_TIMEOUT_S}, {MAX_TIMEOUT_S}] s"
            )
    ptz = await _enter(call, "ContinuousMove", pan, tilt, zoom, timeout_s)
    ptz.continuous_move(pan, tilt, zoom, timeout_s)
    return _empty("ContinuousMove")


async def stop(call: Call) -> Element:
    ptz = await _enter(call, "Stop")
    try:
        pan_tilt = parse_bool(find_text(call.body, "tptz:PanTilt"), True)
        zoom = parse_bool(find_text(call.body, "tptz:Zoom"), True)
    except ValueError as exc:
        raise sender_fault("ter:InvalidArgVal", reason=str(exc)) from None
    ptz.stop(pan_tilt=pan_tilt, zoom=zoom)
    return _empty("Stop")


async def absolute_move(call: Call) -> Element:
    ptz = await _enter(call, "AbsoluteMove")
    full = (-1.0, 1.0)
    position = find(call.body, "tptz:Position")
    if position is None:
        raise sender_fault("ter:InvalidArgs", reason="Position missing")
    pan, tilt, zoom = vector_parts(
        position, (PT_POSITION_SPACE, Z_POSITION_SPACE), (full, full, (0.0, 1.0)), "ter:InvalidPosition"
    )
    speed = _speed(call)
    here = ptz.position()
    target = PtzPosition(
        pan=here.pan if pan is None else pan,
        tilt=here.tilt if tilt is None else tilt,
        zoom=here.zoom if zoom is None else zoom,
    )
    ptz.absolute_move(target, speed)
    return _empty("AbsoluteMove")


async def relative_move(call: Call) -> Element:
    ptz = await _enter(call, "RelativeMove")
    full = (-1.0, 1.0)
    translation = find(call.body, "tptz:Translation")
    if translation is None:
        raise sender_fault("ter:InvalidArgs", reason="Translation missing")
    pan_tilt = find(translation, "tt:PanTilt")
    in_fov = pan_tilt is not None and (pan_tilt.get("space") or "").strip() == PT_FOV_TRANSLATION_SPACE
    if in_fov and not ptz.fov_space:
        raise invalid_arg("ter:SpaceNotSupported", f"Only {PT_TRANSLATION_SPACE} is supported")
    pan_space = PT_FOV_TRANSLATION_SPACE if in_fov else PT_TRANSLATION_SPACE
    pan, tilt, zoom = vector_parts(
        translation, (pan_space, Z_TRANSLATION_SPACE), (full, full, full), "ter:InvalidTranslation"
    )
    if in_fov:
        pan, tilt = _fov_to_generic(ptz, pan, tilt)
    ptz.relative_move(pan, tilt, zoom, _speed(call))
    return _empty("RelativeMove")


def _fov_to_generic(ptz: PtzState, x: float | None, y: float | None) -> tuple[float | None, float | None]:
    """A translation in fractions of the half field of view → generic units, with the lens of the
    simulated picture (`vmwall.sim.scene`: pan ±1 = ±180°, tilt ±1 = ±45°, 60° → 6° wide)."""
    zoom = max(0.0, min(1.0, ptz.position().zoom))
    hfov = WIDE_HFOV * (TELE_HFOV / WIDE_HFOV) ** zoom
    vfov = hfov * 9 / 16
    pan = None if x is None else x * (hfov / 2) / 180.0
    tilt = None if y is None else y * (vfov / 2) / WORLD_HALF_HEIGHT
    return pan, tilt


async def get_presets(call: Call) -> Element:
    ptz = await _enter(call, "GetPresets")
    presets = [
        el("tptz:Preset", children=[el("tt:Name", name), ptz_vector("tt:PTZPosition", position)], token=token)
        for token, name, position in ptz.presets()
    ]
    return el("tptz:GetPresetsResponse", children=presets)


async def set_preset(call: Call) -> Element:
    ptz = await _enter(call, "SetPreset")
    name = find_text(call.body, "tptz:PresetName") or None
    token = find_text(call.body, "tptz:PresetToken") or None
    try:
        token = ptz.set_preset(name, token)
    except UnknownPresetError:
        raise invalid_arg("ter:NoToken", "No such preset") from None
    except PresetNameExistsError:
        raise invalid_arg("ter:PresetExist", "A preset with that name exists") from None
    except TooManyPresetsError:
        raise receiver_fault(
            "ter:Action", "ter:TooManyPresets", reason="Maximum number of presets reached"
        ) from None
    return el("tptz:SetPresetResponse", children=[el("tptz:PresetToken", token)])


async def goto_preset(call: Call) -> Element:
    ptz = await _enter(call, "GotoPreset")
    token = _preset_token(call)
    speed = _speed(call)
    try:
        ptz.goto_preset(token, speed)
    except UnknownPresetError:
        raise invalid_arg("ter:NoToken", "No such preset") from None
    return _empty("GotoPreset")


async def remove_preset(call: Call) -> Element:
    ptz = await _enter(call, "RemovePreset")
    try:
        ptz.remove_preset(_preset_token(call))
    except UnknownPresetError:
        raise invalid_arg("ter:NoToken", "No such preset") from None
    return _empty("RemovePreset")


async def goto_home_position(call: Call) -> Element:
    (await _enter(call, "GotoHomePosition")).goto_home(_speed(call))
    return _empty("GotoHomePosition")


async def set_home_position(call: Call) -> Element:
    (await _enter(call, "SetHomePosition")).set_home()
    return _empty("SetHomePosition")


OPERATIONS: dict[str, Operation] = {
    operation_key("tptz", name): Operation(handler)
    for name, handler in (
        ("GetNodes", get_nodes),
        ("GetNode", get_node),
        ("GetConfigurations", get_configurations),
        ("GetConfiguration", get_configuration),
        ("GetConfigurationOptions", get_configuration_options),
        ("GetStatus", get_status),
        ("ContinuousMove", continuous_move),
        ("Stop", stop),
        ("AbsoluteMove", absolute_move),
        ("RelativeMove", relative_move),
        ("GetPresets", get_presets),
        ("SetPreset", set_preset),
        ("GotoPreset", goto_preset),
        ("RemovePreset", remove_preset),
        ("GotoHomePosition", goto_home_position),
        ("SetHomePosition", set_home_position),
    )
}
