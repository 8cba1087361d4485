"""Named accounts and their commune scope."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vmwall.model import AgrementStatus, Role, User
from vmwall.store.db import Database
from vmwall.store.errors import DuplicateError, NotFoundError, StoreError
from vmwall.store.repositories._common import Explain, explained_conflicts, require_no_id
from vmwall.store.tables import CommuneRow, UserCommuneRow, UserRow


def _to_user(row: UserRow, communes: frozenset[int]) -> User:
    return User(
        login=row.login,
        full_name=row.full_name,
        role=Role(row.role),
        employer=row.employer,
        communes=communes,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        agrement_ref=row.agrement_ref,
        agrement_expiry=row.agrement_expiry,
        agrement_status=None if row.agrement_status is None else AgrementStatus(row.agrement_status),
        active=row.active,
        id=row.id,
        training_date=row.training_date,
        charter_date=row.charter_date,
    )


def _scope(session: Session, user_id: int) -> frozenset[int]:
    query = select(UserCommuneRow.commune_id).where(UserCommuneRow.user_id == user_id)
    return frozenset(session.scalars(query))


def _load(session: Session, row: UserRow) -> User:
    return _to_user(row, _scope(session, row.id))


def _fill(row: UserRow, user: User) -> None:
    row.login = user.login
    row.full_name = user.full_name
    row.role = user.role.value
    row.employer = user.employer
    row.valid_from = user.valid_from
    row.valid_until = user.valid_until
    row.agrement_ref = user.agrement_ref
    row.agrement_expiry = user.agrement_expiry
    row.agrement_status = None if user.agrement_status is None else user.agrement_status.value
    row.active = user.active
    row.training_date = user.training_date
    row.charter_date = user.charter_date


def _conflict(user: User) -> Explain:
    def explain(session: Session) -> StoreError:
        if session.scalar(select(UserRow.id).where(UserRow.login == user.login)) is not None:
            return DuplicateError(
                f"login {user.login!r} already exists (named accounts only: one per person)"
            )
        known = set(session.scalars(select(CommuneRow.id).where(CommuneRow.id.in_(user.communes))))
        missing = sorted(user.communes - known)
        if missing:
            return NotFoundError(f"user {user.login!r}: commune id {missing[0]} does not exist")
        return StoreError(f"the database refused user {user.login!r}")

    return explain


class UserRepository:
    """Accounts. ``User.communes`` is the scope: an empty set means every commune of the centre."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, user: User) -> User:
        """Store a new account with its commune scope; DuplicateError if the login is taken."""
        require_no_id("user", user.id)
        with self._db.session() as session:
            row = UserRow()
            _fill(row, user)
            with explained_conflicts(session, _conflict(user)):
                session.add(row)
                session.flush()
                session.add_all(UserCommuneRow(user_id=row.id, commune_id=c) for c in sorted(user.communes))
            return _load(session, row)

    def get(self, user_id: int) -> User:
        with self._db.session(write=False) as session:
            row = session.get(UserRow, user_id)
            if row is None:
                raise NotFoundError(f"user id {user_id} does not exist")
            return _load(session, row)

    def get_by_login(self, login: str) -> User | None:
        with self._db.session(write=False) as session:
            row = session.scalar(select(UserRow).where(UserRow.login == login))
            return None if row is None else _load(session, row)

    def set_active(self, login: str, active: bool) -> User:
        """Enable or disable an account at once (e.g. when an agrément is suspended)."""
        with self._db.session() as session:
            row = session.scalar(select(UserRow).where(UserRow.login == login))
            if row is None:
                raise NotFoundError(f"no user with login {login!r}")
            row.active = active
            session.flush()
            return _load(session, row)

    def list(self) -> list[User]:
        """Every account, by login."""
        with self._db.session(write=False) as session:
            rows = list(session.scalars(select(UserRow).order_by(UserRow.login)))
            scopes: dict[int, set[int]] = {row.id: set() for row in rows}
            for user_id, commune_id in session.execute(
                select(UserCommuneRow.user_id, UserCommuneRow.commune_id)
            ):
                scopes.setdefault(user_id, set()).add(commune_id)
            return [_to_user(row, frozenset(scopes[row.id])) for row in rows]
