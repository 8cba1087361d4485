"""Tours driven by the controller's clock: camera tours on one tile, preset tours on the whole wall.

The run state (stopped/running/paused and the current step) is part of the saved wall state, so a
restarted controller resumes a running tour; when the next step is due is kept here, in memory
(a resumed tour starts its current step's dwell again). Pure: the caller passes ``now``.
"""

from __future__ import annotations

from dataclasses import replace

from vmwall.model.wall import (
    ScreenContent,
    SequenceRunState,
    SequenceStepKind,
    WallSequence,
)
from vmwall.wall.errors import WallCommandError
from vmwall.wall.state import Change, WallState, preset_changes, screen_change, sequence_change


def step_changes(state: WallState, sequence: WallSequence, position: int) -> list[Change]:
    """What showing step ``position`` of ``sequence`` changes on the wall (empty if nothing: a
    preset deleted since, or a tile the target screen's layout no longer has)."""
    step = sequence.steps[position]
    if step.kind is SequenceStepKind.PRESET:
        preset = state.presets.get(step.preset or "")
        return [] if preset is None else preset_changes(state, preset)
    if sequence.screen is None:
        return []
    current = state.screens.get(sequence.screen)
    if current is None:
        if sequence.tile != 0:
            return []
        current = ScreenContent.empty()
    if sequence.tile >= len(current.cameras):
        return []
    target = current.with_camera(sequence.tile, step.camera)
    return [] if target == state.screens.get(sequence.screen) else [screen_change(sequence.screen, target)]


class Sequencer:
    """When each running tour's next step is due, and the changes each command or tick makes."""

    def __init__(self) -> None:
        self._due: dict[str, float] = {}
        self._remaining: dict[str, float] = {}  # paused tours: what was left of the step's dwell

    def resume_after_load(self, state: WallState, now: float) -> None:
        for name, sequence in state.sequences.items():
            if sequence.state is SequenceRunState.RUNNING:
                self._due[name] = now + sequence.steps[sequence.position].dwell_s
            elif sequence.state is SequenceRunState.PAUSED:
                self._remaining[name] = sequence.steps[sequence.position].dwell_s

    def next_due(self) -> float | None:
        return min(self._due.values(), default=None)

    def due_in(self, name: str, now: float) -> float | None:
        due = self._due.get(name)
        return None if due is None else max(0.0, due - now)

    def forget(self, name: str) -> None:
        self._due.pop(name, None)
        self._remaining.pop(name, None)

    @staticmethod
    def _get(state: WallState, name: str) -> WallSequence:
        sequence = state.sequences.get(name)
        if sequence is None:
            known = ", ".join(sorted(state.sequences)) or "none"
            raise WallCommandError(f"no sequence named {name!r} (known: {known})", "unknown-sequence")
        return sequence

    def _show(
        self, state: WallState, sequence: WallSequence, position: int, run: SequenceRunState
    ) -> list[Change]:
        updated = replace(sequence, position=position, state=run)
        return [*step_changes(state, updated, position), sequence_change(sequence.name, updated)]

    def start(self, state: WallState, name: str, now: float) -> list[Change]:
        sequence = self._get(state, name)
        self.forget(name)
        self._due[name] = now + sequence.steps[0].dwell_s
        return self._show(state, sequence, 0, SequenceRunState.RUNNING)

    def pause(self, state: WallState, name: str, now: float) -> list[Change]:
        sequence = self._get(state, name)
        if sequence.state is not SequenceRunState.RUNNING:
            raise WallCommandError(f"sequence {name!r} is not running (it is {sequence.state})", "invalid")
        due = self._due.pop(name, now)
        self._remaining[name] = max(0.0, due - now)
        return [sequence_change(name, replace(sequence, state=SequenceRunState.PAUSED))]

    def resume(self, state: WallState, name: str, now: float) -> list[Change]:
        sequence = self._get(state, name)
        if sequence.state is not SequenceRunState.PAUSED:
            raise WallCommandError(f"sequence {name!r} is not paused (it is {sequence.state})", "invalid")
        remaining = self._remaining.pop(name, sequence.steps[sequence.position].dwell_s)
        self._due[name] = now + remaining
        return [sequence_change(name, replace(sequence, state=SequenceRunState.RUNNING))]

    def step(self, state: WallState, name: str, now: float) -> list[Change]:
        """Show the next step now; a stopped tour stays stopped and shows it, a paused one stays paused."""
        sequence = self._get(state, name)
        position = (sequence.position + 1) % len(sequence.steps)
        dwell = sequence.steps[position].dwell_s
        if sequence.state is SequenceRunState.RUNNING:
            self._due[name] = now + dwell
        elif sequence.state is SequenceRunState.PAUSED:
            self._remaining[name] = dwell
        return self._show(state, sequence, position, sequence.state)

    def stop(self, state: WallState, name: str, now: float) -> list[Change]:
        sequence = self._get(state, name)
        self.forget(name)
        if sequence.state is SequenceRunState.STOPPED:
            return []
        return [sequence_change(name, replace(sequence, state=SequenceRunState.STOPPED))]

    def tick(self, state: WallState, now: float) -> list[Change] | None:
        """The changes of the earliest tour due at ``now`` (its next step), or None if none is due.

        Call again until None: each call's changes must be applied before the next call, so two
        tours on one screen each see the other's step.
        """
        due = [(when, name) for name, when in self._due.items() if when <= now]
        if not due:
            return None
        _, name = min(due)
        sequence = state.sequences.get(name)
        if sequence is None or sequence.state is not SequenceRunState.RUNNING:
            self.forget(name)
            return []
        position = (sequence.position + 1) % len(sequence.steps)
        # Next due from the previous due time, not from now: a late tick does not stretch the tour.
        previous = self._due[name]
        following = previous + sequence.steps[position].dwell_s
        self._due[name] = following if following > now else now + sequence.steps[position].dwell_s
        return self._show(state, sequence, position, SequenceRunState.RUNNING)
