"""Click-to-centre and box-zoom geometry."""

from __future__ import annotations

import math

import pytest

from vmwall.model.ptz import PtzPosition
from vmwall.ptz.geometry import (
    DEFAULT_LENS,
    Lens,
    box_from_corners,
    centred_position,
    check_point,
    translation,
    zoom_into,
)


def test_lens_field_of_view_runs_from_wide_to_tele_and_back() -> None:
    lens = Lens(wide_hfov=60, tele_hfov=6)
    assert lens.hfov(0) == pytest.approx(60)
    assert lens.hfov(1) == pytest.approx(6)
    assert lens.hfov(0.5) == pytest.approx(math.sqrt(60 * 6))
    for zoom in (0.0, 0.3, 0.77, 1.0):
        assert lens.zoom_for(lens.hfov(zoom)) == pytest.approx(zoom)
    assert lens.zoom_for(1000) == 0.0 and lens.zoom_for(0.001) == 1.0


def test_lens_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        Lens(wide_hfov=0)
    with pytest.raises(ValueError):
        Lens(wide_hfov=5, tele_hfov=50)


def test_translation_brings_the_edge_of_the_picture_to_the_centre() -> None:
    # Zoom 0: 60° wide, 33.75° high; pan -1..1 = 360°, tilt -1..1 = 90°.
    pan, tilt = translation(1.0, 1.0, 0.0)
    assert pan == pytest.approx(30 / 180)
    assert tilt == pytest.approx((60 * 9 / 16 / 2) / 45)
    pan, tilt = translation(-0.5, 0.0, 1.0)  # zoomed in: a smaller move for the same point
    assert pan == pytest.approx(-0.5 * 3 / 180)
    assert tilt == 0.0


def test_centred_position_wraps_a_full_turn_and_clamps_tilt() -> None:
    here = PtzPosition(pan=0.95, tilt=0.9, zoom=0.0)
    pan, tilt = centred_position(here, 1.0, 1.0, DEFAULT_LENS)
    assert pan == pytest.approx(0.95 + 30 / 180 - 2.0)  # past +180° is -180°+
    assert tilt == 1.0
    limited = Lens(pan_degrees=340)
    pan, _ = centred_position(here, 1.0, 0.0, limited)
    assert pan == 1.0  # a camera that cannot turn round stops at its limit


def test_box_zoom_fills_the_picture_with_the_box() -> None:
    box = box_from_corners(0.2, 0.1, 0.6, -0.1)  # 20 % of the width, 10 % of the height
    assert (box.x, box.y) == pytest.approx((0.4, 0.0))
    assert box.fraction == pytest.approx(0.2)
    zoom = zoom_into(0.0, box)
    assert DEFAULT_LENS.hfov(zoom) == pytest.approx(60 * 0.2)
    tiny = box_from_corners(0.1, 0.1, 0.1, 0.1)
    assert not tiny.zooms and zoom_into(0.4, tiny) == 0.4
    huge_zoom = zoom_into(0.9, box_from_corners(-0.01, -0.01, 0.01, 0.01))
    assert huge_zoom == 1.0  # clamped to the lens


@pytest.mark.parametrize("point", [(1.5, 0.0), (0.0, -1.01), (float("nan"), 0.0)])
def test_points_outside_the_picture_are_refused(point: tuple[float, float]) -> None:
    with pytest.raises(ValueError):
        check_point(*point)
    with pytest.raises(ValueError):
        box_from_corners(point[0], point[1], 0.0, 0.0)
