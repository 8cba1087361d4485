"""The machine-readable stamp burned into every simulated frame, and its reader.

A row of 68 black/white cells spans the picture width: guard cells (white, black), 64 data bits,
guard cells (black, white). Data: camera number (12 bits), frame counter (20 bits, wraps), wall
clock in milliseconds modulo 2**24 (about 4 h 40 min), CRC-8. Tests and benchmarks read it from
decoded or grabbed pixels to prove which camera a tile shows and how late its picture is.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

CELLS = 68
DATA_BITS = 64
TIME_MODULO_MS = 1 << 24
FRAME_MODULO = 1 << 20
MAX_CAMERA = (1 << 12) - 1
WHITE = 235  # video-range luma
BLACK = 16


@dataclass(frozen=True, slots=True)
class Stamp:
    camera: int
    frame: int  # modulo 2**20
    time_ms: int  # wall clock in ms, modulo 2**24

    def age_ms(self, now_ms: int) -> int:
        """How long ago (ms) this frame was stamped, given the current wall clock in ms."""
        return (now_ms - self.time_ms) % TIME_MODULO_MS


def crc8(value: int, nbits: int = 56) -> int:
    crc = 0
    for i in range(nbits - 1, -1, -1):
        bit = (value >> i) & 1
        top = (crc >> 7) & 1
        crc = ((crc << 1) & 0xFF) ^ (0x07 if bit ^ top else 0)
    return crc


def stamp_bits(camera: int, frame: int, time_ms: int) -> list[int]:
    if not 0 <= camera <= MAX_CAMERA:
        raise ValueError(f"camera {camera} does not fit in the stamp")
    payload = (camera << 44) | ((frame % FRAME_MODULO) << 24) | (time_ms % TIME_MODULO_MS)
    word = (payload << 8) | crc8(payload)
    return [(word >> (DATA_BITS - 1 - i)) & 1 for i in range(DATA_BITS)]


def stamp_row(width: int, camera: int, frame: int, time_ms: int) -> npt.NDArray[np.uint8]:
    """One row of luma samples (length ``width``) drawing the stamp's cells."""
    cells = np.array([1, 0, *stamp_bits(camera, frame, time_ms), 0, 1], np.uint8)
    return np.where(cells[_cell_index(width)] == 1, WHITE, BLACK).astype(np.uint8)


@functools.lru_cache(maxsize=16)
def _cell_index(width: int) -> npt.NDArray[np.intp]:
    """For each pixel of a row of ``width``, the stamp cell it belongs to."""
    edges = np.linspace(0, width, CELLS + 1).round().astype(int)
    return np.searchsorted(edges, np.arange(width), side="right") - 1


def decode_stamp(rgb: npt.NDArray[np.uint8], search_fraction: float = 0.15) -> Stamp | None:
    """Find and read a stamp in the top part of a frame (any scale). None if there is none."""
    height, width = rgb.shape[:2]
    if width < CELLS * 2 or height < 8:
        return None
    luma = rgb[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    centres = ((np.arange(CELLS) + 0.5) * width / CELLS).astype(int)
    for y in range(max(1, int(height * search_fraction))):
        samples = luma[y, centres]
        bits = (samples > 128).astype(int)
        if list(bits[:2]) != [1, 0] or list(bits[-2:]) != [0, 1]:
            continue
        # Cells must be clearly black or white: a row through text or a blurred edge is not a stamp.
        if np.any(np.abs(samples - 128) < 50):
            continue
        word = 0
        for bit in bits[2:-2]:
            word = (word << 1) | int(bit)
        payload, check = word >> 8, word & 0xFF
        if crc8(payload) != check:
            continue
        return Stamp(payload >> 44, (payload >> 24) & (FRAME_MODULO - 1), payload & (TIME_MODULO_MS - 1))
    return None
