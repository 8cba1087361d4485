"""What each console command does to the wall, and who may do it. Pure: the controller injects
the user directory, the camera catalogue check and the known layouts.

A command is refused with a `WallCommandError` whose text is meant for the operator (screens and
tiles counted from 1, as on the command line and on the wall panel).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from vmwall.model.camera import StreamKind
from vmwall.model.errors import ValidationError
from vmwall.model.user import Permission
from vmwall.model.wall import (
    EMPTY_LAYOUT,
    ScreenContent,
    ScreenRef,
    WallSequence,
)
from vmwall.wall import codec
from vmwall.wall.codec import CodecError
from vmwall.wall.errors import WallCommandError
from vmwall.wall.sequencer import Sequencer
from vmwall.wall.state import (
    Change,
    Placement,
    WallState,
    alarm_change,
    placement_change,
    preset_change,
    preset_changes,
    preset_of,
    screen_change,
    sequence_change,
)

log = logging.getLogger(__name__)

# Who may do what: the user's permissions (None: unknown or inactive account).
Authorise = Callable[[str], AbstractSet[Permission] | None]
# Why this user may not put these cameras on the wall (unknown, storage-only, outside the user's
# communes...), or None when they may.
CameraCheck = Callable[[str, Sequence[int]], str | None]
# Layout name -> number of tiles, for every layout the controller knows.
LayoutCatalogue = Callable[[], Mapping[str, int]]


def describe(ref: ScreenRef) -> str:
    return f"screen {ref.index + 1} of node {ref.node}"


def _count(number: int, word: str) -> str:
    return f"{number} {word}" + ("" if number == 1 else "s")


def _cameras_text(cameras: Iterable[int | None]) -> str:
    return ", ".join("-" if c is None else str(c) for c in cameras)


@dataclass(frozen=True, slots=True)
class Outcome:
    changes: list[Change]
    detail: str


class CommandExecutor:
    """Checks and runs console commands against the state (which the caller then updates)."""

    def __init__(
        self,
        state: WallState,
        sequencer: Sequencer,
        *,
        authorise: Authorise,
        check_cameras: CameraCheck,
        layouts: LayoutCatalogue,
    ) -> None:
        self.state = state
        self.sequencer = sequencer
        self._authorise = authorise
        self._check_cameras = check_cameras
        self._layouts = layouts
        self._action = ""
        self._handlers: dict[str, Callable[[str, dict[str, Any], float], Outcome]] = {
            "show-camera": self._show_camera,
            "set-screen": self._set_screen,
            "clear-screen": self._clear_screen,
            "apply-preset": self._apply_preset,
            "save-preset": self._save_preset,
            "delete-preset": self._delete_preset,
            "save-sequence": self._save_sequence,
            "delete-sequence": self._delete_sequence,
            "sequence-start": self._sequence_action,
            "sequence-pause": self._sequence_action,
            "sequence-resume": self._sequence_action,
            "sequence-step": self._sequence_action,
            "sequence-stop": self._sequence_action,
            "set-alarm-screen": self._set_alarm_screen,
            "alarm": self._alarm,
            "place-node": self._place_node,
        }

    def run(self, user: str, action: str, args: dict[str, Any], now: float) -> Outcome:
        """The changes ``action`` makes for ``user`` (``args`` already checked by the protocol)."""
        handler = self._handlers.get(action)
        if handler is None:
            raise WallCommandError(f"unknown action {action!r}", "invalid")
        self._require_wall_right(user)
        self._action = action
        return handler(user, args, now)

    # --- checks ----------------------------------------------------------------------------------

    def _require_wall_right(self, user: str) -> None:
        try:
            permissions = self._authorise(user)
        except Exception:
            log.exception("the user directory failed while checking %r", user)
            raise WallCommandError(
                "the user directory is unavailable on the wall controller; try again", "unavailable"
            ) from None
        if permissions is None:
            raise WallCommandError(f"user {user!r} is unknown or inactive", "unknown-user")
        if Permission.WALL not in permissions:
            raise WallCommandError(f"user {user!r} lacks the wall right", "no-right")

    def _cameras_allowed(self, user: str, numbers: Iterable[int | None]) -> None:
        wanted = sorted({n for n in numbers if n is not None})
        if not wanted:
            return
        try:
            reason = self._check_cameras(user, wanted)
        except Exception:
            log.exception("the camera catalogue failed while checking cameras %s", wanted)
            raise WallCommandError(
                "the camera catalogue is unavailable on the wall controller; try again", "unavailable"
            ) from None
        if reason:
            raise WallCommandError(reason, "camera-refused")

    def _screen(self, text: str) -> ScreenRef:
        try:
            ref = codec.screen_from_json(text)
        except CodecError as exc:
            raise WallCommandError(str(exc), "invalid") from None
        known = self.state.known_screens()
        if ref not in known:
            shown = ", ".join(f"{r.node}:{r.index + 1}" for r in sorted(known)) or "none yet"
            raise WallCommandError(
                f"there is no {describe(ref)} on the wall (screens: {shown})", "unknown-screen"
            )
        return ref

    def _tiles_of(self, layout: str) -> int:
        catalogue = self._layouts()
        tiles = catalogue.get(layout)
        if tiles is None:
            raise WallCommandError(
                f"unknown layout {layout!r} (known: {', '.join(sorted(catalogue))})", "unknown-layout"
            )
        return tiles

    def _preset(self, name: str) -> Any:
        preset = self.state.presets.get(name)
        if preset is None:
            known = ", ".join(sorted(self.state.presets)) or "none"
            raise WallCommandError(f"no preset named {name!r} (known: {known})", "unknown-preset")
        return preset

    # --- screens ---------------------------------------------------------------------------------

    def _show_camera(self, user: str, args: dict[str, Any], now: float) -> Outcome:
        ref = self._screen(args["screen"])
        tile: int = args.get("tile", 0)
        camera: int | None = args["camera"]
        current = self.state.screens.get(ref)
        if current is None:
            if tile != 0:
                raise WallCommandError(
                    f"{describe(ref)} is empty (one tile): give it a layout before tile {tile + 1}", "invalid"
                )
            current = ScreenContent.empty()
        if tile >= len(current.cameras):
            raise WallCommandError(
                f"{describe(ref)} shows layout {current.layout} ({len(current.cameras)} tiles): "
                f"there is no tile {tile + 1}",
                "invalid",
            )
        self._cameras_allowed(user, [camera])
        target = current.with_camera(tile, camera)
        where = f"{describe(ref)}, tile {tile + 1}"
        detail = f"camera {camera} on {where}" if camera is not None else f"emptied {where}"
        return Outcome(self._screen_changes(ref, target), detail)

    def _screen_changes(self, ref: ScreenRef, target: ScreenContent | None) -> list[Change]:
        return [] if self.state.screens.get(ref) == target else [screen_change(ref, target)]

    def _set_screen(self, user: str, args: dict[str, Any], now: float) -> Outcome:
        ref = self._screen(args["screen"])
        layout: str = args["layout"]
        tiles = self._tiles_of(layout)
        cameras: list[int | None] = list(args["cameras"])
        streams: list[str | None] = list(args.get("streams", []))
        if streams and len(streams) != len(cameras):
            raise WallCommandError("streams must give one entry per camera", "invalid")
        if any(c is not None for c in cameras[tiles:]):
            raise WallCommandError(
                f"layout {layout} has {_count(tiles, 'tile')} "
                f"but {_count(len(cameras), 'camera')} were given",
                "invalid",
            )
        cameras = (cameras + [None] * tiles)[:tiles]
        kinds = tuple(None if s is None else StreamKind(s) for s in (streams + [None] * tiles)[:tiles])
        self._cameras_allowed(user, cameras)
        try:
            target = ScreenContent(layout, tuple(cameras), kinds if any(kinds) else ())
        except ValidationError as exc:
            raise WallCommandError(str(exc), "invalid") from None
        detail = f"layout {layout} with cameras {_cameras_text(cameras)} on {describe(ref)}"
        return Outcome(self._screen_changes(ref, target), detail)

    def _clear_screen(self, user: str, args: dict[str, Any], now: float) -> Outcome:
        ref = self._screen(args["screen"])
        current = self.state.screens.get(ref)
        target = None if current is None else current.cleared()
        return Outcome(self._screen_changes(ref, target), f"cleared {describe(ref)}")

    # --- presets ---------------------------------------------------------------------------------

    def _apply_preset(self, user: str, args: dict[str, Any], now: float) -> Outcome:
        preset = self._preset(args["name"])
        self._cameras_allowed(user, preset.camera_numbers())
        changes = preset_changes(self.state, preset)
        return Outcome(changes, f"preset {preset.name!r} ({_count(len(changes), 'screen')} changed)")

    def _save_preset(self, user: str, args: dict[str, Any], now: float) -> Outcome:
        try:
            preset = preset_of(self.state, args["name"], user)
        except ValidationError as exc:
            raise WallCommandError(str(exc), "invalid") from None
        verb = "replaced" if preset.name in self.state.presets else "saved"
        return Outcome(
            [preset_change(preset.name, preset)],
            f"{verb} preset {preset.name!r} ({_count(len(preset.screens), 'screen')})",
        )

    def _delete_preset(self, user: str, args: dict[str, Any], now: float) -> Outcome:
        preset = self._preset(args["name"])
        return Outcome([preset_change(preset.name, None)], f"deleted preset {preset.name!r}")

    # --- sequences -------------------------------------------------------------------------------

    def _save_sequence(self, user: str, args: dict[str, Any], now: float) -> Outcome:
        screen_text = args.get("screen")
        screen = None if screen_text is None else self._screen(screen_text)
        try:
            steps = tuple(codec.step_from_json(s) for s in args["steps"])
            sequence = WallSequence(args["name"], steps, screen, args.get("tile", 0))
        except (CodecError, ValidationError) as exc:
            raise WallCommandError(str(exc), "invalid") from None
        missing = sorted(
            {s.preset for s in steps if s.preset is not None and s.preset not in self.state.presets}
        )
        if missing:
            raise WallCommandError(
                f"sequence {sequence.name!r} names unknown preset(s): {', '.join(map(repr, missing))}",
                "unknown-preset",
            )
        self._cameras_allowed(user, [s.camera for s in steps])
        self.sequencer.forget(sequence.name)
        verb = "replaced" if sequence.name in self.state.sequences else "saved"
        return Outcome(
            [sequence_change(sequence.name, sequence)],
            f"{verb} sequence {sequence.name!r} ({_count(len(steps), 'step')})",
        )

    def _delete_sequence(self, user: str, args: dict[str, Any], now: float) -> Outcome:
        name: str = args["name"]
        if name not in self.state.sequences:
            raise WallCommandError(f"no sequence named {name!r}", "unknown-sequence")
        self.sequencer.forget(name)
        return Outcome([sequence_change(name, None)], f"deleted sequence {name!r}")

    def _sequence_action(self, user: str, args: dict[str, Any], now: float) -> Outcome:
        name: str = args["name"]
        verb = self._action.removeprefix("sequence-")
        sequence = self.state.sequences.get(name)
        if sequence is not None and verb in ("start", "step"):
            self._cameras_allowed(user, [s.camera for s in sequence.steps])
        method = {
            "start": self.sequencer.start,
            "pause": self.sequencer.pause,
            "resume": self.sequencer.resume,
            "step": self.sequencer.step,
            "stop": self.sequencer.stop,
        }[verb]
        return Outcome(method(self.state, name, now), f"sequence {name!r}: {verb}")

    # --- alarm screen, arrangement ---------------------------------------------------------------

    def _set_alarm_screen(self, user: str, args: dict[str, Any], now: float) -> Outcome:
        text = args["screen"]
        ref = None if text is None else self._screen(text)
        if ref == self.state.alarm_screen:
            return Outcome([], "alarm screen unchanged")
        detail = "no alarm screen" if ref is None else f"alarm screen is {describe(ref)}"
        return Outcome([alarm_change(ref)], detail)

    def _alarm(self, user: str, args: dict[str, Any], now: float) -> Outcome:
        ref = self.state.alarm_screen
        if ref is None:
            raise WallCommandError("no alarm screen is set (set-alarm-screen first)", "no-alarm-screen")
        camera: int = args["camera"]
        self._cameras_allowed(user, [camera])
        target = ScreenContent(EMPTY_LAYOUT, (camera,))
        return Outcome(self._screen_changes(ref, target), f"alarm: camera {camera} on {describe(ref)}")

    def _place_node(self, user: str, args: dict[str, Any], now: float) -> Outcome:
        node: str = args["node"]
        current = self.state.placements.get(node)
        if current is None:
            raise WallCommandError(f"node {node!r} has never reported its screens", "unknown-node")
        placement = Placement(current.screens, args["column"], args["row"])
        if placement == current:
            return Outcome([], f"node {node} stays where it is")
        return Outcome(
            [placement_change(node, placement)],
            f"node {node} placed at column {placement.column + 1}, row {placement.row + 1}",
        )
