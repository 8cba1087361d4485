"""Draws what a simulated camera sees: a panorama per camera, framed by its PTZ position.

The world is a cylinder 360° wide and 90° high, filled with the camera's own colour and with
buildings, a grid and labels in shades of it. Pan (-1..1) turns the view ±180°, tilt (-1..1)
raises it ±45° (clamped to the world), zoom (0..1) narrows the field of view from 60° to 6°.
The camera number and name are drawn large over the centre, fixed, as an on-screen caption.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

WIDE_HFOV = 60.0
TELE_HFOV = 6.0
WORLD_HALF_HEIGHT = 45.0


class Position(Protocol):
    @property
    def pan(self) -> float: ...
    @property
    def tilt(self) -> float: ...
    @property
    def zoom(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Building:
    azimuth: float  # degrees, centre
    width: float  # degrees
    height: float  # degrees above the horizon
    shade: float  # brightness factor around the camera colour


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSans-Bold.ttf", "DejaVuSansMono-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _shade(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, round(c * factor))) for c in colour)  # type: ignore[return-value]


class SceneRenderer:
    def __init__(self, number: int, name: str, colour: tuple[int, int, int], subtitle: str = "") -> None:
        self.number = number
        self.name = name
        self.colour = colour
        self.subtitle = subtitle
        rng = random.Random(number * 7919)
        self.buildings = [
            Building(rng.uniform(-180, 180), rng.uniform(4, 14), rng.uniform(3, 22), rng.uniform(0.72, 0.9))
            for _ in range(28)
        ]

    def view(self, position: Position) -> tuple[float, float, float]:
        """Centre azimuth, centre elevation and horizontal field of view, in degrees."""
        hfov = WIDE_HFOV * (TELE_HFOV / WIDE_HFOV) ** max(0.0, min(1.0, position.zoom))
        vfov = hfov * 9 / 16
        azimuth = max(-1.0, min(1.0, position.pan)) * 180.0
        limit = max(0.0, WORLD_HALF_HEIGHT - vfov / 2)
        elevation = max(-limit, min(limit, max(-1.0, min(1.0, position.tilt)) * WORLD_HALF_HEIGHT))
        return azimuth, elevation, hfov

    def render(
        self, width: int, height: int, position: Position, *, caption: bool = True
    ) -> npt.NDArray[np.uint8]:
        img = Image.new("RGB", (width, height), self.colour)
        draw = ImageDraw.Draw(img)
        azimuth, elevation, hfov = self.view(position)
        scale = width / hfov  # pixels per degree

        def x_of(az: float) -> float:
            d = (az - azimuth + 180.0) % 360.0 - 180.0
            return width / 2 + d * scale

        def y_of(el: float) -> float:
            return height / 2 - (el - elevation) * scale

        horizon = y_of(0.0)
        if horizon < height:
            draw.rectangle((0, max(0.0, horizon), width, height), fill=_shade(self.colour, 0.8))
        for b in self.buildings:
            x0, x1 = x_of(b.azimuth - b.width / 2), x_of(b.azimuth + b.width / 2)
            if x1 < 0 or x0 > width or x1 - x0 > 3 * width:
                continue
            top = y_of(b.height)
            draw.rectangle((x0, top, x1, horizon), fill=_shade(self.colour, b.shade))
            win = max(2.0, scale * 0.8)
            wy = top + win
            while wy < horizon - win:
                wx = x0 + win
                while wx < x1 - win:
                    draw.rectangle((wx, wy, wx + win * 0.6, wy + win * 0.8), fill=_shade(self.colour, 1.25))
                    wx += win * 1.6
                wy += win * 1.8
        grid_font = _font(max(10, height // 40))
        line = _shade(self.colour, 1.15)
        step = 10 if hfov > 20 else 2
        first = int((azimuth - hfov) // step) * step
        for az in range(first, int(azimuth + hfov) + step, step):
            x = x_of(float(az))
            if 0 <= x <= width:
                draw.line((x, 0, x, height), fill=line, width=1)
                label = f"{((az + 180) % 360) - 180:+d}°"
                draw.text((x + 4, horizon + 4), label, fill=_shade(self.colour, 1.4), font=grid_font)
        for el in range(-40, 50, step):
            y = y_of(float(el))
            if 0 <= y <= height:
                draw.line((0, y, width, y), fill=line, width=1)
        if caption:
            self._caption(draw, width, height, position)
        return np.asarray(img, np.uint8)

    def _caption(self, draw: ImageDraw.ImageDraw, width: int, height: int, position: Position) -> None:
        big = _font(height // 3)
        mid = _font(max(10, height // 14))
        small = _font(max(9, height // 28))
        number = str(self.number)
        nb = draw.textbbox((0, 0), number, font=big)
        x = (width - (nb[2] - nb[0])) / 2 - nb[0]
        y = height * 0.26 - nb[1]
        draw.text(
            (x, y),
            number,
            fill=(245, 245, 245),
            font=big,
            stroke_width=max(2, height // 180),
            stroke_fill=(20, 20, 20),
        )
        tb = draw.textbbox((0, 0), self.name, font=mid)
        ty = y + nb[3] + height * 0.03
        draw.text(
            ((width - (tb[2] - tb[0])) / 2, ty),
            self.name,
            fill=(245, 245, 245),
            font=mid,
            stroke_width=max(1, height // 360),
            stroke_fill=(20, 20, 20),
        )
        info = f"{self.subtitle}   PTZ {position.pan:+.2f} {position.tilt:+.2f} x{position.zoom:.2f}"
        draw.text((height * 0.02, height * 0.94), info.strip(), fill=(235, 235, 235), font=small)
