"""Which device a camera number is, with which account: from the catalogue and the keyring.

Resolving is blocking (a database query, a keyring read): the service does it on its worker
thread, once per camera, and again after the camera refused the credentials.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from vmwall import credentials
from vmwall.errors import UserFacingError
from vmwall.model import Camera
from vmwall.model.device import format_address
from vmwall.ptz.api import PtzError, PtzErrorKind


@dataclass(frozen=True, slots=True)
class PtzTarget:
    number: int
    name: str
    ptz: bool  # the catalogue's word: a fixed camera is never asked to move
    host: str | None = None
    port: int | None = None
    username: str | None = None
    password: str = field(default="", repr=False)
    profile_token: str | None = None

    @property
    def label(self) -> str:
        return camera_label(self.number, self.name)

    @property
    def address(self) -> str:
        if self.host is None or self.port is None:
            return "no ONVIF address"
        return format_address(self.host, self.port)


Resolver = Callable[[int], PtzTarget]  # blocking; raises PtzError


def camera_label(number: int, name: str | None = None) -> str:
    return f"camera {number} ({name})" if name else f"camera {number}"


class CatalogueResolver:
    """`Resolver` over the camera catalogue (``lookup``: number → Camera or None) and the keyring."""

    def __init__(
        self,
        lookup: Callable[[int], Camera | None],
        password: Callable[[str], str] = credentials.load_password,
    ) -> None:
        self._lookup = lookup
        self._password = password

    def __call__(self, number: int) -> PtzTarget:
        camera = self._lookup(number)
        if camera is None:
            raise PtzError(number, PtzErrorKind.NOT_FOUND, f"camera {number} is not in the catalogue")
        label = camera_label(camera.number, camera.name)
        if not camera.ptz:
            return PtzTarget(camera.number, camera.name, ptz=False)
        if not camera.onvif_host or not camera.onvif_port:
            raise PtzError(
                number, PtzErrorKind.UNSUPPORTED, f"{label} has no ONVIF address: PTZ control needs one"
            )
        password = ""
        if camera.credential_ref:
            try:
                password = self._password(camera.credential_ref)
            except UserFacingError as error:
                raise PtzError(number, PtzErrorKind.AUTH, f"{label}: {error}") from None
        return PtzTarget(
            number=camera.number,
            name=camera.name,
            ptz=True,
            host=camera.onvif_host,
            port=camera.onvif_port,
            username=camera.username or "",
            password=password,
            profile_token=camera.main_profile,
        )


__all__ = ["CatalogueResolver", "PtzTarget", "Resolver", "camera_label"]
