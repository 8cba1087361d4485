"""Joystick mapping: axis shaping (deadzone, curve, inversion, scale), profile choice, strict files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vmwall.config._strict import ConfigFileError
from vmwall.ptz.joystick_mapping import (
    Api,
    AxisMapping,
    DeviceIdentity,
    JoystickAction,
    builtin_profiles,
    load_mapping_file,
    load_mappings,
    load_mappings_or_builtin,
    parse_control,
    parse_mapping,
    user_mapping_path,
)

GUID = "03000000de0a00001234000001000000"

# --- axis shaping ----------------------------------------------------------------------------------


def test_inside_the_deadzone_is_still_and_the_edge_starts_from_zero() -> None:
    axis = AxisMapping(0, deadzone=0.2, exponent=1.0)
    assert axis.speed(0.0) == 0.0
    assert axis.speed(0.2) == 0.0 and axis.speed(-0.2) == 0.0
    assert 0.0 < axis.speed(0.21) < 0.02  # continuous at the deadzone's edge: no jump
    assert axis.speed(0.6) == pytest.approx(0.5)  # the remaining travel is rescaled
    assert axis.speed(1.0) == 1.0 and axis.speed(-1.0) == -1.0


@pytest.mark.parametrize(
    ("exponent", "half"),
    [(1.0, 0.5), (2.0, 0.25), (3.0, 0.125), (1.5, 0.354)],
)
def test_the_curve_shapes_the_middle_but_not_the_ends(exponent: float, half: float) -> None:
    axis = AxisMapping(0, deadzone=0.0, exponent=exponent)
    assert axis.speed(0.5) == pytest.approx(half, abs=1e-3)
    assert axis.speed(-0.5) == pytest.approx(-half, abs=1e-3)
    assert axis.speed(1.0) == 1.0


def test_speed_grows_with_deflection_and_is_symmetric() -> None:
    axis = AxisMapping(0, deadzone=0.1, exponent=2.0)
    speeds = [axis.speed(i / 100) for i in range(101)]
    assert speeds == sorted(speeds)
    assert all(axis.speed(-i / 100) == -axis.speed(i / 100) for i in range(101))


def test_inversion_and_scale() -> None:
    axis = AxisMapping(1, invert=True, deadzone=0.0, exponent=1.0, scale=0.4)
    assert axis.speed(-1.0) == pytest.approx(0.4)  # SDL's "pushed forward" is negative → up
    assert axis.speed(1.0) == pytest.approx(-0.4)
    assert axis.speed(0.5) == pytest.approx(-0.2)


def test_out_of_range_and_garbage_readings_are_safe() -> None:
    axis = AxisMapping(0, deadzone=0.1)
    assert axis.speed(-32768 / 32767) == -1.0  # SDL's most negative value is one step longer
    assert axis.speed(7.0) == 1.0
    assert axis.speed(float("nan")) == 0.0
    assert axis.speed(float("inf")) == 0.0


def test_sensor_noise_below_a_thousandth_is_not_a_change() -> None:
    axis = AxisMapping(0, deadzone=0.1, exponent=1.0)
    assert axis.speed(0.5) == axis.speed(0.5 + 1e-5)


@pytest.mark.parametrize(
    "kwargs", [{"deadzone": -0.1}, {"deadzone": 0.95}, {"exponent": 0.5}, {"exponent": 6}, {"scale": 0}]
)
def test_axis_mapping_refuses_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        AxisMapping(0, **kwargs)  # type: ignore[arg-type]


# --- built-in profiles and the choice of a profile --------------------------------------------------


def device(
    name: str = "Some Stick", guid: str = GUID, usb: tuple[int, int] = (0, 0), pad: bool = False
) -> Any:
    return DeviceIdentity(name=name, guid=guid, vendor=usb[0], product=usb[1], gamecontroller=pad)


def test_builtin_profiles_load_and_cover_generic_devices_and_cctv_keyboards() -> None:
    ids = {p.id for p in builtin_profiles()}
    assert {"generic-joystick", "generic-gamepad", "pelco-kbd300a", "cctv-keyboard"} <= ids
    mappings = load_mappings(Path("/nonexistent/joysticks.json"))
    assert mappings.select(device("Logitech Extreme 3D Pro")).id == "generic-joystick"  # type: ignore[union-attr]
    assert mappings.select(device("Xbox Controller", pad=True)).id == "generic-gamepad"  # type: ignore[union-attr]
    assert mappings.select(device("PELCO KBD300A USB")).id == "pelco-kbd300a"  # type: ignore[union-attr]
    assert mappings.select(device("Acme CCTV Keyboard")).id == "cctv-keyboard"  # type: ignore[union-attr]


def test_builtin_generic_joystick_tilts_up_when_pushed_forward_and_twist_zooms() -> None:
    generic = load_mappings(Path("/nonexistent")).by_id("generic-joystick")
    assert generic.api is Api.JOYSTICK
    assert generic.tilt is not None and generic.tilt.speed(-1.0) == 1.0
    assert generic.pan is not None and generic.pan.speed(1.0) == 1.0
    assert generic.zoom is not None and generic.zoom.source == 2
    assert generic.buttons["hat0_right"] is JoystickAction.NEXT_CAMERA


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def profile(pid: str, match: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": pid, "api": "joystick", "match": match, "axes": {"pan": {"axis": 0}}, **extra}


def test_guid_beats_usb_id_beats_name_beats_fallback(tmp_path: Path) -> None:
    user = write(
        tmp_path / "joysticks.json",
        {
            "version": 1,
            "profiles": [
                profile("by-fallback", {"fallback": True}),
                profile("by-name", {"names": ["Stick"]}),
                profile("by-usb", {"usb_ids": ["0DE0:1234"]}),
                profile("by-guid", {"guids": [GUID.upper()]}),
            ],
        },
    )
    mappings = load_mappings(user)
    assert mappings.select(device("Some Stick", usb=(0x0DE0, 0x1234))).id == "by-guid"  # type: ignore[union-attr]
    other_guid = "0" * 32
    assert mappings.select(device("Some Stick", other_guid, (0x0DE0, 0x1234))).id == "by-usb"  # type: ignore[union-attr]
    assert mappings.select(device("Some Stick", other_guid)).id == "by-name"  # type: ignore[union-attr]
    assert mappings.select(device("Other", other_guid)).id == "by-fallback"  # type: ignore[union-attr]


def test_user_profile_wins_a_tie_and_replaces_a_builtin_of_the_same_id(tmp_path: Path) -> None:
    user = write(
        tmp_path / "joysticks.json",
        {
            "version": 1,
            "profiles": [
                profile("generic-joystick", {"fallback": True}, buttons={"button0": "preset_9"}),
                profile("my-pelco", {"names": ["kbd300"]}),
            ],
        },
    )
    mappings = load_mappings(user)
    assert [p.id for p in mappings.profiles].count("generic-joystick") == 1
    chosen = mappings.select(device("Unknown stick"))
    assert chosen is not None and chosen.buttons == {"button0": JoystickAction.PRESET_9}
    assert chosen.source == str(user)
    assert mappings.select(device("Pelco KBD300A")).id == "my-pelco"  # type: ignore[union-attr]


def test_a_gamecontroller_profile_is_never_chosen_for_a_plain_joystick(tmp_path: Path) -> None:
    pad = {
        "id": "pad",
        "api": "gamecontroller",
        "match": {"names": ["stick"]},
        "axes": {"pan": {"axis": "leftx"}},
    }
    mappings = load_mappings(write(tmp_path / "j.json", {"version": 1, "profiles": [pad]}))
    assert mappings.select(device("Some Stick")).id == "generic-joystick"  # type: ignore[union-attr]
    assert mappings.select(device("Some Stick", pad=True)).id == "pad"  # type: ignore[union-attr]


def test_nothing_matches_when_no_fallback_exists() -> None:
    only = parse_mapping("x.json", {"version": 1, "profiles": [profile("a", {"names": ["kbd"]})]})
    from vmwall.ptz.joystick_mapping import MappingSet

    assert MappingSet(only).select(device("Gamepad")) is None


def test_user_file_location_follows_the_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VMWALL_CONFIG_DIR", str(tmp_path))
    assert user_mapping_path() == tmp_path / "joysticks.json"
    write(tmp_path / "joysticks.json", {"version": 1, "profiles": [profile("mine", {"names": ["zz"]})]})
    assert load_mappings().profiles[0].id == "mine"


def test_controls_parse() -> None:
    assert parse_control("button12") == ("button", 12, "")
    assert parse_control("hat1_left") == ("hat", 1, "left")
    with pytest.raises(ValueError):
        parse_control("a")


def test_actions_know_presets_and_held_buttons() -> None:
    assert JoystickAction.PRESET_7.preset == 7 and JoystickAction.STOP.preset is None
    assert JoystickAction.ZOOM_IN.held and JoystickAction.FOCUS_NEAR.held
    assert not JoystickAction.PRESET_1.held and not JoystickAction.NEXT_CAMERA.held


# --- bad files: refused with the file, the key and the reason ---------------------------------------


def good() -> dict[str, Any]:
    return {
        "version": 1,
        "profiles": [
            {
                "id": "kbd",
                "api": "joystick",
                "match": {"names": ["kbd"]},
                "axes": {"pan": {"axis": 0}, "tilt": {"axis": 1, "invert": True}},
                "buttons": {"button0": "stop"},
            }
        ],
    }


def mutate(path: str, value: Any) -> dict[str, Any]:
    """good() with the dotted ``path`` set to ``value`` (``del`` removes it)."""
    data = good()
    target: Any = data
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    if value == "del":
        del target[parts[-1]]
    else:
        target[parts[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "where", "reason"),
    [
        (mutate("colour", "red"), "", "unknown key 'colour'"),
        (mutate("version", "del"), "version", "is missing"),
        (mutate("version", 2), "version", "newer vmwall"),
        (mutate("profiles", {}), "profiles", "expected an array"),
        (mutate("profiles.0.speed", 1), "profiles[0]", "unknown key 'speed'"),
        (mutate("profiles.0.id", "Mon Clavier"), "profiles[0].id", "lower-case"),
        (mutate("profiles.0.api", "xinput"), "profiles[0].api", "'joystick' or 'gamecontroller'"),
        (mutate("profiles.0.match", {}), "profiles[0].match", "names no device"),
        (mutate("profiles.0.match.guids", ["xyz"]), "profiles[0].match.guids[0]", "not an SDL GUID"),
        (mutate("profiles.0.match.usb_ids", ["12:34"]), "profiles[0].match.usb_ids[0]", "not a USB id"),
        (mutate("profiles.0.match.names", [""]), "profiles[0].match.names[0]", "non-empty string"),
        (mutate("profiles.0.match.serial", "1"), "profiles[0].match", "unknown key 'serial'"),
        (mutate("profiles.0.axes.roll", {"axis": 3}), "profiles[0].axes", "unknown key 'roll'"),
        (mutate("profiles.0.axes.pan.axis", "leftx"), "profiles[0].axes.pan.axis", "whole number"),
        (mutate("profiles.0.axes.pan.axis", -1), "profiles[0].axes.pan.axis", "below 0"),
        (mutate("profiles.0.axes.pan.curve", "sigmoid"), "profiles[0].axes.pan.curve", "unknown curve"),
        (mutate("profiles.0.axes.pan.curve", 9), "profiles[0].axes.pan.curve", "out of range"),
        (mutate("profiles.0.axes.pan.deadzone", 1.5), "profiles[0].axes.pan.deadzone", "out of range"),
        (mutate("profiles.0.axes.pan.deadzone", "10%"), "profiles[0].axes.pan.deadzone", "expected a number"),
        (mutate("profiles.0.axes.pan.scale", 0), "profiles[0].axes.pan.scale", "out of range"),
        (mutate("profiles.0.axes.pan.invert", "yes"), "profiles[0].axes.pan.invert", "true or false"),
        (mutate("profiles.0.axes.pan.sensitivity", 2), "profiles[0].axes.pan", "unknown key 'sensitivity'"),
        (
            mutate("profiles.0.buttons.button0", "fire"),
            "profiles[0].buttons.button0",
            "unknown action 'fire'",
        ),
        (mutate("profiles.0.buttons.trigger", "stop"), "profiles[0].buttons.trigger", "unknown control"),
        (
            mutate("profiles.0.buttons.hat0_north", "stop"),
            "profiles[0].buttons.hat0_north",
            "unknown control",
        ),
        (mutate("profiles.0.buttons.button999", "stop"), "profiles[0].buttons.button999", "unknown control"),
    ],
)
def test_bad_mapping_files_are_refused_naming_file_and_key(
    tmp_path: Path, data: dict[str, Any], where: str, reason: str
) -> None:
    path = write(tmp_path / "joysticks.json", data)
    with pytest.raises(ConfigFileError) as caught:
        load_mapping_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    assert where in message and reason in message, message


def test_gamecontroller_profiles_use_sdl_names(tmp_path: Path) -> None:
    data = mutate("profiles.0.api", "gamecontroller")
    with pytest.raises(ConfigFileError, match=r"profiles\[0\]\.axes\.pan\.axis: expected a string"):
        parse_mapping("pad.json", data)
    data["profiles"][0]["axes"] = {"pan": {"axis": "leftstick"}}
    with pytest.raises(ConfigFileError, match="unknown game-controller axis 'leftstick'"):
        parse_mapping("pad.json", data)
    data["profiles"][0]["axes"] = {"pan": {"axis": "leftx"}}
    with pytest.raises(ConfigFileError, match=r"buttons\.button0: unknown game-controller button"):
        parse_mapping("pad.json", data)
    data["profiles"][0]["buttons"] = {"leftshoulder": "zoom_out", "dpright": "next_camera"}
    (pad,) = parse_mapping("pad.json", data)
    assert pad.buttons["dpright"] is JoystickAction.NEXT_CAMERA and pad.pan is not None
    assert pad.pan.source == "leftx"


def test_duplicate_ids_and_duplicate_json_keys_are_refused(tmp_path: Path) -> None:
    data = good()
    data["profiles"].append(data["profiles"][0])
    with pytest.raises(ConfigFileError, match=r"profiles\[1\]\.id: profile id 'kbd' is used twice"):
        parse_mapping("x.json", data)
    path = tmp_path / "dup.json"
    path.write_text('{"version": 1, "profiles": [], "version": 1}', encoding="utf-8")
    with pytest.raises(ConfigFileError, match=r"dup\.json: key 'version' appears twice"):
        load_mapping_file(path)


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"{not json", "not valid JSON"), (b"\xff\xfe{}", "not UTF-8"), (b"[]", "expected an object")],
)
def test_unreadable_files_are_refused(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "joysticks.json"
    path.write_bytes(content)
    with pytest.raises(ConfigFileError, match=reason) as caught:
        load_mapping_file(path)
    assert str(caught.value).startswith(str(path))


def test_a_bad_user_file_falls_back_to_the_builtin_profiles_with_the_error(tmp_path: Path) -> None:
    path = write(tmp_path / "joysticks.json", mutate("profiles.0.axes.pan.curve", "sigmoid"))
    mappings, error = load_mappings_or_builtin(path)
    assert error is not None and str(path) in str(error) and "curve" in str(error)
    assert {p.id for p in mappings.profiles} == {p.id for p in builtin_profiles()}
    fine, none = load_mappings_or_builtin(write(tmp_path / "ok.json", good()))
    assert none is None and fine.profiles[0].id == "kbd"


# --- vmwall doctor --------------------------------------------------------------------------------------


def test_doctor_names_the_profile_of_each_joystick_and_warns_about_a_bad_mapping_file() -> None:
    from vmwall import doctor

    facts = {
        "sdl": "2.32.10",
        "joysticks": 2,
        "names": ["Pelco KBD300A", "Odd"],
        "profiles": ["pelco-kbd300a"],
    }
    result = doctor.assess_joystick(facts)
    assert result.status is doctor.Status.OK
    assert "2 joystick(s): Pelco KBD300A (profile pelco-kbd300a), Odd" in result.summary
    bad = doctor.assess_joystick({**facts, "mapping_error": "/home/op/joysticks.json: version: is missing"})
    assert bad.status is doctor.Status.WARN and "/home/op/joysticks.json: version: is missing" in bad.fix


def test_doctor_probe_reads_the_user_mapping_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vmwall import doctor

    monkeypatch.setenv("VMWALL_CONFIG_DIR", str(tmp_path))
    write(tmp_path / "joysticks.json", mutate("profiles.0.axes.pan.deadzone", 2))
    facts = doctor.run_probe("sdl", timeout=30.0, env={"SDL_VIDEODRIVER": "dummy"})
    assert "joysticks.json: profiles[0].axes.pan.deadzone" in facts["mapping_error"]
    assert facts["joysticks"] == len(facts["profiles"]) == len(facts["guids"])
