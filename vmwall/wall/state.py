"""The wall's key/value state, as the controller holds it and as nodes and consoles mirror it.

Keys and values (JSON; ``None`` deletes the key)::

    screen/<node>:<index>   what the screen shows        {"layout", "cameras", "streams"?}
    placement/<node>        the node's screens and where the node sits on the wall drawing
                            {"screens": [geometry as the node reports it], "column", "row"}
    preset/<name>           a saved wall                 {"name", "screens", "saved_by"}
    sequence/<name>         a tour and its run state     {"name", "steps", "screen", "tile", ...}
    alarm-screen            the screen alarms go to      "node:index"

Every accepted change bumps ``sequence`` (one number per update, which may carry several keys, so
a preset lands on every node in one step). The same class applies a snapshot and updates in a
mirror, so controller and followers cannot disagree on what a change means. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vmwall.model.errors import ValidationError
from vmwall.model.wall import (
    MAX_SCREENS_PER_NODE,
    NodeStatus,
    ScreenContent,
    ScreenGeometry,
    ScreenRef,
    WallPreset,
    WallPush,
    WallSequence,
    WallSnapshot,
    check_node_name,
)
from vmwall.wall import codec
from vmwall.wall.codec import CodecError
from vmwall.wall.schema import array, integer, obj, string

Change = tuple[str, Any]  # (key, JSON value or None)

MAX_KEYS = 20_000
PLACEMENT_SCHEMA = obj(
    {
        "screens": array(codec.GEOMETRY_SCHEMA, MAX_SCREENS_PER_NODE),
        "column": integer(0, 4095),
        "row": integer(0, 4095),
    }
)
ALARM_KEY = "alarm-screen"
KEY_SCHEMA = string(200, min_len=1)


@dataclass(frozen=True, slots=True)
class Placement:
    """A node's screens as it reports them (its own column/row grid) and its offset on the wall."""

    screens: tuple[ScreenGeometry, ...]
    column: int = 0
    row: int = 0

    def placed(self) -> tuple[ScreenGeometry, ...]:
        return tuple(
            ScreenGeometry(g.ref, g.column + self.column, g.row + self.row, g.width_px, g.height_px, g.label)
            for g in self.screens
        )

    def columns(self) -> int:
        return max((g.column + 1 for g in self.screens), default=0)

    def to_json(self) -> dict[str, Any]:
        return {
            "screens": [codec.geometry_to_json(g) for g in self.screens],
            "column": self.column,
            "row": self.row,
        }


def screen_key(ref: ScreenRef) -> str:
    return f"screen/{ref.key}"


def placement_key(node: str) -> str:
    return f"placement/{node}"


def preset_key(name: str) -> str:
    return f"preset/{name}"


def sequence_key(name: str) -> str:
    return f"sequence/{name}"


@dataclass(frozen=True, slots=True)
class _Parsed:
    kind: str
    name: str  # screen key, node, preset or sequence name; "" for the alarm screen
    value: Any  # model value, or None to delete


def parse_change(key: Any, value: Any) -> _Parsed:
    """Check one change against the schema of its key; CodecError if it is not a valid change."""
    codec.checked(KEY_SCHEMA, key, "key")
    kind, sep, name = key.partition("/")
    if key == ALARM_KEY:
        if value is None:
            return _Parsed("alarm", "", None)
        codec.checked(codec.SCREEN, value, key)
        return _Parsed("alarm", "", codec.screen_from_json(value))
    if not sep or not name:
        raise CodecError(f"unknown state key {key[:60]!r}")
    if kind == "screen":
        ref = codec.screen_from_json(name)
        if value is None:
            return _Parsed(kind, ref.key, None)
        return _Parsed(
            kind, ref.key, codec.content_from_json(codec.checked(codec.CONTENT_SCHEMA, value, key))
        )
    if kind == "placement":
        try:
            check_node_name(name)
        except ValidationError as exc:
            raise CodecError(str(exc)) from None
        if value is None:
            return _Parsed(kind, name, None)
        data = codec.checked(PLACEMENT_SCHEMA, value, key)
        screens = tuple(codec.geometry_from_json(g) for g in data["screens"])
        if any(g.ref.node != name for g in screens) or len({g.ref for g in screens}) != len(screens):
            raise CodecError(f"{key}: screens must be the node's own, each once")
        return _Parsed(kind, name, Placement(screens, data["column"], data["row"]))
    if kind == "preset":
        if value is None:
            return _Parsed(kind, name, None)
        preset = codec.preset_from_json(codec.checked(codec.PRESET_SCHEMA, value, key))
        if preset.name != name:
            raise CodecError(f"{key}: the preset inside is named {preset.name!r}")
        return _Parsed(kind, name, preset)
    if kind == "sequence":
        if value is None:
            return _Parsed(kind, name, None)
        sequence = codec.sequence_from_json(codec.checked(codec.SEQUENCE_SCHEMA, value, key))
        if sequence.name != name:
            raise CodecError(f"{key}: the sequence inside is named {sequence.name!r}")
        return _Parsed(kind, name, sequence)
    raise CodecError(f"unknown state key {key[:60]!r}")


@dataclass
class WallState:
    """The wall's saved state. Not thread-safe: one owner thread."""

    sequence: int = 0
    screens: dict[ScreenRef, ScreenContent] = field(default_factory=dict)
    placements: dict[str, Placement] = field(default_factory=dict)
    presets: dict[str, WallPreset] = field(default_factory=dict)
    sequences: dict[str, WallSequence] = field(default_factory=dict)
    alarm_screen: ScreenRef | None = None

    # --- changes ---------------------------------------------------------------------------------

    def apply(self, changes: Sequence[Change], sequence: int | None = None) -> None:
        """Apply one update: every change is checked first, then all are applied (or none)."""
        self.apply_prepared(self.prepare(changes), sequence)

    def prepare(self, changes: Sequence[Change]) -> list[_Parsed]:
        """Check an update without applying it (CodecError says what is wrong)."""
        parsed = [parse_change(key, value) for key, value in changes]
        size = len(self.screens) + len(self.placements) + len(self.presets) + len(self.sequences)
        if size + len(parsed) > MAX_KEYS:
            raise CodecError(f"the wall state would exceed {MAX_KEYS} keys")
        return parsed

    def apply_prepared(self, parsed: list[_Parsed], sequence: int | None = None) -> None:
        for item in parsed:
            self._apply_one(item)
        if sequence is not None:
            self.sequence = sequence

    def _apply_one(self, item: _Parsed) -> None:
        if item.kind == "alarm":
            self.alarm_screen = item.value
        elif item.kind == "screen":
            ref = ScreenRef.parse(item.name)
            if item.value is None:
                self.screens.pop(ref, None)
            else:
                self.screens[ref] = item.value
        elif item.kind == "placement":
            _set(self.placements, item.name, item.value)
        elif item.kind == "preset":
            _set(self.presets, item.name, item.value)
        elif item.kind == "sequence":
            _set(self.sequences, item.name, item.value)

    def items(self) -> list[Change]:
        """The whole state as changes: what a snapshot carries and the state file holds."""
        out: list[Change] = [(placement_key(n), p.to_json()) for n, p in sorted(self.placements.items())]
        out += [(screen_key(r), codec.content_to_json(c)) for r, c in sorted(self.screens.items())]
        out += [(preset_key(n), codec.preset_to_json(p)) for n, p in sorted(self.presets.items())]
        out += [(sequence_key(n), codec.sequence_to_json(s)) for n, s in sorted(self.sequences.items())]
        if self.alarm_screen is not None:
            out.append((ALARM_KEY, self.alarm_screen.key))
        return out

    @classmethod
    def from_items(cls, items: Iterable[Change], sequence: int) -> WallState:
        state = cls()
        state.apply(list(items), sequence)
        return state

    def copy(self) -> WallState:
        """A copy sharing the (immutable) values, to restore if saving an update fails."""
        return WallState(
            self.sequence,
            dict(self.screens),
            dict(self.placements),
            dict(self.presets),
            dict(self.sequences),
            self.alarm_screen,
        )

    def restore(self, other: WallState) -> None:
        """Become ``other`` again, in place (the controller's executor keeps this object)."""
        self.sequence = other.sequence
        self.screens, self.placements = other.screens, other.placements
        self.presets, self.sequences = other.presets, other.sequences
        self.alarm_screen = other.alarm_screen

    # --- views -----------------------------------------------------------------------------------

    def known_screens(self) -> set[ScreenRef]:
        """Screens some node has reported (their content may be empty)."""
        return {g.ref for p in self.placements.values() for g in p.screens}

    def geometry(self) -> tuple[ScreenGeometry, ...]:
        return tuple(g for _, p in sorted(self.placements.items()) for g in p.placed())

    def content(self, ref: ScreenRef) -> ScreenContent | None:
        return self.screens.get(ref)

    def snapshot(
        self,
        epoch: str,
        nodes: Iterable[NodeStatus] = (),
        thumbnails: dict[str, bytes] | None = None,
        pushes: Iterable[WallPush] = (),
    ) -> WallSnapshot:
        return WallSnapshot(
            epoch=epoch,
            sequence=self.sequence,
            screens=tuple(sorted(self.screens.items())),
            geometry=self.geometry(),
            presets=tuple(p for _, p in sorted(self.presets.items())),
            sequences=tuple(s for _, s in sorted(self.sequences.items())),
            alarm_screen=self.alarm_screen,
            nodes=tuple(nodes),
            thumbnails=dict(thumbnails or {}),
            pushes=tuple(pushes),
        )


def _set(table: dict[str, Any], name: str, value: Any) -> None:
    if value is None:
        table.pop(name, None)
    else:
        table[name] = value


def screen_change(ref: ScreenRef, content: ScreenContent | None) -> Change:
    return (screen_key(ref), None if content is None else codec.content_to_json(content))


def preset_change(name: str, preset: WallPreset | None) -> Change:
    return (preset_key(name), None if preset is None else codec.preset_to_json(preset))


def sequence_change(name: str, sequence: WallSequence | None) -> Change:
    return (sequence_key(name), None if sequence is None else codec.sequence_to_json(sequence))


def placement_change(node: str, placement: Placement | None) -> Change:
    return (placement_key(node), None if placement is None else placement.to_json())


def alarm_change(ref: ScreenRef | None) -> Change:
    return (ALARM_KEY, None if ref is None else ref.key)


def preset_of(state: WallState, name: str, saved_by: str) -> WallPreset:
    """The current wall saved as preset ``name``: every screen with content but the alarm screen."""
    screens = tuple(
        (ref, content) for ref, content in sorted(state.screens.items()) if ref != state.alarm_screen
    )
    return WallPreset(name, screens, saved_by)


def preset_changes(state: WallState, preset: WallPreset) -> list[Change]:
    """What applying ``preset`` changes: its screens take its content; every other known screen is
    cleared, except the alarm screen, which presets never touch."""
    wanted = {ref: content for ref, content in preset.screens if ref != state.alarm_screen}
    changes: list[Change] = []
    for ref in sorted(set(wanted) | set(state.screens)):
        if ref == state.alarm_screen:
            continue
        target = wanted.get(ref)
        if state.screens.get(ref) != target:
            changes.append(screen_change(ref, target))
    return changes


def auto_placement(state: WallState, node: str, screens: tuple[ScreenGeometry, ...]) -> Placement:
    """Where a node's screens go on the wall drawing: where they were, or right of the others."""
    current = state.placements.get(node)
    if current is not None:
        return Placement(screens, current.column, current.row)
    right = max((p.column + p.columns() for n, p in state.placements.items() if n != node), default=0)
    return Placement(screens, right, 0)
