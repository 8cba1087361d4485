"""PTZ service (tptz, ver20) of a simulated camera, over `PtzState`, in ONVIF generic spaces only."""

from __future__ import annotations

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


# --- operations -------------------------------------------------------------------------------------


async def get_nodes(call: Call) -> Element:
    _require_ptz(call)
    return el("tptz:GetNodesResponse", children=[ptz_node("tptz:PTZNode")])


async def get_node(call: Call) -> Element:
    _require_ptz(call)
    if find_text(call.body, "tptz:NodeToken") != PTZ_NODE_TOKEN:
        raise invalid_arg("ter:NoEntity", "No such PTZ node")
    return el("tptz:GetNodeResponse", children=[ptz_node("tptz:PTZNode")])


async def get_configurations(call: Call) -> Element:
    _require_ptz(call)
    return el("tptz:GetConfigurationsResponse", children=[ptz_configuration("tptz:PTZConfiguration")])


async def get_configuration(call: Call) -> Element:
    _require_ptz(call)
    if find_text(call.body, "tptz:PTZConfigurationToken") != PTZ_CONFIG_TOKEN:
        raise invalid_arg("ter:NoConfig", "No such PTZ configuration")
    return el("tptz:GetConfigurationResponse", children=[ptz_configuration("tptz:PTZConfiguration")])


async def get_configuration_options(call: Call) -> Element:
    _require_ptz(call)
    if find_text(call.body, "tptz:ConfigurationToken") != PTZ_CONFIG_TOKEN:
        raise invalid_arg("ter:NoConfig", "No such PTZ configuration")
    options = el(
        "tptz:PTZConfigurationOptions",
        children=[
            ptz_spaces("tt:Spaces"),
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
    ptz = _require_ptz(call)
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
    ptz.continuous_move(pan, tilt, zoom, timeout_s)
    return _empty("ContinuousMove")


async def stop(call: Call) -> Element:
    ptz = _require_ptz(call)
    try:
        pan_tilt = parse_bool(find_text(call.body, "tptz:PanTilt"), True)
        zoom = parse_bool(find_text(call.body, "tptz:Zoom"), True)
    except ValueError as exc:
        raise sender_fault("ter:InvalidArgVal", reason=str(exc)) from None
    ptz.stop(pan_tilt=pan_tilt, zoom=zoom)
    return _empty("Stop")


async def absolute_move(call: Call) -> Element:
    ptz = _require_ptz(call)
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
    ptz = _require_ptz(call)
    full = (-1.0, 1.0)
    translation = find(call.body, "tptz:Translation")
    if translation is None:
        raise sender_fault("ter:InvalidArgs", reason="Translation missing")
    pan, tilt, zoom = vector_parts(
        translation, (PT_TRANSLATION_SPACE, Z_TRANSLATION_SPACE), (full, full, full), "ter:InvalidTranslation"
    )
    ptz.relative_move(pan, tilt, zoom, _speed(call))
    return _empty("RelativeMove")


async def get_presets(call: Call) -> Element:
    ptz = _require_ptz(call)
    presets = [
        el("tptz:Preset", children=[el("tt:Name", name), ptz_vector("tt:PTZPosition", position)], token=token)
        for token, name, position in ptz.presets()
    ]
    return el("tptz:GetPresetsResponse", children=presets)


async def set_preset(call: Call) -> Element:
    ptz = _require_ptz(call)
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
    ptz = _require_ptz(call)
    token = _preset_token(call)
    speed = _speed(call)
    try:
        ptz.goto_preset(token, speed)
    except UnknownPresetError:
        raise invalid_arg("ter:NoToken", "No such preset") from None
    return _empty("GotoPreset")


async def remove_preset(call: Call) -> Element:
    ptz = _require_ptz(call)
    try:
        ptz.remove_preset(_preset_token(call))
    except UnknownPresetError:
        raise invalid_arg("ter:NoToken", "No such preset") from None
    return _empty("RemovePreset")


async def goto_home_position(call: Call) -> Element:
    _require_ptz(call).goto_home(_speed(call))
    return _empty("GotoHomePosition")


async def set_home_position(call: Call) -> Element:
    _require_ptz(call).set_home()
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
