"""Reading PTZ capabilities and positions from what cameras answer (often incomplete)."""

from __future__ import annotations

import datetime as dt

from vmwall.onvif.ptz import FOV_TRANSLATION_SPACE, capabilities_from, position_from

PT = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/"
Z = "http://www.onvif.org/ver10/tptz/ZoomSpaces/"


def space(
    uri: str, x: tuple[float, float] = (-1.0, 1.0), y: tuple[float, float] | None = (-1.0, 1.0)
) -> dict:
    result: dict = {"URI": uri, "XRange": {"Min": x[0], "Max": x[1]}}
    if y is not None:
        result["YRange"] = {"Min": y[0], "Max": y[1]}
    return result


def test_a_full_node() -> None:
    node = {
        "SupportedPTZSpaces": {
            "AbsolutePanTiltPositionSpace": [space(PT + "PositionGenericSpace")],
            "AbsoluteZoomPositionSpace": [space(Z + "PositionGenericSpace", (0.0, 1.0), None)],
            "RelativePanTiltTranslationSpace": [
                space(PT + "TranslationGenericSpace"),
                space(FOV_TRANSLATION_SPACE),
            ],
            "ContinuousPanTiltVelocitySpace": [space(PT + "VelocityGenericSpace")],
            "ContinuousZoomVelocitySpace": [space(Z + "VelocityGenericSpace", y=None)],
        },
        "MaximumNumberOfPresets": 128,
        "HomeSupported": True,
    }
    configuration = {"PanTiltLimits": {"Range": space(PT + "PositionGenericSpace", (-0.9, 0.9), (-0.5, 1.0))}}
    options = {"PTZTimeout": {"Min": dt.timedelta(seconds=1), "Max": dt.timedelta(seconds=60)}}
    caps = capabilities_from(node, configuration, options)
    assert caps.ptz and caps.continuous and caps.absolute and caps.relative and caps.fov_translation
    assert caps.zoom and caps.presets and caps.home and caps.max_presets == 128
    assert caps.pan_range == (-0.9, 0.9) and caps.tilt_range == (-0.5, 1.0)  # the configuration's limits
    assert caps.zoom_range == (0.0, 1.0)
    assert caps.timeout_range == (1.0, 60.0)
    assert caps.can_centre and caps.can_zoom_box


def test_a_pan_tilt_head_without_zoom_presets_or_options() -> None:
    node = {"SupportedPTZSpaces": {"ContinuousPanTiltVelocitySpace": [space(PT + "VelocityGenericSpace")]}}
    caps = capabilities_from(node, None, None)
    assert caps.ptz and caps.continuous
    assert not (caps.absolute or caps.relative or caps.zoom or caps.presets or caps.home)
    assert caps.timeout_range is None and caps.pan_range is None
    assert not caps.can_centre


def test_modes_offered_only_in_other_spaces_are_not_driven() -> None:
    node = {
        "SupportedPTZSpaces": {"AbsolutePanTiltPositionSpace": [space(PT + "SphericalPositionSpaceDegrees")]}
    }
    assert not capabilities_from(node, None, None).absolute


def test_spaces_from_the_options_when_the_node_is_missing() -> None:
    options = {"Spaces": {"RelativePanTiltTranslationSpace": [space(PT + "TranslationGenericSpace")]}}
    caps = capabilities_from(None, None, options)
    assert caps.relative and not caps.fov_translation


def test_garbage_reads_as_nothing_rather_than_failing() -> None:
    node = {
        "SupportedPTZSpaces": {
            "AbsolutePanTiltPositionSpace": [{"URI": PT + "PositionGenericSpace", "XRange": "x"}]
        },
        "MaximumNumberOfPresets": "many",
    }
    caps = capabilities_from(
        node, {"PanTiltLimits": {"Range": {"XRange": {"Min": 1, "Max": -1}}}}, {"PTZTimeout": 5}
    )
    assert caps.absolute and caps.max_presets == 0 and not caps.presets
    assert caps.pan_range is None and caps.timeout_range is None


def test_positions() -> None:
    vector = {"PanTilt": {"x": 0.25, "y": "-0.5"}, "Zoom": {"x": 0.1}}
    position = position_from(vector)
    assert position is not None and (position.pan, position.tilt, position.zoom) == (0.25, -0.5, 0.1)
    assert position_from(None) is None and position_from({}) is None
    only_zoom = position_from({"Zoom": {"x": "nan"}})
    assert only_zoom is not None and only_zoom.zoom == 0.0
