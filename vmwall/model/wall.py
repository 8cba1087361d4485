"""The video wall (*mur d'images*): saved wall state and live node status.

Vocabulary (Nx Witness style): a **wall** is made of **nodes** (wall PCs), each driving one or more
physical **screens**; each screen shows a **layout** (a grid name such as ``"2x2"``) whose tiles
each hold a camera number or nothing. A **preset** is the content of every screen of a wall saved
under a name; a **sequence** is a tour of cameras (on one screen tile) or of presets (on the whole
wall) with a dwell time per step.

Saved state (``ScreenContent``, ``WallPreset``, ``WallSequence``...) and live state
(``NodeStatus``, ``TileState``) are separate types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from vmwall.model.camera import StreamKind
from vmwall.model.errors import ValidationError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_SCREENS_PER_NODE = 16
MAX_TILES_PER_SCREEN = 144
MIN_DWELL_S = 2.0
MAX_DWELL_S = 3600.0
EMPTY_LAYOUT = "1x1"
MAX_LABEL = 80
MAX_SEQUENCE_STEPS = 500


def check_label(what: str, name: str) -> str:
    """Preset and sequence names are shown to people: any printable text, at most 80 characters."""
    if not name.strip() or len(name) > MAX_LABEL or not name.isprintable() or name != name.strip():
        raise ValidationError(
            f"a {what} needs a name of 1 to {MAX_LABEL} printable characters without surrounding spaces"
        )
    return name


def check_node_name(name: str) -> str:
    """Node and wall names travel in ZeroMQ topics and file names: one short ASCII word."""
    if not _NAME.match(name):
        raise ValidationError(f"{name!r} is not a valid name (letters, digits, '_', '.', '-'; at most 64)")
    return name


@dataclass(frozen=True, slots=True, order=True)
class ScreenRef:
    """One physical screen: the node driving it and its index on that node (0-based)."""

    node: str
    index: int

    def __post_init__(self) -> None:
        check_node_name(self.node)
        if not 0 <= self.index < MAX_SCREENS_PER_NODE:
            raise ValidationError(f"screen index {self.index} is outside 0..{MAX_SCREENS_PER_NODE - 1}")

    @property
    def key(self) -> str:
        """``"node:index"``, the form used on the command line (``--screen NODE:N``, 1-based there)."""
        return f"{self.node}:{self.index}"

    @classmethod
    def parse(cls, text: str) -> ScreenRef:
        node, sep, index = text.rpartition(":")
        if not sep or not index.isdigit():
            raise ValidationError(f"{text!r} is not a screen (NODE:INDEX)")
        return cls(node, int(index))


@dataclass(frozen=True, slots=True)
class ScreenGeometry:
    """Where a screen sits in the wall's physical arrangement (grid cells), and its pixel size."""

    ref: ScreenRef
    column: int
    row: int
    width_px: int
    height_px: int
    label: str = ""


@dataclass(frozen=True, slots=True)
class ScreenContent:
    """What one screen shows: a layout name and a camera number (or None) per tile, in reading order.

    ``streams`` optionally forces a stream per tile (None = automatic by tile size).
    """

    layout: str
    cameras: tuple[int | None, ...]
    streams: tuple[StreamKind | None, ...] = ()

    def __post_init__(self) -> None:
        if not self.layout.strip():
            raise ValidationError("a screen needs a layout")
        if len(self.cameras) > MAX_TILES_PER_SCREEN:
            raise ValidationError(f"a screen holds at most {MAX_TILES_PER_SCREEN} tiles")
        if any(c is not None and c < 1 for c in self.cameras):
            raise ValidationError("camera numbers start at 1")
        if self.streams and len(self.streams) != len(self.cameras):
            raise ValidationError("streams must give one entry per tile or be empty")

    @classmethod
    def empty(cls) -> ScreenContent:
        """What a screen nobody has filled shows: one empty tile."""
        return cls(EMPTY_LAYOUT, (None,))

    def with_camera(self, tile: int, camera: int | None) -> ScreenContent:
        """The same screen with ``camera`` on ``tile`` (which must exist); its forced stream is reset."""
        if not 0 <= tile < len(self.cameras):
            raise ValidationError(
                f"layout {self.layout!r} has {len(self.cameras)} tile(s): no tile {tile + 1}"
            )
        cameras = list(self.cameras)
        cameras[tile] = camera
        streams = list(self.streams)
        if streams:
            streams[tile] = None
        return ScreenContent(self.layout, tuple(cameras), tuple(streams))

    def cleared(self) -> ScreenContent:
        """The same layout with every tile empty."""
        return ScreenContent(self.layout, (None,) * len(self.cameras))

    def camera_numbers(self) -> set[int]:
        return {c for c in self.cameras if c is not None}


@dataclass(frozen=True, slots=True)
class WallPreset:
    """The whole wall saved under a name ("normal", "marché de Noël", "manifestation")."""

    name: str
    screens: tuple[tuple[ScreenRef, ScreenContent], ...]
    saved_by: str = ""

    def __post_init__(self) -> None:
        check_label("preset", self.name)

    def camera_numbers(self) -> set[int]:
        return {n for _, content in self.screens for n in content.camera_numbers()}


class SequenceStepKind(StrEnum):
    CAMERA = "camera"  # put a camera on the sequence's target tile
    PRESET = "preset"  # apply a whole-wall preset


@dataclass(frozen=True, slots=True)
class SequenceStep:
    kind: SequenceStepKind
    camera: int | None = None
    preset: str | None = None
    dwell_s: float = 10.0

    def __post_init__(self) -> None:
        if not MIN_DWELL_S <= self.dwell_s <= MAX_DWELL_S:
            raise ValidationError(f"dwell time {self.dwell_s} s is outside {MIN_DWELL_S}..{MAX_DWELL_S} s")
        if self.kind is SequenceStepKind.CAMERA and (self.camera is None or self.camera < 1):
            raise ValidationError("a camera step needs a camera number")
        if self.kind is SequenceStepKind.PRESET and not self.preset:
            raise ValidationError("a preset step needs a preset name")


class SequenceRunState(StrEnum):
    STOPPED = "stopped"
    RUNNING = "running"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class WallSequence:
    """A tour. Camera steps need ``screen`` and ``tile`` (the tile they cycle); preset steps don't."""

    name: str
    steps: tuple[SequenceStep, ...]
    screen: ScreenRef | None = None
    tile: int = 0
    state: SequenceRunState = SequenceRunState.STOPPED
    position: int = 0

    def __post_init__(self) -> None:
        check_label("sequence", self.name)
        if not 0 <= self.tile < MAX_TILES_PER_SCREEN:
            raise ValidationError(f"sequence {self.name!r}: tile {self.tile + 1} does not exist")
        if len(self.steps) > MAX_SEQUENCE_STEPS:
            raise ValidationError(f"sequence {self.name!r} has more than {MAX_SEQUENCE_STEPS} steps")
        if not 0 <= self.position < len(self.steps):
            raise ValidationError(f"sequence {self.name!r}: position {self.position} is outside its steps")
        if not self.steps:
            raise ValidationError(f"sequence {self.name!r} has no steps")
        if any(s.kind is SequenceStepKind.CAMERA for s in self.steps) and self.screen is None:
            raise ValidationError(f"sequence {self.name!r} cycles cameras but names no screen")


class TileState(StrEnum):
    EMPTY = "empty"
    CONNECTING = "connecting"
    PLAYING = "playing"
    LOST = "lost"
    NOT_AUTHORISED = "not-authorised"


@dataclass(frozen=True, slots=True)
class TileStatus:
    """Live state of one tile of a wall screen, as the node reports it every second."""

    camera: int | None
    state: TileState
    fps: float = 0.0
    latency_ms: float | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class NodeStatus:
    """Live state of a node: screens, per-tile status, CPU, last heartbeat (controller's clock)."""

    name: str
    online: bool
    last_heartbeat: float  # epoch seconds, 0 = never
    cpu_percent: float = 0.0
    screens: tuple[ScreenGeometry, ...] = ()
    tiles: tuple[tuple[ScreenRef, tuple[TileStatus, ...]], ...] = ()
    applied_sequence: int = 0  # the controller sequence number the node has applied
    version: str = ""


@dataclass(frozen=True, slots=True)
class WallPush:
    """One change made to the wall, with who made it (the audit trail consumes these)."""

    at: float  # epoch seconds
    user: str
    console: str  # the commanding peer's key name
    action: str  # e.g. "show-camera", "apply-preset", "set-screen", "sequence-start"
    detail: str
    sequence: int  # the controller sequence number of the resulting update


@dataclass(frozen=True, slots=True)
class WallSnapshot:
    """Everything a console's wall panel shows, as one immutable value."""

    epoch: str
    sequence: int
    screens: tuple[tuple[ScreenRef, ScreenContent], ...] = ()
    geometry: tuple[ScreenGeometry, ...] = ()
    presets: tuple[WallPreset, ...] = ()
    sequences: tuple[WallSequence, ...] = ()
    alarm_screen: ScreenRef | None = None
    nodes: tuple[NodeStatus, ...] = ()
    thumbnails: dict[str, bytes] = field(default_factory=dict)  # ScreenRef.key -> JPEG
    pushes: tuple[WallPush, ...] = ()  # the latest pushes seen since this mirror started, oldest first

    def content(self, ref: ScreenRef) -> ScreenContent | None:
        return next((c for r, c in self.screens if r == ref), None)

    def node(self, name: str) -> NodeStatus | None:
        return next((n for n in self.nodes if n.name == name), None)

    def preset(self, name: str) -> WallPreset | None:
        return next((p for p in self.presets if p.name == name), None)

    def sequence_named(self, name: str) -> WallSequence | None:
        return next((s for s in self.sequences if s.name == name), None)
