"""Renders the band at the top of every simulated frame: camera, clock, frame counter, stamp.

Luma only: the band is grey and white, so its chroma is constant. Glyphs are rendered once;
composing a frame's band is a few numpy slice assignments.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from vmwall.sim.stamp import stamp_row

BACKGROUND = 40  # dark grey, video-range luma
TEXT = 235
_DYNAMIC_CHARS = "0123456789-:. #"
MB = 16


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSansMono-Bold.ttf", "DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


class BandRenderer:
    """Band of ``rows`` macroblock rows over ``width`` pixels for one camera."""

    def __init__(self, width: int, rows: int, camera: int, label: str) -> None:
        self.camera = camera
        self.height = rows * MB
        self.width = width
        self.stamp_height = max(8, self.height // 4)
        text_height = self.height - self.stamp_height
        font = _font(max(8, int(text_height * 0.72)))
        self._cell_w = max(int(font.getlength(ch)) for ch in _DYNAMIC_CHARS) + 1
        self._glyph_h = text_height
        self._glyphs = {ch: self._render(ch, font, self._cell_w) for ch in _DYNAMIC_CHARS}
        self._template = np.full((self.height, width), BACKGROUND, np.uint8)
        prefix = self._render(label + "  ", font, None)
        self._text_x = min(prefix.shape[1], width // 3) + MB
        self._template[: self._glyph_h, : min(prefix.shape[1], width)] = prefix[:, :width]
        self._last_text = ""

    def _render(
        self, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, cell_w: int | None
    ) -> npt.NDArray[np.uint8]:
        w = cell_w or int(font.getlength(text)) + 8
        img = Image.new("L", (w, self._glyph_h), BACKGROUND)
        draw = ImageDraw.Draw(img)
        bbox = font.getbbox("0")
        y = (self._glyph_h - (bbox[3] - bbox[1])) // 2 - bbox[1]
        draw.text((4 if cell_w is None else 0, y), text, fill=TEXT, font=font)
        return np.asarray(img, np.uint8)

    def text_for(self, frame: int, wall_time: float) -> str:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(wall_time))
        millis = int(wall_time * 1000) % 1000
        return f"{stamp}.{millis:03d}  #{frame:07d}"

    def render(self, frame: int, wall_time: float) -> npt.NDArray[np.uint8]:
        band = self._template.copy()
        x = self._text_x
        for ch in self.text_for(frame, wall_time):
            if x + self._cell_w > self.width:
                break
            band[: self._glyph_h, x : x + self._cell_w] = self._glyphs[ch]
            x += self._cell_w
        row = stamp_row(self.width, self.camera, frame, int(wall_time * 1000))
        band[self.height - self.stamp_height :, :] = row
        return band
