"""Which RTSP URL (with which credentials) serves a camera's main or sub stream, and may it be shown."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from vmwall import credentials
from vmwall.errors import UserFacingError
from vmwall.model import Camera, Commune, StreamKind
from vmwall.store import CameraRepository, CommuneRepository, Database


class StreamRefusedError(UserFacingError):
    """The stream must not be served (storage-only commune); the message says why."""


class UnknownCameraError(UserFacingError):
    """No such camera, or it has no stream of that kind."""


@dataclass(frozen=True, slots=True)
class CameraStream:
    camera: Camera
    commune: Commune
    kind: StreamKind
    url: str  # with credentials: never logged, never shown

    @property
    def label(self) -> str:
        return f"camera {self.camera.number} {self.kind}"


def with_credentials(uri: str, username: str | None, password: str | None) -> str:
    if not username:
        return uri
    parts = urlsplit(uri)
    host = parts.netloc.rsplit("@", 1)[-1]
    userinfo = quote(username, safe="")
    if password is not None:
        userinfo += ":" + quote(password, safe="")
    return urlunsplit((parts.scheme, f"{userinfo}@{host}", parts.path, parts.query, parts.fragment))


class CameraDirectory:
    """Looks cameras up in the catalogue (cached briefly) and their passwords in the keyring."""

    def __init__(self, db: Database, ttl_s: float = 10.0) -> None:
        self._db = db
        self._ttl_s = ttl_s
        self._lock = threading.Lock()
        self._loaded_at = -1e9
        self._cameras: dict[int, Camera] = {}
        self._communes: dict[int, Commune] = {}

    def _refresh(self) -> None:
        with self._lock:
            if time.monotonic() - self._loaded_at < self._ttl_s:
                return
            cameras = CameraRepository(self._db).list()
            communes = CommuneRepository(self._db).list()
            self._cameras = {c.number: c for c in cameras}
            self._communes = {c.id: c for c in communes if c.id is not None}
            self._loaded_at = time.monotonic()

    def invalidate(self) -> None:
        with self._lock:
            self._loaded_at = -1e9

    def camera(self, number: int) -> tuple[Camera, Commune]:
        self._refresh()
        camera = self._cameras.get(number)
        if camera is None:
            self.invalidate()  # maybe just added: look again once
            self._refresh()
            camera = self._cameras.get(number)
        if camera is None:
            raise UnknownCameraError(f"no camera number {number} in the catalogue")
        return camera, self._communes[camera.commune_id]

    def stream(self, number: int, kind: StreamKind) -> CameraStream:
        camera, commune = self.camera(number)
        if not commune.forfait.allows_live:
            raise StreamRefusedError(
                f"camera {number} belongs to {commune.name}, whose forfait is storage only: never shown live"
            )
        uri = camera.stream_uri(kind)
        if uri is None:
            raise UnknownCameraError(f"camera {number} has no {kind} stream address")
        password = credentials.load_password(camera.credential_ref) if camera.credential_ref else None
        return CameraStream(camera, commune, kind, with_credentials(uri, camera.username, password))
