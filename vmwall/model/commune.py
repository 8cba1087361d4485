"""Communes (tenants) and their service package (forfait)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from vmwall.model.errors import ValidationError

# CSI L252-5: recordings are kept at most one month.
MAX_RETENTION_DAYS = 30

_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


class Forfait(StrEnum):
    """The service package a commune subscribes to."""

    STORAGE_ONLY = "storage-only"  # recorded, never shown live; extraction on requisition only
    LIVE_HOURS = "live-hours"  # live viewing during set hours
    LIVE_24_7 = "live-24-7"  # live viewing around the clock

    @property
    def allows_live(self) -> bool:
        return self is not Forfait.STORAGE_ONLY


@dataclass(frozen=True, slots=True)
class Commune:
    name: str
    insee_code: str
    forfait: Forfait = Forfait.LIVE_24_7
    retention_days: int = MAX_RETENTION_DAYS
    authorisation_ref: str | None = None  # préfectoral authorisation of the system
    authorisation_expiry: date | None = None
    live_hours: str | None = None  # "HH:MM-HH:MM" for Forfait.LIVE_HOURS
    id: int | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValidationError("a commune needs a name")
        if not _INSEE.match(self.insee_code):
            raise ValidationError(
                f"commune {self.name!r}: INSEE code {self.insee_code!r} is not 5 digits (or 2A/2B + 3 digits)"
            )
        if not 1 <= self.retention_days <= MAX_RETENTION_DAYS:
            raise ValidationError(
                f"commune {self.name!r}: retention of {self.retention_days} days is outside "
                f"1..{MAX_RETENTION_DAYS}"
                " (CSI L252-5 caps it at one month)"
            )
        if self.forfait is Forfait.LIVE_HOURS:
            if self.live_hours is None or not _HOURS.match(self.live_hours):
                raise ValidationError(
                    f"commune {self.name!r}: forfait live-hours needs live_hours as HH:MM-HH:MM"
                )
        elif self.live_hours is not None:
            raise ValidationError(f"commune {self.name!r}: live_hours only applies to forfait live-hours")
