"""Communes (tenants)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from vmwall.model import Commune, Forfait
from vmwall.store.db import Database
from vmwall.store.errors import DuplicateError, NotFoundError, StoreError
from vmwall.store.repositories._common import Explain, explained_conflicts, require_id, require_no_id
from vmwall.store.tables import CommuneRow


def to_commune(row: CommuneRow) -> Commune:
    return Commune(
        name=row.name,
        insee_code=row.insee_code,
        forfait=Forfait(row.forfait),
        retention_days=row.retention_days,
        authorisation_ref=row.authorisation_ref,
        authorisation_expiry=row.authorisation_expiry,
        live_hours=row.live_hours,
        id=row.id,
    )


def _fill(row: CommuneRow, commune: Commune) -> None:
    row.name = commune.name
    row.insee_code = commune.insee_code
    row.forfait = commune.forfait.value
    row.retention_days = commune.retention_days
    row.authorisation_ref = commune.authorisation_ref
    row.authorisation_expiry = commune.authorisation_expiry
    row.live_hours = commune.live_hours


def _describe(row: CommuneRow) -> str:
    return f"commune {row.name!r} (INSEE {row.insee_code}, id {row.id})"


def _conflict(commune: Commune, own_id: int | None = None) -> Explain:
    """Explains why ``commune`` could not be written: its name or INSEE code is taken."""

    def explain(session: Session) -> StoreError:
        for other in session.scalars(
            select(CommuneRow).where(
                or_(CommuneRow.name == commune.name, CommuneRow.insee_code == commune.insee_code)
            )
        ):
            if other.id == own_id:
                continue
            if other.name == commune.name:
                return DuplicateError(f"commune {commune.name!r} already exists: {_describe(other)}")
            return DuplicateError(f"INSEE code {commune.insee_code} is already used by {_describe(other)}")
        return StoreError(f"the database refused commune {commune.name!r}")

    return explain


class CommuneRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, commune: Commune) -> Commune:
        """Store a new commune and return it with its id. DuplicateError if name or INSEE is taken."""
        require_no_id("commune", commune.id)
        with self._db.session() as session:
            row = CommuneRow()
            _fill(row, commune)
            with explained_conflicts(session, _conflict(commune)):
                session.add(row)
            return to_commune(row)

    def get(self, commune_id: int) -> Commune:
        with self._db.session(write=False) as session:
            row = session.get(CommuneRow, commune_id)
            if row is None:
                raise NotFoundError(f"commune id {commune_id} does not exist")
            return to_commune(row)

    def get_by_name(self, name: str) -> Commune | None:
        with self._db.session(write=False) as session:
            row = session.scalar(select(CommuneRow).where(CommuneRow.name == name))
            return None if row is None else to_commune(row)

    def get_by_insee(self, insee_code: str) -> Commune | None:
        with self._db.session(write=False) as session:
            row = session.scalar(select(CommuneRow).where(CommuneRow.insee_code == insee_code))
            return None if row is None else to_commune(row)

    def get_or_create(self, commune: Commune) -> Commune:
        """The stored commune of that name, else ``commune`` newly added.

        DuplicateError if the stored one has another INSEE code (two catalogues disagree: a person
        must decide), or if the INSEE code belongs to a commune of another name.
        """
        with self._db.session() as session:
            row = session.scalar(select(CommuneRow).where(CommuneRow.name == commune.name))
            if row is not None:
                if row.insee_code != commune.insee_code:
                    raise DuplicateError(
                        f"commune {commune.name!r} exists with INSEE code {row.insee_code},"
                        f" not {commune.insee_code}: {_describe(row)}"
                    )
                return to_commune(row)
            row = CommuneRow()
            _fill(row, commune)
            with explained_conflicts(session, _conflict(commune)):
                session.add(row)
            return to_commune(row)

    def update(self, commune: Commune) -> Commune:
        """Overwrite the stored commune with the same id. NotFoundError, DuplicateError."""
        commune_id = require_id("commune", commune.id)
        with self._db.session() as session:
            row = session.get(CommuneRow, commune_id)
            if row is None:
                raise NotFoundError(f"commune id {commune_id} does not exist (updating {commune.name!r})")
            with explained_conflicts(session, _conflict(commune, own_id=commune_id)):
                _fill(row, commune)
            return to_commune(row)

    def list(self) -> list[Commune]:
        """Every commune, by name."""
        with self._db.session(write=False) as session:
            return [to_commune(row) for row in session.scalars(select(CommuneRow).order_by(CommuneRow.name))]
