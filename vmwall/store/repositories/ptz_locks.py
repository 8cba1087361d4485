"""The PTZ control locks in the shared database: the `vmwall.ptz.api.LockStore` every console uses.

Every call is one transaction. ``acquire`` reads the camera's row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's write transactions start with ``BEGIN IMMEDIATE`` and so run one at a time),
decides with `vmwall.model.ptz.decide_lock`, and writes with a compare-and-set on the row's
``version`` (an UPDATE that matches no row, or an INSERT that collides with a concurrent one, is
retried with a fresh read). Two consoles asking at once therefore never both win.

Times come from the caller (UTC): the workstations' clocks are assumed synchronised (NTP), as they
must be anyway for the journal and the audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, exc, select, update
from sqlalchemy.orm import Session

from vmwall.model.ptz import LockHolder, LockOutcome, LockStatus, Operator, decide_lock, new_holder
from vmwall.store.db import Database
from vmwall.store.errors import NotFoundError, StoreError
from vmwall.store.tables import CameraRow
from vmwall.store.tables_ptz import PtzLockRow

_ATTEMPTS = 5


class _CollisionError(Exception):
    """Someone wrote the row between our read and our write: read again."""


def _to_holder(row: PtzLockRow) -> LockHolder:
    return LockHolder(
        camera=row.camera,
        login=row.login,
        full_name=row.full_name,
        console=row.console,
        priority=row.priority,
        session=row.session,
        since=row.since,
        until=row.until,
        role=row.role,
    )


def _values(holder: LockHolder) -> dict[str, object]:
    return {
        "login": holder.login,
        "full_name": holder.full_name,
        "role": holder.role,
        "console": holder.console,
        "priority": holder.priority,
        "session": holder.session,
        "since": holder.since,
        "until": holder.until,
    }


def _check_lease(lease_s: float) -> timedelta:
    if not 0 < lease_s <= 24 * 3600:
        raise ValueError(f"lease {lease_s} s is outside 0..24 h")
    return timedelta(seconds=lease_s)


class PtzLockRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def acquire(
        self, camera: int, operator: Operator, lease_s: float, *, take_over: bool, now: datetime
    ) -> LockOutcome:
        lease = _check_lease(lease_s)
        for _attempt in range(_ATTEMPTS):
            try:
                with self._db.session() as session:
                    return self._acquire(session, camera, operator, lease, take_over, now)
            except _CollisionError:
                continue
        raise StoreError(f"the PTZ lock of camera {camera} kept changing under us; try again")

    def _acquire(
        self,
        session: Session,
        camera: int,
        operator: Operator,
        lease: timedelta,
        take_over: bool,
        now: datetime,
    ) -> LockOutcome:
        query = select(PtzLockRow).where(PtzLockRow.camera == camera).with_for_update()
        row = session.scalars(query).one_or_none()
        current = _to_holder(row) if row is not None else None
        status, other = decide_lock(current, operator, take_over=take_over, now=now)
        if status is LockStatus.REFUSED:
            assert other is not None
            return LockOutcome(status, other)
        ours = current is not None and current.session == operator.session and current.until > now
        since = current.since if ours and current is not None else now
        holder = new_holder(camera, operator, since=since, until=now + lease)
        if row is None:
            try:
                with session.begin_nested():
                    session.add(PtzLockRow(camera=camera, version=1, **_values(holder)))
            except exc.IntegrityError:
                if not self._camera_exists(session, camera):
                    raise NotFoundError(f"camera {camera} is not in the catalogue") from None
                raise _CollisionError() from None
        else:
            result = session.execute(
                update(PtzLockRow)
                .where(PtzLockRow.camera == camera, PtzLockRow.version == row.version)
                .values(version=row.version + 1, **_values(holder))
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise _CollisionError()
        return LockOutcome(status, holder, other if status is LockStatus.TAKEN_OVER else None)

    @staticmethod
    def _camera_exists(session: Session, camera: int) -> bool:
        return session.scalar(select(CameraRow.id).where(CameraRow.number == camera)) is not None

    def renew(self, camera: int, operator: Operator, lease_s: float, *, now: datetime) -> LockHolder | None:
        lease = _check_lease(lease_s)
        with self._db.session() as session:
            result = session.execute(
                update(PtzLockRow)
                .where(
                    PtzLockRow.camera == camera,
                    PtzLockRow.session == operator.session,
                    PtzLockRow.until > now,
                )
                .values(until=now + lease, version=PtzLockRow.version + 1)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            row = session.get(PtzLockRow, camera, populate_existing=True)
            return None if row is None else _to_holder(row)

    def release(self, camera: int, operator: Operator) -> bool:
        with self._db.session() as session:
            result = session.execute(
                delete(PtzLockRow)
                .where(PtzLockRow.camera == camera, PtzLockRow.session == operator.session)
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def holders(self, cameras: Sequence[int] | None, *, now: datetime) -> dict[int, LockHolder]:
        with self._db.session(write=False) as session:
            query = select(PtzLockRow).where(PtzLockRow.until > now)
            if cameras is not None:
                if not cameras:
                    return {}
                query = query.where(PtzLockRow.camera.in_(list(cameras)))
            return {row.camera: _to_holder(row) for row in session.scalars(query)}

    def purge_lapsed(self, *, now: datetime) -> int:
        """Delete lapsed leases (they already mean "free"; this only tidies the table)."""
        with self._db.session() as session:
            result = session.execute(
                delete(PtzLockRow).where(PtzLockRow.until <= now).execution_options(synchronize_session=False)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]


__all__ = ["PtzLockRepository"]
