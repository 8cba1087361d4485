"""The camera catalogue's use cases: add a camera from its ONVIF answer, list, show, remove.

Qt-free and argparse-free: the CLI and the console both call these. Passwords go to the keyring
(`vmwall.credentials`) and only a ``credential_ref`` reaches the database.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from vmwall import credentials
from vmwall.errors import UserFacingError
from vmwall.model import Camera, Commune, Forfait, ValidationError
from vmwall.model.device import DeviceProbe, format_address
from vmwall.store.db import Database
from vmwall.store.errors import DuplicateError, NotFoundError
from vmwall.store.repositories import CameraRepository, CommuneRepository

log = logging.getLogger(__name__)

DEFAULT_PROBE_TIMEOUT_S = 5.0

# (host, port, username, password, timeout_s) -> what the device says; raises CameraError.
Prober = Callable[[str, int, str, str, float], DeviceProbe]


def onvif_prober(host: str, port: int, username: str, password: str, timeout_s: float) -> DeviceProbe:
    """The real prober (imported on use: the ONVIF library takes a third of a second to load)."""
    from vmwall.onvif.client import probe_device_sync

    return probe_device_sync(host, port, username, password, timeout_s=timeout_s)


@dataclass(frozen=True, slots=True)
class CommuneChoice:
    """Which commune a new camera goes to. ``insee_code`` (and forfait) create it if it is new."""

    name: str | None = None
    insee_code: str | None = None
    forfait: Forfait | None = None
    live_hours: str | None = None


@dataclass(frozen=True, slots=True)
class OnvifCameraRequest:
    host: str
    port: int
    username: str
    password: str = field(repr=False)
    commune: CommuneChoice = CommuneChoice()
    number: int | None = None  # None: the next free number
    name: str | None = None  # None: the device's name, else its model and address
    timeout_s: float = DEFAULT_PROBE_TIMEOUT_S

    @property
    def address(self) -> str:
        return format_address(self.host, self.port)


@dataclass(frozen=True, slots=True)
class CameraEntry:
    """A camera with the name of its commune, for listings."""

    camera: Camera
    commune: str


class Catalogue:
    def __init__(self, database: Database, *, prober: Prober = onvif_prober) -> None:
        self.database = database
        self.communes = CommuneRepository(database)
        self.cameras = CameraRepository(database)
        self._prober = prober

    def add_from_onvif(self, request: OnvifCameraRequest) -> tuple[Camera, DeviceProbe]:
        """Ask the device, then store the camera (and its commune if new) and its password.

        Checked before the device is asked: the keyring works, the commune can be resolved, the
        number is free. The password is written to the keyring before the camera row; if the row
        is refused, the keyring entry is removed again.
        """
        credentials.check_keyring()
        commune = self.resolve_commune(request.commune)
        if request.number is not None:
            self._require_free_number(request.number)
        probe = self._prober(
            request.host, request.port, request.username, request.password, request.timeout_s
        )
        if probe.main is None or not probe.main.stream_uri:
            raise UserFacingError(
                f"camera {request.address} offers no video stream (no media profile with a URI)"
            )
        if commune.id is None:
            commune = self.communes.get_or_create(commune)
        number = request.number if request.number is not None else self.cameras.next_free_number()
        ref = credentials.new_credential_ref(request.host, request.port, request.username)
        camera = camera_from_probe(
            probe,
            number=number,
            name=request.name,
            commune_id=_id(commune),
            username=request.username,
            credential_ref=ref,
        )
        credentials.store_password(ref, request.password)
        try:
            stored = self.cameras.add(camera)
        except BaseException:
            _forget_quietly(ref)
            raise
        log.info("camera %d %r added from %s", stored.number, stored.name, request.address)
        return stored, probe

    def resolve_commune(self, choice: CommuneChoice) -> Commune:
        """The stored commune chosen, or a new (unsaved, id None) one to create.

        Without a name, the catalogue's only commune is taken; with none or several, the user must
        name one. A new commune needs its INSEE code.
        """
        if choice.name is None:
            if choice.insee_code is not None or choice.forfait is not None or choice.live_hours is not None:
                raise UserFacingError(
                    "an INSEE code, forfait or live hours describe a commune: give --commune NAME"
                )
            communes = self.communes.list()
            if len(communes) == 1:
                return communes[0]
            if not communes:
                raise UserFacingError("the catalogue has no commune yet: give --commune NAME --insee CODE")
            names = ", ".join(c.name for c in communes)
            raise UserFacingError(
                f"the catalogue has {len(communes)} communes: choose one with --commune ({names})"
            )
        existing = self.communes.get_by_name(choice.name)
        if existing is not None:
            _require_same(existing, choice)
            return existing
        if choice.insee_code is None:
            raise UserFacingError(
                f"commune {choice.name!r} does not exist yet: give its INSEE code (--insee) to create it"
            )
        try:
            return Commune(
                name=choice.name,
                insee_code=choice.insee_code,
                forfait=choice.forfait or Forfait.LIVE_24_7,
                live_hours=choice.live_hours,
            )
        except ValidationError as exc:
            raise UserFacingError(str(exc)) from None

    def entries(self, commune: str | None = None) -> list[CameraEntry]:
        """Every camera (of one commune if named), by number."""
        names = {c.id: c.name for c in self.communes.list()}
        commune_id = None
        if commune is not None:
            matching = [i for i, n in names.items() if n == commune]
            if not matching:
                raise UserFacingError(f"no commune named {commune!r}")
            commune_id = matching[0]
        return [CameraEntry(c, names.get(c.commune_id, "?")) for c in self.cameras.list(commune_id)]

    def entry(self, number: int) -> CameraEntry:
        camera = self._get(number)
        return CameraEntry(camera, self.communes.get(camera.commune_id).name)

    def remove(self, number: int) -> Camera:
        """Delete the camera, then its keyring entry (a stale entry is harmless; a camera without its
        password is not)."""
        camera = self._get(number)
        self.cameras.delete(_id(camera))
        if camera.credential_ref:
            try:
                credentials.delete_password(camera.credential_ref)
            except credentials.KeyringUnavailableError as exc:
                log.warning("camera %d removed, but its keyring entry stays: %s", number, exc)
        return camera

    def _get(self, number: int) -> Camera:
        camera = self.cameras.get_by_number(number)
        if camera is None:
            raise NotFoundError(f"no camera number {number}")
        return camera

    def _require_free_number(self, number: int) -> None:
        taken = self.cameras.get_by_number(number)
        if taken is not None:
            raise DuplicateError(f"camera number {number} is already taken by {taken.name!r}")


def camera_from_probe(
    probe: DeviceProbe,
    *,
    number: int,
    commune_id: int,
    name: str | None = None,
    username: str | None = None,
    credential_ref: str | None = None,
) -> Camera:
    main, sub, info = probe.main, probe.sub, probe.info
    default_name = probe.name or f"{info.model or 'camera'} {probe.address}"
    try:
        return Camera(
            number=number,
            name=name or default_name,
            commune_id=commune_id,
            onvif_host=probe.host,
            onvif_port=probe.port,
            username=username,
            credential_ref=credential_ref,
            main_uri=main.stream_uri if main else None,
            sub_uri=sub.stream_uri if sub else None,
            snapshot_uri=probe.snapshot_uri,
            main_profile=main.token if main else None,
            sub_profile=sub.token if sub else None,
            ptz=probe.ptz,
            manufacturer=info.manufacturer,
            model=info.model,
            firmware=info.firmware_version,
            serial=info.serial_number,
        )
    except ValidationError as exc:
        raise UserFacingError(str(exc)) from None


def _require_same(existing: Commune, choice: CommuneChoice) -> None:
    if choice.insee_code is not None and choice.insee_code != existing.insee_code:
        raise UserFacingError(
            f"commune {existing.name!r} exists with INSEE code {existing.insee_code}, not {choice.insee_code}"
        )
    if choice.forfait is not None and choice.forfait is not existing.forfait:
        raise UserFacingError(
            f"commune {existing.name!r} exists with forfait {existing.forfait.value},"
            f" not {choice.forfait.value}; adding cameras does not change a commune's forfait"
        )


def _id(item: Camera | Commune) -> int:
    if item.id is None:
        raise ValueError("expected a stored item with an id")
    return item.id


def _forget_quietly(ref: str) -> None:
    with contextlib.suppress(UserFacingError):
        credentials.delete_password(ref)
