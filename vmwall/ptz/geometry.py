"""Click-to-centre and box zoom: from a point (or box) of the picture to a PTZ move.

Picture coordinates are normalised from the centre: x in [-1, 1] left to right, y in [-1, 1]
**bottom to top** (the UI flips its widget's y). Three ways to move, best first:

1. the camera accepts RelativeMove in the field-of-view space (``TranslationSpaceFov``): the
   point is sent as it is, the camera knows its own lens;
2. AbsoluteMove from the position GetStatus gives, with the lens model below;
3. RelativeMove in the generic space, with the lens model.

The lens model (`Lens`) says how generic positions map to angles: the pan span of -1..1, the tilt
span, and the horizontal field of view at zoom 0 and 1 (zoom interpolated geometrically, as optical
zooms roughly are). The defaults are those of the simulated cameras; a real camera without the
field-of-view space needs its own figures for exact centring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vmwall.model.ptz import PtzPosition

_MIN_BOX = 0.01  # a box smaller than 1 % of the picture only centres


@dataclass(frozen=True, slots=True)
class Lens:
    pan_degrees: float = 360.0  # the angle pan -1..1 covers (360: a full turn, positions wrap)
    tilt_degrees: float = 90.0  # the angle tilt -1..1 covers
    wide_hfov: float = 60.0  # horizontal field of view at zoom 0, degrees
    tele_hfov: float = 6.0  # at zoom 1
    aspect: float = 16 / 9

    def __post_init__(self) -> None:
        values = (self.pan_degrees, self.tilt_degrees, self.wide_hfov, self.tele_hfov, self.aspect)
        if not all(math.isfinite(v) and v > 0 for v in values):
            raise ValueError("lens figures must be positive numbers")
        if self.tele_hfov > self.wide_hfov:
            raise ValueError("the tele field of view cannot be wider than the wide one")

    def hfov(self, zoom: float) -> float:
        zoom = min(1.0, max(0.0, zoom))
        return float(self.wide_hfov * (self.tele_hfov / self.wide_hfov) ** zoom)

    def vfov(self, zoom: float) -> float:
        return self.hfov(zoom) / self.aspect

    def zoom_for(self, hfov: float) -> float:
        """The zoom position giving this horizontal field of view (clamped to 0..1)."""
        if self.tele_hfov == self.wide_hfov:
            return 0.0
        zoom = math.log(hfov / self.wide_hfov) / math.log(self.tele_hfov / self.wide_hfov)
        return min(1.0, max(0.0, zoom))

    @property
    def wraps(self) -> bool:
        return self.pan_degrees >= 360.0


DEFAULT_LENS = Lens()


@dataclass(frozen=True, slots=True)
class Box:
    """A box of the picture, normalised like a point: centre and size fractions (0..1)."""

    x: float
    y: float
    width: float  # fraction of the picture's width
    height: float

    @property
    def fraction(self) -> float:
        """How much of the picture the box takes, along its tighter dimension."""
        return max(self.width, self.height)

    @property
    def zooms(self) -> bool:
        return self.fraction >= _MIN_BOX


def check_point(x: float, y: float) -> tuple[float, float]:
    for value in (x, y):
        if not math.isfinite(value) or not -1.0 <= value <= 1.0:
            raise ValueError(f"a point of the picture must lie in [-1, 1] (got {value})")
    return x, y


def box_from_corners(x0: float, y0: float, x1: float, y1: float) -> Box:
    check_point(x0, y0)
    check_point(x1, y1)
    return Box(
        x=(x0 + x1) / 2,
        y=(y0 + y1) / 2,
        width=abs(x1 - x0) / 2,
        height=abs(y1 - y0) / 2,
    )


def translation(x: float, y: float, zoom: float, lens: Lens = DEFAULT_LENS) -> tuple[float, float]:
    """Generic pan/tilt offsets that bring the point (x, y) of the picture to its centre."""
    pan = x * (lens.hfov(zoom) / 2) / (lens.pan_degrees / 2)
    tilt = y * (lens.vfov(zoom) / 2) / (lens.tilt_degrees / 2)
    return pan, tilt


def centred_position(
    position: PtzPosition,
    x: float,
    y: float,
    lens: Lens = DEFAULT_LENS,
    pan_range: tuple[float, float] = (-1.0, 1.0),
    tilt_range: tuple[float, float] = (-1.0, 1.0),
) -> tuple[float, float]:
    """The absolute pan/tilt that centres the point (x, y): wrapped around a full turn, else clamped."""
    dpan, dtilt = translation(x, y, position.zoom, lens)
    pan = position.pan + dpan
    low, high = pan_range
    if lens.wraps and high > low:
        span = high - low
        pan = low + (pan - low) % span
    pan = min(high, max(low, pan))
    tilt = min(tilt_range[1], max(tilt_range[0], position.tilt + dtilt))
    return pan, tilt


def zoom_into(zoom: float, box: Box, lens: Lens = DEFAULT_LENS) -> float:
    """The zoom position at which the box fills the picture (its larger side), clamped to 0..1."""
    if not box.zooms:
        return zoom
    return lens.zoom_for(lens.hfov(zoom) * box.fraction)


__all__ = [
    "DEFAULT_LENS",
    "Box",
    "Lens",
    "box_from_corners",
    "centred_position",
    "check_point",
    "translation",
    "zoom_into",
]
