"""Accounts with their password state, for vmwall.accounts (which defines ``AccountStore``).

The password hash is an opaque string made by ``vmwall.accounts.passwords``: the store never sees a
password. ``UserRepository`` remains the read-only view of accounts for everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import delete, func, inspect, select, text, update
from sqlalchemy.orm import Session

from vmwall.accounts.store import StoredAccount
from vmwall.model import User
from vmwall.store.db import Database
from vmwall.store.errors import DuplicateError, NotFoundError, StoreError
from vmwall.store.repositories._common import Explain, explained_conflicts, require_no_id
from vmwall.store.repositories.users import _conflict, _fill, _scope, _to_user
from vmwall.store.tables import CommuneRow, UserCommuneRow, UserRow


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes: every one stored here was UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _stored(row: UserRow, user: User) -> StoredAccount:
    return StoredAccount(
        user=user,
        password_hash=row.password_hash,
        failed_logins=row.failed_logins,
        last_failed_at=_utc(row.last_failed_at),
        last_login_at=_utc(row.last_login_at),
        password_changed_at=_utc(row.credential_changed_at),
    )


def _scope_conflict(user: User) -> Explain:
    """An update changes no login: a refused update is a commune that does not exist."""

    def explain(session: Session) -> StoreError:
        known = set(session.scalars(select(CommuneRow.id).where(CommuneRow.id.in_(user.communes))))
        missing = sorted(user.communes - known)
        if missing:
            return NotFoundError(f"user {user.login!r}: commune id {missing[0]} does not exist")
        return StoreError(f"the database refused the changes to user {user.login!r}")

    return explain


def _row(session: Session, login: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.login == login))
    if row is None:
        raise NotFoundError(f"no user with login {login!r}")
    return row


class AccountRepository:
    """``database`` may be a callable returning the Database, for a console that opens it lazily
    (on a worker, at the first login)."""

    def __init__(self, database: Database | Callable[[], Database]) -> None:
        self._source = database

    def _db(self) -> Database:
        return self._source if isinstance(self._source, Database) else self._source()

    def ready(self) -> bool:
        """Whether the schema has the accounts columns (revision 0003): before it, no account could
        have a password, so nobody can sign in yet (``vmwall db`` runs to upgrade it)."""
        with self._db().engine.connect() as connection:
            inspector = inspect(connection)
            if not inspector.has_table("users"):
                return False
            return "failed_logins" in {column["name"] for column in inspector.get_columns("users")}

    def count(self) -> int:
        with self._db().session(write=False) as session:
            return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)

    def find(self, login: str) -> StoredAccount | None:
        with self._db().session(write=False) as session:
            row = session.scalar(select(UserRow).where(UserRow.login == login))
            return None if row is None else _stored(row, _to_user(row, _scope(session, row.id)))

    def list(self) -> list[StoredAccount]:
        with self._db().session(write=False) as session:
            rows = list(session.scalars(select(UserRow).order_by(UserRow.login)))
            scopes: dict[int, set[int]] = {row.id: set() for row in rows}
            for user_id, commune_id in session.execute(
                select(UserCommuneRow.user_id, UserCommuneRow.commune_id)
            ):
                scopes.setdefault(user_id, set()).add(commune_id)
            return [_stored(row, _to_user(row, frozenset(scopes[row.id]))) for row in rows]

    def create(self, user: User, password_hash: str, at: datetime, *, only_if_empty: bool = False) -> User:
        require_no_id("user", user.id)
        database = self._db()
        with database.session() as session:
            if only_if_empty:
                if database.dialect == "postgresql":
                    # Two first administrators created at once: the second waits, then sees the first.
                    session.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))
                if session.scalar(select(func.count()).select_from(UserRow)):
                    raise DuplicateError(
                        "the database already has accounts: an administrator creates new ones"
                        " (VMWALL_USER and VMWALL_PASSWORD, or the prompt)"
                    )
            row = UserRow(password_hash=password_hash, credential_changed_at=at, failed_logins=0)
            _fill(row, user)
            with explained_conflicts(session, _conflict(user)):
                session.add(row)
                session.flush()
                session.add_all(UserCommuneRow(user_id=row.id, commune_id=c) for c in sorted(user.communes))
            return _to_user(row, _scope(session, row.id))

    def update(self, user: User) -> User:
        with self._db().session() as session:
            row = _row(session, user.login)
            with explained_conflicts(session, _scope_conflict(user)):
                _fill(row, user)
                session.execute(delete(UserCommuneRow).where(UserCommuneRow.user_id == row.id))
                session.add_all(UserCommuneRow(user_id=row.id, commune_id=c) for c in sorted(user.communes))
            session.flush()
            return _to_user(row, _scope(session, row.id))

    def set_password(self, login: str, password_hash: str, at: datetime) -> None:
        with self._db().session() as session:
            row = _row(session, login)
            row.password_hash = password_hash
            row.credential_changed_at = at
            row.failed_logins = 0
            row.last_failed_at = None

    def record_failure(self, login: str, at: datetime) -> None:
        with self._db().session() as session:
            session.execute(
                update(UserRow)
                .where(UserRow.login == login)
                .values(failed_logins=UserRow.failed_logins + 1, last_failed_at=at)
            )

    def record_success(self, login: str, at: datetime) -> None:
        with self._db().session() as session:
            session.execute(
                update(UserRow)
                .where(UserRow.login == login)
                .values(failed_logins=0, last_failed_at=None, last_login_at=at)
            )

    def reset_failures(self, login: str) -> None:
        with self._db().session() as session:
            session.execute(
                update(UserRow).where(UserRow.login == login).values(failed_logins=0, last_failed_at=None)
            )
