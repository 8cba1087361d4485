"""Cameras as the catalogue knows them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vmwall.model.errors import ValidationError

MAX_CAMERA_NUMBER = 999_999


class StreamKind(StrEnum):
    MAIN = "main"  # full resolution, for a maximised or large tile
    SUB = "sub"  # low resolution, for grid tiles


@dataclass(frozen=True, slots=True)
class Camera:
    """A camera in the catalogue.

    ``number`` is the logical number an operator types on the keypad. ``credential_ref`` names the
    keyring entry that holds the password: the password itself never lives in this type.
    """

    number: int
    name: str
    commune_id: int
    onvif_host: str | None = None
    onvif_port: int | None = None
    username: str | None = None
    credential_ref: str | None = None
    main_uri: str | None = None
    sub_uri: str | None = None
    snapshot_uri: str | None = None
    main_profile: str | None = None
    sub_profile: str | None = None
    ptz: bool = False
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    firmware: str | None = None
    serial: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.number <= MAX_CAMERA_NUMBER:
            raise ValidationError(f"camera number {self.number} is outside 1..{MAX_CAMERA_NUMBER}")
        if not self.name.strip():
            raise ValidationError(f"camera {self.number} needs a name")
        if self.latitude is not None and not -90.0 <= self.latitude <= 90.0:
            raise ValidationError(f"camera {self.number}: latitude {self.latitude} is outside -90..90")
        if self.longitude is not None and not -180.0 <= self.longitude <= 180.0:
            raise ValidationError(f"camera {self.number}: longitude {self.longitude} is outside -180..180")
        if self.onvif_port is not None and not 1 <= self.onvif_port <= 65535:
            raise ValidationError(f"camera {self.number}: port {self.onvif_port} is outside 1..65535")

    def stream_uri(self, kind: StreamKind) -> str | None:
        """The URI of the wanted stream; a camera with one stream serves it for both."""
        if kind is StreamKind.SUB:
            return self.sub_uri or self.main_uri
        return self.main_uri or self.sub_uri
