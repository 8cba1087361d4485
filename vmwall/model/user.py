"""Named accounts, roles and permissions (enforcement arrives with the journal/audit issue)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from vmwall.model.errors import ValidationError


class Permission(StrEnum):
    LIVE_VIEW = "live-view"
    PTZ = "ptz"
    WALL = "wall"
    JOURNAL_WRITE = "journal-write"
    PLAYBACK = "playback"
    EXPORT = "export"
    HANDOVER = "handover"
    HOLDS = "holds"
    MASKS = "masks"
    RETENTION = "retention"
    USER_ADMIN = "user-admin"
    CAMERA_ADMIN = "camera-admin"
    AUDIT_READ = "audit-read"


class Role(StrEnum):
    OPERATEUR = "operateur"
    CHEF_DE_SALLE = "chef-de-salle"
    POLICIER_MUNICIPAL = "policier-municipal"
    REFERENT_REQUISITIONS = "referent-requisitions"
    ADMINISTRATEUR = "administrateur"
    DPO = "dpo"


_P = Permission
_ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OPERATEUR: frozenset({_P.LIVE_VIEW, _P.PTZ, _P.JOURNAL_WRITE}),
    Role.CHEF_DE_SALLE: frozenset({_P.LIVE_VIEW, _P.PTZ, _P.JOURNAL_WRITE, _P.WALL, _P.PLAYBACK, _P.EXPORT}),
    Role.POLICIER_MUNICIPAL: frozenset({_P.LIVE_VIEW, _P.PTZ, _P.JOURNAL_WRITE}),
    Role.REFERENT_REQUISITIONS: frozenset({_P.PLAYBACK, _P.EXPORT, _P.HANDOVER, _P.HOLDS, _P.JOURNAL_WRITE}),
    # The technical administrator configures cameras and users but sees no images.
    Role.ADMINISTRATEUR: frozenset({_P.USER_ADMIN, _P.CAMERA_ADMIN, _P.MASKS, _P.RETENTION}),
    Role.DPO: frozenset({_P.AUDIT_READ}),
}


def permissions_of(role: Role) -> frozenset[Permission]:
    return _ROLE_PERMISSIONS[role]


class AgrementStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class User:
    """A named account: no shared logins. ``communes`` empty means every commune of the centre."""

    login: str
    full_name: str
    role: Role
    employer: str = ""
    communes: frozenset[int] = field(default_factory=frozenset)
    valid_from: date | None = None
    valid_until: date | None = None
    agrement_ref: str | None = None
    agrement_expiry: date | None = None
    agrement_status: AgrementStatus | None = None
    active: bool = True
    id: int | None = None

    def __post_init__(self) -> None:
        if not self.login.strip() or any(ch.isspace() for ch in self.login):
            raise ValidationError(f"login {self.login!r} must be one word")
        if not self.full_name.strip():
            raise ValidationError(f"user {self.login!r} needs a full name (named accounts only)")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError(f"user {self.login!r}: validity ends before it starts")

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.role)
