"""Tours on the controller's clock: camera tours on a tile, preset tours on the wall."""

from __future__ import annotations

import pytest

from vmwall.model.wall import (
    ScreenContent,
    ScreenGeometry,
    ScreenRef,
    SequenceRunState,
    SequenceStep,
    SequenceStepKind,
    WallPreset,
    WallSequence,
)
from vmwall.wall.errors import WallCommandError
from vmwall.wall.sequencer import Sequencer
from vmwall.wall.state import (
    Placement,
    WallState,
    placement_change,
    preset_change,
    screen_change,
    sequence_change,
)

A0 = ScreenRef("a", 0)
CAM = SequenceStepKind.CAMERA


def state_with(*sequences: WallSequence) -> WallState:
    state = WallState()
    state.apply(
        [
            placement_change("a", Placement((ScreenGeometry(A0, 0, 0, 1920, 1080),))),
            screen_change(A0, ScreenContent("2x2", (None, None, None, None))),
            *(sequence_change(s.name, s) for s in sequences),
        ]
    )
    return state


def tour(
    name: str = "t", tile: int = 0, cameras: tuple[int, ...] = (1, 2, 3), dwell: float = 5.0
) -> WallSequence:
    return WallSequence(name, tuple(SequenceStep(CAM, c, dwell_s=dwell) for c in cameras), A0, tile)


def run(state: WallState, changes: list[tuple[str, object]] | None) -> None:
    assert changes is not None
    state.apply(changes)


def cameras(state: WallState) -> tuple[int | None, ...]:
    return state.screens[A0].cameras


def test_a_camera_tour_steps_on_its_tile_at_each_dwell() -> None:
    state, seq = state_with(tour()), Sequencer()
    run(state, seq.start(state, "t", now=100.0))
    assert cameras(state)[0] == 1 and state.sequences["t"].state is SequenceRunState.RUNNING
    assert seq.tick(state, 104.9) is None
    run(state, seq.tick(state, 105.0))
    assert cameras(state)[0] == 2 and state.sequences["t"].position == 1
    run(state, seq.tick(state, 111.0))  # a late tick does not stretch the next dwell
    assert seq.next_due() == 115.0
    run(state, seq.tick(state, 115.0))
    assert cameras(state)[0] == 1  # wrapped around


def test_pause_keeps_the_rest_of_the_dwell_and_resume_uses_it() -> None:
    state, seq = state_with(tour()), Sequencer()
    run(state, seq.start(state, "t", now=0.0))
    run(state, seq.pause(state, "t", now=3.0))
    assert state.sequences["t"].state is SequenceRunState.PAUSED
    assert seq.tick(state, 100.0) is None
    with pytest.raises(WallCommandError, match="not running"):
        seq.pause(state, "t", now=100.0)
    run(state, seq.resume(state, "t", now=100.0))
    assert seq.next_due() == pytest.approx(102.0)


def test_step_shows_the_next_step_now_and_stop_freezes_the_tile() -> None:
    state, seq = state_with(tour()), Sequencer()
    run(state, seq.start(state, "t", now=0.0))
    run(state, seq.step(state, "t", now=1.0))
    assert cameras(state)[0] == 2 and seq.next_due() == 6.0
    run(state, seq.stop(state, "t", now=2.0))
    assert state.sequences["t"].state is SequenceRunState.STOPPED and seq.next_due() is None
    assert cameras(state)[0] == 2
    assert seq.stop(state, "t", now=3.0) == []


def test_two_tours_on_one_screen_each_keep_their_tile() -> None:
    state, seq = state_with(tour("t0", 0, (1, 2)), tour("t1", 1, (5, 6))), Sequencer()
    run(state, seq.start(state, "t0", now=0.0))
    run(state, seq.start(state, "t1", now=0.0))
    while (changes := seq.tick(state, 5.0)) is not None:
        state.apply(changes)
    assert cameras(state)[:2] == (2, 6)


def test_a_preset_tour_applies_presets_and_skips_a_deleted_one() -> None:
    state = state_with()
    for name, camera in (("p1", 1), ("p2", 2)):
        state.apply([preset_change(name, WallPreset(name, ((A0, ScreenContent("1x1", (camera,))),)))])
    steps = tuple(SequenceStep(SequenceStepKind.PRESET, preset=p, dwell_s=2) for p in ("p1", "p2"))
    state.apply([sequence_change("ronde", WallSequence("ronde", steps))])
    seq = Sequencer()
    run(state, seq.start(state, "ronde", now=0.0))
    assert state.screens[A0] == ScreenContent("1x1", (1,))
    state.apply([preset_change("p2", None)])
    run(state, seq.tick(state, 2.0))
    assert state.screens[A0] == ScreenContent("1x1", (1,)) and state.sequences["ronde"].position == 1


def test_a_restarted_controller_resumes_running_tours() -> None:
    state = state_with(tour())
    run(state, Sequencer().start(state, "t", now=0.0))
    fresh = Sequencer()
    fresh.resume_after_load(state, now=50.0)
    assert fresh.next_due() == 55.0


def test_unknown_sequence_is_refused_by_name() -> None:
    with pytest.raises(WallCommandError, match="no sequence named 'x'"):
        Sequencer().start(state_with(tour()), "x", now=0.0)
