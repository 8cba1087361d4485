"""Named accounts, roles and permissions. Enforcement (login, sessions, rights) is in vmwall.accounts."""

from __future__ import annotations

import unicodedata
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


# Rights that show images, live or recorded: their holders need training and the signed charter
# (DOMAIN.md rule 3), and lose them at once when their agrément is suspended.
IMAGE_PERMISSIONS = frozenset({_P.LIVE_VIEW, _P.PTZ, _P.WALL, _P.PLAYBACK, _P.EXPORT, _P.HANDOVER})

# The French names of the roles, as the people of a CSU say them.
ROLE_LABELS: dict[Role, str] = {
    Role.OPERATEUR: "opérateur",
    Role.CHEF_DE_SALLE: "chef de salle",
    Role.POLICIER_MUNICIPAL: "policier municipal",
    Role.REFERENT_REQUISITIONS: "référent réquisitions",
    Role.ADMINISTRATEUR: "administrateur technique",
    Role.DPO: "DPO / contrôle",
}


def requires_agrement(role: Role) -> bool:
    """Live viewing needs the préfet's agrément (a viewing operator, a municipal police officer)."""
    return _P.LIVE_VIEW in _ROLE_PERMISSIONS[role]


def sees_images(role: Role) -> bool:
    return bool(_ROLE_PERMISSIONS[role] & IMAGE_PERMISSIONS)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "-".join(plain.replace("_", " ").replace("-", " ").replace("/", " ").split())


def parse_role(text: str) -> Role:
    """A role from its value (``chef-de-salle``) or its French label, accents and case optional."""
    wanted = _fold(text)
    for role in Role:
        if wanted in (role.value, _fold(ROLE_LABELS[role])):
            return role
    if wanted in ("administrateur-technique", "admin"):
        return Role.ADMINISTRATEUR
    if wanted in ("dpo-controle", "controle"):
        return Role.DPO
    known = ", ".join(role.value for role in Role)
    raise ValidationError(f"unknown role {text!r}: one of {known}")


MAX_LOGIN_LENGTH = 64


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
    training_date: date | None = None  # the CNIL/CSI training, required to see images
    charter_date: date | None = None  # the signed user charter, required to see images

    def __post_init__(self) -> None:
        if not self.login.strip() or any(ch.isspace() for ch in self.login):
            raise ValidationError(f"login {self.login!r} must be one word")
        if not self.full_name.strip():
            raise ValidationError(f"user {self.login!r} needs a full name (named accounts only)")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError(f"user {self.login!r}: validity ends before it starts")
        if len(self.login) > MAX_LOGIN_LENGTH or any(not ch.isprintable() for ch in self.login):
            raise ValidationError(f"login {self.login[:40]!r}… is too long or has control characters")

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.role)
