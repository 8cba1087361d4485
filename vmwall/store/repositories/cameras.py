"""The camera catalogue."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import fields
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vmwall.model import Camera
from vmwall.model.camera import MAX_CAMERA_NUMBER
from vmwall.redact import is_secret_param
from vmwall.store.db import Database
from vmwall.store.errors import DuplicateError, NotFoundError, StoreError
from vmwall.store.repositories._common import Explain, explained_conflicts, require_id, require_no_id
from vmwall.store.tables import CameraRow, CommuneRow

# Every field of Camera but the id has a column of the same name.
_FIELDS = tuple(f.name for f in fields(Camera) if f.name != "id")
_URI_FIELDS = ("main_uri", "sub_uri", "snapshot_uri")
_IN_CHUNK = 500  # bound parameters per IN (...) query


def to_camera(row: CameraRow) -> Camera:
    return Camera(**{name: getattr(row, name) for name in _FIELDS}, id=row.id)


def _fill(row: CameraRow, camera: Camera) -> None:
    _refuse_secrets(camera)
    for name in _FIELDS:
        setattr(row, name, getattr(camera, name))


def _refuse_secrets(camera: Camera) -> None:
    """Passwords live in the keyring (credential_ref), never in a stored URI."""
    for name in _URI_FIELDS:
        uri = getattr(camera, name)
        if not uri:
            continue
        parts = urlsplit(uri)
        if parts.password is not None or any(
            is_secret_param(key) for key, _ in parse_qsl(parts.query, keep_blank_values=True)
        ):
            raise StoreError(
                f"camera {camera.number}: {name} carries a password; store the URI without it and the"
                " password in the keyring (credential_ref)"
            )


def _describe(row: CameraRow, commune_name: str) -> str:
    return f"{row.name!r}, commune {commune_name}, id {row.id}"


def _chunks(numbers: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(numbers), _IN_CHUNK):
        yield numbers[start : start + _IN_CHUNK]


def _conflict(cameras: Sequence[Camera], own_id: int | None = None) -> Explain:
    """Explains why ``cameras`` could not be written: a number taken, or a commune missing."""

    def explain(session: Session) -> StoreError:
        wanted = [camera.number for camera in cameras]
        taken: dict[int, tuple[CameraRow, str]] = {}
        for chunk in _chunks(wanted):
            query = (
                select(CameraRow, CommuneRow.name)
                .join(CommuneRow, CameraRow.commune_id == CommuneRow.id)
                .where(CameraRow.number.in_(chunk))
            )
            for row, commune_name in session.execute(query):
                if row.id != own_id:
                    taken[row.number] = (row, commune_name)
        for camera in cameras:
            if camera.number in taken:
                row, commune_name = taken[camera.number]
                return DuplicateError(
                    f"camera number {camera.number} already exists ({_describe(row, commune_name)})"
                )
        known = set(session.scalars(select(CommuneRow.id)))
        for camera in cameras:
            if camera.commune_id not in known:
                return NotFoundError(
                    f"commune id {camera.commune_id} does not exist (camera {camera.number} {camera.name!r})"
                )
        return StoreError(f"the database refused camera {cameras[0].number}")

    return explain


class CameraRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, camera: Camera) -> Camera:
        """Store a new camera; DuplicateError if its number is taken, NotFoundError if no commune."""
        return self.add_many([camera])[0]

    def add_many(self, cameras: Iterable[Camera]) -> list[Camera]:
        """Store new cameras in one transaction: all of them, or none if any one is refused."""
        batch = list(cameras)
        for camera in batch:
            require_no_id("camera", camera.id)
        twice = [number for number, count in Counter(c.number for c in batch).items() if count > 1]
        if twice:
            raise DuplicateError(f"camera number {twice[0]} appears more than once in the list")
        if not batch:
            return []
        rows = []
        for camera in batch:
            row = CameraRow()
            _fill(row, camera)
            rows.append(row)
        with self._db.session() as session:
            with explained_conflicts(session, _conflict(batch)):
                session.add_all(rows)
            return [to_camera(row) for row in rows]

    def upsert_by_number(self, camera: Camera) -> Camera:
        """Add the camera, or overwrite every field of the stored camera with the same number.

        The id of ``camera`` is ignored: the number identifies it.
        """
        with self._db.session() as session:
            row = session.scalar(select(CameraRow).where(CameraRow.number == camera.number))
            if row is None:
                row = CameraRow()
                _fill(row, camera)
                with explained_conflicts(session, _conflict([camera])):
                    session.add(row)
            else:
                with explained_conflicts(session, _conflict([camera], own_id=row.id)):
                    _fill(row, camera)
            return to_camera(row)

    def update(self, camera: Camera) -> Camera:
        """Overwrite the stored camera with the same id (its number may change)."""
        camera_id = require_id("camera", camera.id)
        with self._db.session() as session:
            row = session.get(CameraRow, camera_id)
            if row is None:
                raise NotFoundError(f"camera id {camera_id} does not exist (updating camera {camera.number})")
            with explained_conflicts(session, _conflict([camera], own_id=camera_id)):
                _fill(row, camera)
            return to_camera(row)

    def get(self, camera_id: int) -> Camera:
        with self._db.session(write=False) as session:
            row = session.get(CameraRow, camera_id)
            if row is None:
                raise NotFoundError(f"camera id {camera_id} does not exist")
            return to_camera(row)

    def get_by_number(self, number: int) -> Camera | None:
        with self._db.session(write=False) as session:
            row = session.scalar(select(CameraRow).where(CameraRow.number == number))
            return None if row is None else to_camera(row)

    def delete(self, camera_id: int) -> None:
        with self._db.session() as session:
            row = session.get(CameraRow, camera_id)
            if row is None:
                raise NotFoundError(f"camera id {camera_id} does not exist")
            session.delete(row)

    def next_free_number(self) -> int:
        """One above the highest number in use (1 if none); the lowest gap once the top is taken."""
        with self._db.session(write=False) as session:
            highest: int | None = session.scalar(select(func.max(CameraRow.number)))
            if highest is None:
                return 1
            if highest < MAX_CAMERA_NUMBER:
                return highest + 1
            expected = 1
            for number in session.scalars(select(CameraRow.number).order_by(CameraRow.number)):
                if number != expected:
                    return expected
                expected += 1
        raise StoreError(f"every camera number from 1 to {MAX_CAMERA_NUMBER} is in use")

    def list(self, commune_id: int | None = None) -> list[Camera]:
        """Every camera (of one commune if given), by number."""
        query = select(CameraRow).order_by(CameraRow.number)
        if commune_id is not None:
            query = query.where(CameraRow.commune_id == commune_id)
        with self._db.session(write=False) as session:
            return [to_camera(row) for row in session.scalars(query)]
