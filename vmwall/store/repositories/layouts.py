"""Layouts (grids of tiles) and saved views (a layout filled with cameras)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from vmwall.model import Layout, SavedView, Tile
from vmwall.store.db import Database
from vmwall.store.errors import DuplicateError, NotFoundError, StoreError
from vmwall.store.repositories._common import (
    Explain,
    dumps,
    explained_conflicts,
    loads,
    require_id,
    require_no_id,
)
from vmwall.store.tables import LayoutRow, SavedViewRow, UserRow

# ---------------------------------------------------------------------------------------- layouts


def _tiles_to_json(tiles: tuple[Tile, ...]) -> str:
    return dumps(
        [
            {"row": t.row, "column": t.column, "row_span": t.row_span, "column_span": t.column_span}
            for t in tiles
        ]
    )


def to_layout(row: LayoutRow) -> Layout:
    try:
        raw = loads(row.tiles)
        if not isinstance(raw, list):
            raise TypeError("not a list")
        tiles = tuple(
            Tile(int(t["row"]), int(t["column"]), int(t["row_span"]), int(t["column_span"])) for t in raw
        )
        return Layout(row.name, row.rows, row.columns, tiles, id=row.id)
    except (KeyError, TypeError, ValueError) as error:
        raise StoreError(f"layout {row.name!r} (id {row.id}) is stored damaged: {error}") from None


def _fill_layout(row: LayoutRow, layout: Layout) -> None:
    row.name = layout.name
    row.rows = layout.rows
    row.columns = layout.columns
    row.tiles = _tiles_to_json(layout.tiles)


def _layout_conflict(layout: Layout) -> Explain:
    def explain(_session: Session) -> StoreError:
        return DuplicateError(f"a layout named {layout.name!r} already exists")

    return explain


class LayoutRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, layout: Layout) -> Layout:
        """Store a new layout; DuplicateError if the name is taken."""
        require_no_id("layout", layout.id)
        with self._db.session() as session:
            row = LayoutRow()
            _fill_layout(row, layout)
            with explained_conflicts(session, _layout_conflict(layout)):
                session.add(row)
            return to_layout(row)

    def update(self, layout: Layout) -> Layout:
        layout_id = require_id("layout", layout.id)
        with self._db.session() as session:
            row = session.get(LayoutRow, layout_id)
            if row is None:
                raise NotFoundError(f"layout id {layout_id} does not exist (updating {layout.name!r})")
            with explained_conflicts(session, _layout_conflict(layout)):
                _fill_layout(row, layout)
            return to_layout(row)

    def get(self, layout_id: int) -> Layout:
        with self._db.session(write=False) as session:
            row = session.get(LayoutRow, layout_id)
            if row is None:
                raise NotFoundError(f"layout id {layout_id} does not exist")
            return to_layout(row)

    def get_by_name(self, name: str) -> Layout | None:
        with self._db.session(write=False) as session:
            row = session.scalar(select(LayoutRow).where(LayoutRow.name == name))
            return None if row is None else to_layout(row)

    def delete(self, layout_id: int) -> None:
        with self._db.session() as session:
            row = session.get(LayoutRow, layout_id)
            if row is None:
                raise NotFoundError(f"layout id {layout_id} does not exist")
            session.delete(row)

    def list(self) -> list[Layout]:
        """Every stored layout, by name (built-in layouts ship as files, not here)."""
        with self._db.session(write=False) as session:
            return [to_layout(row) for row in session.scalars(select(LayoutRow).order_by(LayoutRow.name))]


# ------------------------------------------------------------------------------------ saved views


def to_saved_view(row: SavedViewRow) -> SavedView:
    raw = loads(row.cameras)
    if not isinstance(raw, list) or not all(n is None or isinstance(n, int) for n in raw):
        raise StoreError(f"saved view {row.name!r} (id {row.id}) is stored damaged: bad camera list")
    return SavedView(row.name, row.layout_name, tuple(raw), owner_id=row.owner_id, id=row.id)


def _fill_view(row: SavedViewRow, view: SavedView) -> None:
    row.name = view.name
    row.layout_name = view.layout_name
    row.cameras = dumps(list(view.cameras))
    row.owner_id = view.owner_id


def _whose(owner_id: int | None) -> str:
    return "shared" if owner_id is None else f"of user id {owner_id}"


def _view_conflict(view: SavedView) -> Explain:
    def explain(session: Session) -> StoreError:
        if view.owner_id is not None and session.get(UserRow, view.owner_id) is None:
            return NotFoundError(f"user id {view.owner_id} does not exist (saved view {view.name!r})")
        return DuplicateError(f"a saved view {view.name!r} {_whose(view.owner_id)} already exists")

    return explain


class SavedViewRepository:
    """Saved views: each user's own, plus shared ones (owner None) that every user sees."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, view: SavedView) -> SavedView:
        """Store a new view; DuplicateError if its owner (or the shared set) has one of that name."""
        require_no_id("saved view", view.id)
        with self._db.session() as session:
            row = SavedViewRow()
            _fill_view(row, view)
            with explained_conflicts(session, _view_conflict(view)):
                session.add(row)
            return to_saved_view(row)

    def update(self, view: SavedView) -> SavedView:
        view_id = require_id("saved view", view.id)
        with self._db.session() as session:
            row = session.get(SavedViewRow, view_id)
            if row is None:
                raise NotFoundError(f"saved view id {view_id} does not exist (updating {view.name!r})")
            with explained_conflicts(session, _view_conflict(view)):
                _fill_view(row, view)
            return to_saved_view(row)

    def get(self, view_id: int) -> SavedView:
        with self._db.session(write=False) as session:
            row = session.get(SavedViewRow, view_id)
            if row is None:
                raise NotFoundError(f"saved view id {view_id} does not exist")
            return to_saved_view(row)

    def delete(self, view_id: int) -> None:
        with self._db.session() as session:
            row = session.get(SavedViewRow, view_id)
            if row is None:
                raise NotFoundError(f"saved view id {view_id} does not exist")
            session.delete(row)

    def list_for(self, user_id: int | None) -> list[SavedView]:
        """The user's own views and the shared ones, by name, own first on a tie.

        ``user_id`` None lists only the shared views.
        """
        query = select(SavedViewRow).order_by(SavedViewRow.name, SavedViewRow.owner_id.is_(None))
        if user_id is None:
            query = query.where(SavedViewRow.owner_id.is_(None))
        else:
            query = query.where(or_(SavedViewRow.owner_id == user_id, SavedViewRow.owner_id.is_(None)))
        with self._db.session(write=False) as session:
            return [to_saved_view(row) for row in session.scalars(query)]
