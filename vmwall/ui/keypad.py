"""The control-room keypad: a number, then what to do with it. Pure Python (the grid feeds it keys).

Operators drive the grid without a mouse: ``12 Enter`` calls camera 12 into the selected tile,
``3 *`` selects tile 3, arrows move the selection, ``+``/``-`` step the selected tile to the next or
previous camera. Keys are configurable (``vmwall.config.settings``); digits are the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vmwall.model import Layout
from vmwall.model.camera import MAX_CAMERA_NUMBER

MAX_DIGITS = len(str(MAX_CAMERA_NUMBER))


@dataclass
class KeypadEntry:
    """The number being typed."""

    text: str = ""

    def digit(self, digit: str) -> bool:
        """Append a digit; False (ignored) when the number is already as long as a number can be."""
        if len(digit) != 1 or not digit.isdigit():
            raise ValueError(f"not a digit: {digit!r}")
        if len(self.text) >= MAX_DIGITS:
            return False
        self.text += digit
        return True

    def backspace(self) -> None:
        self.text = self.text[:-1]

    def clear(self) -> None:
        self.text = ""

    def take(self) -> int | None:
        """The number typed (None if nothing), and start over."""
        text, self.text = self.text, ""
        value = int(text) if text else None
        return value if value else None


class Direction(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    UP = "up"
    DOWN = "down"


def neighbour(layout: Layout, index: int, direction: Direction) -> int:
    """The tile next to tile ``index`` in ``direction``, by geometry (spans included).

    Among the tiles on that side whose span overlaps this tile's rows (or columns), the nearest;
    ties go to the one best aligned. At the edge, wraps to the far side on the same line.
    """
    tiles = layout.tiles
    here = tiles[index]
    horizontal = direction in (Direction.LEFT, Direction.RIGHT)

    def span(t_start: int, t_len: int) -> tuple[int, int]:
        return t_start, t_start + t_len

    def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
        return max(0, min(a[1], b[1]) - max(a[0], b[0]))

    mine_cross = span(here.row, here.row_span) if horizontal else span(here.column, here.column_span)
    centre = (here.column + here.column_span / 2) if horizontal else (here.row + here.row_span / 2)
    candidates: list[tuple[float, int, int]] = []
    for i, tile in enumerate(tiles):
        if i == index:
            continue
        cross = span(tile.row, tile.row_span) if horizontal else span(tile.column, tile.column_span)
        shared = overlap(mine_cross, cross)
        if not shared:
            continue
        other = (tile.column + tile.column_span / 2) if horizontal else (tile.row + tile.row_span / 2)
        distance = other - centre
        if direction in (Direction.LEFT, Direction.UP):
            distance = -distance
        if distance <= 0:
            distance += layout.columns * 2 if horizontal else layout.rows * 2  # wrap around
        candidates.append((distance, -shared, i))
    if not candidates:
        return index
    return min(candidates)[2]
