"""PTZ values as vmwall speaks them: what a camera can do, where it points, its presets.

Positions are in ONVIF generic spaces: pan and tilt in [-1, 1], zoom in [0, 1]. The ONVIF adapter
(`vmwall.onvif.ptz`) converts the camera's answers into these; `vmwall.ptz` and the UI use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

Range = tuple[float, float]


@dataclass(frozen=True, slots=True)
class PtzCapabilities:
    """What the camera's PTZ node and configuration offer, read before anything is commanded.

    Ranges are in generic spaces (``None``: the camera does not say). ``timeout_range`` bounds the
    ContinuousMove Timeout in seconds. ``fov_translation``: RelativeMove accepts the field-of-view
    space (a point of the picture can be centred exactly, whatever the lens).
    """

    ptz: bool  # False: a fixed camera; every other field is then False / empty
    continuous: bool = False
    absolute: bool = False
    relative: bool = False
    presets: bool = False
    home: bool = False
    zoom: bool = False
    max_presets: int = 0
    pan_range: Range | None = None
    tilt_range: Range | None = None
    zoom_range: Range | None = None
    timeout_range: Range | None = None
    fov_translation: bool = False
    status: bool = True  # GetStatus gives the position

    @classmethod
    def fixed(cls) -> PtzCapabilities:
        return cls(ptz=False, status=False)

    @property
    def can_centre(self) -> bool:
        """Click-to-centre is possible (RelativeMove in the FoV space, or computed moves)."""
        return self.ptz and (self.fov_translation or self.relative or (self.absolute and self.status))

    @property
    def can_zoom_box(self) -> bool:
        return self.can_centre and self.zoom


@dataclass(frozen=True, slots=True)
class PtzPosition:
    """GetStatus: position in generic spaces (pan, tilt in [-1, 1]; zoom in [0, 1])."""

    pan: float
    tilt: float
    zoom: float
    moving: bool = False
    error: str | None = None  # the camera's own PTZ error text, if it reports one


@dataclass(frozen=True, slots=True)
class PtzPreset:
    token: str
    name: str
    position: PtzPosition | None = None


# --- the control lock ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Operator:
    """Who drives, from where. ``session`` identifies one service instance (one console, one CLI
    run): two consoles of the same login are two sessions. ``priority``: higher takes over."""

    login: str
    full_name: str
    console: str  # a name to show ("poste-3", "cli@host")
    priority: int
    session: str
    role: str = ""  # the role's value ("chef-de-salle"), for display


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds a camera's PTZ control, until when (the lease; renewed by each command)."""

    camera: int
    login: str
    full_name: str
    console: str
    priority: int
    session: str
    since: datetime
    until: datetime
    role: str = ""

    def is_session(self, operator: Operator) -> bool:
        return self.session == operator.session


class LockStatus(StrEnum):
    GRANTED = "granted"  # it was free, lapsed, or already ours
    TAKEN_OVER = "taken-over"  # a lower priority held it; it is ours now
    REFUSED = "refused"  # someone with the same or a higher priority holds it


@dataclass(frozen=True, slots=True)
class LockOutcome:
    status: LockStatus
    holder: LockHolder  # the holder after the attempt (us unless refused)
    previous: LockHolder | None = None  # whom we took it from (TAKEN_OVER)

    @property
    def granted(self) -> bool:
        return self.status is not LockStatus.REFUSED


def decide_lock(
    current: LockHolder | None, operator: Operator, *, take_over: bool, now: datetime
) -> tuple[LockStatus, LockHolder | None]:
    """The control-lock rule, shared by every lock store.

    Free, lapsed (``until <= now``) or already this session's: GRANTED. Held live by another
    session: TAKEN_OVER when ``take_over`` is asked and the operator's priority is strictly
    higher, else REFUSED. Returns the status and the live holder displaced or refusing (if any).
    """
    if current is None or current.until <= now or current.session == operator.session:
        return LockStatus.GRANTED, None
    if take_over and operator.priority > current.priority:
        return LockStatus.TAKEN_OVER, current
    return LockStatus.REFUSED, current


def new_holder(camera: int, operator: Operator, *, since: datetime, until: datetime) -> LockHolder:
    return LockHolder(
        camera=camera,
        login=operator.login,
        full_name=operator.full_name,
        console=operator.console,
        priority=operator.priority,
        session=operator.session,
        since=since,
        until=until,
        role=operator.role,
    )
