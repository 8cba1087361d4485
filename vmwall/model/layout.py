"""Layouts (grids of tiles) and saved views (a layout filled with cameras)."""

from __future__ import annotations

from dataclasses import dataclass

from vmwall.model.errors import ValidationError


@dataclass(frozen=True, slots=True)
class Tile:
    """A rectangle of grid cells: top-left cell and span."""

    row: int
    column: int
    row_span: int = 1
    column_span: int = 1

    def cells(self) -> set[tuple[int, int]]:
        return {
            (r, c)
            for r in range(self.row, self.row + self.row_span)
            for c in range(self.column, self.column + self.column_span)
        }


@dataclass(frozen=True, slots=True)
class Layout:
    """A grid of ``rows`` x ``columns`` cells covered exactly once by ``tiles`` (reading order)."""

    name: str
    rows: int
    columns: int
    tiles: tuple[Tile, ...]
    id: int | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValidationError("a layout needs a name")
        if not (1 <= self.rows <= 12 and 1 <= self.columns <= 12):
            raise ValidationError(f"layout {self.name!r}: grid {self.rows}x{self.columns} is outside 1..12")
        if not self.tiles:
            raise ValidationError(f"layout {self.name!r} has no tiles")
        seen: set[tuple[int, int]] = set()
        for index, tile in enumerate(self.tiles):
            if tile.row_span < 1 or tile.column_span < 1:
                raise ValidationError(f"layout {self.name!r}: tile {index + 1} has an empty span")
            cells = tile.cells()
            outside = [c for c in cells if not (0 <= c[0] < self.rows and 0 <= c[1] < self.columns)]
            if outside:
                raise ValidationError(f"layout {self.name!r}: tile {index + 1} goes outside the grid")
            if cells & seen:
                raise ValidationError(f"layout {self.name!r}: tile {index + 1} overlaps another tile")
            seen |= cells
        if len(seen) != self.rows * self.columns:
            raise ValidationError(f"layout {self.name!r}: tiles leave cells of the grid uncovered")

    @classmethod
    def grid(cls, rows: int, columns: int, name: str | None = None) -> Layout:
        tiles = tuple(Tile(r, c) for r in range(rows) for c in range(columns))
        return cls(name or f"{rows}x{columns}", rows, columns, tiles)


@dataclass(frozen=True, slots=True)
class SavedView:
    """A named layout with a camera number per tile (None = empty tile).

    ``owner_id`` None means shared with every user of the centre.
    """

    name: str
    layout_name: str
    cameras: tuple[int | None, ...]
    owner_id: int | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValidationError("a saved view needs a name")
