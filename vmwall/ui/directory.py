"""The catalogue as the console holds it in memory, and who may see what live. Pure Python.

Loaded once from the store by a worker (and again on demand), then read by the widgets without
any I/O: camera by number, its commune, the next and previous numbers for the keypad's +/-.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum

from vmwall.model import Camera, Commune, Forfait, Permission, User


class Refusal(StrEnum):
    """Why a camera is not shown live (the tile says it in words)."""

    UNKNOWN_CAMERA = "unknown-camera"
    STORAGE_ONLY = "storage-only"  # the commune's forfait has no live viewing (rule 4)
    OUTSIDE_HOURS = "outside-hours"  # live-hours forfait, outside its hours
    OTHER_COMMUNE = "other-commune"  # the account sees only its own commune(s)
    NO_LIVE_RIGHT = "no-live-right"  # the account's role has no live-view permission


@dataclass(frozen=True, slots=True)
class Directory:
    """``cameras`` holds only what the account may know of: with a commune scope, the cameras of
    other communes are left out at build time (their numbers kept in ``hidden``, so that a tile can
    say "not your commune" without naming the camera). ``permissions`` are the account's rights now
    (a suspended agrément or a locked console takes live view away); None: the role's."""

    communes: dict[int, Commune] = field(default_factory=dict)
    cameras: dict[int, Camera] = field(default_factory=dict)  # by camera number
    user: User | None = None
    permissions: frozenset[Permission] | None = None
    hidden: frozenset[int] = frozenset()  # numbers of cameras outside the account's communes

    @classmethod
    def build(
        cls,
        communes: list[Commune],
        cameras: list[Camera],
        user: User | None = None,
        permissions: frozenset[Permission] | None = None,
    ) -> Directory:
        scope = user.communes if user is not None else frozenset()
        visible = {c.number: c for c in cameras if not scope or c.commune_id in scope}
        hidden = frozenset(c.number for c in cameras if c.number not in visible)
        return cls({c.id: c for c in communes if c.id is not None}, visible, user, permissions, hidden)

    def for_session(self, user: User, permissions: frozenset[Permission]) -> Directory:
        """This catalogue for ``user`` with ``permissions`` now; a narrower scope hides more cameras
        (a wider one needs a new build: those cameras were never loaded)."""
        scope = user.communes
        visible = {n: c for n, c in self.cameras.items() if not scope or c.commune_id in scope}
        hidden = self.hidden | frozenset(n for n in self.cameras if n not in visible)
        return Directory(self.communes, visible, user, permissions, hidden)

    def rights(self) -> frozenset[Permission] | None:
        """The account's rights now (None: no account, as in tests of the widgets alone)."""
        if self.permissions is not None:
            return self.permissions
        return self.user.permissions if self.user is not None else None

    def may(self, permission: Permission) -> bool:
        rights = self.rights()
        return rights is None or permission in rights

    def camera(self, number: int) -> Camera | None:
        return self.cameras.get(number)

    def commune_of(self, camera: Camera) -> Commune | None:
        return self.communes.get(camera.commune_id)

    def visible_communes(self) -> list[Commune]:
        """Communes this account may browse, by name."""
        scope = self.user.communes if self.user is not None else frozenset()
        return sorted(
            (c for c in self.communes.values() if not scope or c.id in scope), key=lambda c: c.name.casefold()
        )

    def cameras_of(self, commune: Commune) -> list[Camera]:
        return sorted(
            (c for c in self.cameras.values() if c.commune_id == commune.id), key=lambda c: c.number
        )

    def numbers(self) -> list[int]:
        """Numbers the keypad steps through: cameras of visible communes, ascending."""
        visible = {c.id for c in self.visible_communes()}
        return sorted(n for n, cam in self.cameras.items() if cam.commune_id in visible)

    def step(self, current: int | None, delta: int, now: datetime | None = None) -> int | None:
        """The next (+1) or previous (-1) camera number, wrapping around; None if there is none.

        With ``now``, cameras that may not be shown live at that time are skipped.
        """
        numbers = [n for n in self.numbers() if now is None or self.refusal(n, now) is None]
        if not numbers:
            return None
        if current is None:
            return numbers[0] if delta > 0 else numbers[-1]
        if delta > 0:
            index = bisect.bisect_right(numbers, current)
            return numbers[index % len(numbers)]
        index = bisect.bisect_left(numbers, current) - 1
        return numbers[index % len(numbers)]

    def refusal(self, number: int, now: datetime) -> Refusal | None:
        """Why camera ``number`` may not be shown live now, or None if it may."""
        if not self.may(Permission.LIVE_VIEW):
            return Refusal.NO_LIVE_RIGHT
        if number in self.hidden:
            return Refusal.OTHER_COMMUNE
        camera = self.cameras.get(number)
        if camera is None:
            return Refusal.UNKNOWN_CAMERA
        commune = self.communes.get(camera.commune_id)
        if commune is None:
            return Refusal.UNKNOWN_CAMERA
        if self.user is not None and self.user.communes and commune.id not in self.user.communes:
            return Refusal.OTHER_COMMUNE
        return live_refusal(commune, now)


def live_refusal(commune: Commune, now: datetime) -> Refusal | None:
    """The commune rule (DOMAIN.md rule 4): storage-only is never live; live-hours only in its hours."""
    if not commune.forfait.allows_live:
        return Refusal.STORAGE_ONLY
    hours = commune.live_hours
    if commune.forfait is Forfait.LIVE_HOURS and hours and not within_hours(hours, now.time()):
        return Refusal.OUTSIDE_HOURS
    return None


def within_hours(hours: str, moment: time) -> bool:
    """Whether ``moment`` falls in ``"HH:MM-HH:MM"`` (end excluded; a range may cross midnight)."""
    start_text, end_text = hours.split("-")
    start = time.fromisoformat(start_text)
    end = time.fromisoformat(end_text)
    clock = moment.replace(second=0, microsecond=0, tzinfo=None)
    if start <= end:
        return start <= clock < end
    return clock >= start or clock < end
