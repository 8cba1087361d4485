"""The wall's key/value state, its codecs, presets, placement, and the followers' Clone mirror."""

from __future__ import annotations

import pytest

from vmwall.model.wall import (
    ScreenContent,
    ScreenGeometry,
    ScreenRef,
    SequenceStep,
    SequenceStepKind,
    WallSequence,
)
from vmwall.wall.codec import CodecError
from vmwall.wall.mirror import CloneMirror
from vmwall.wall.state import (
    Placement,
    WallState,
    alarm_change,
    auto_placement,
    placement_change,
    preset_changes,
    preset_of,
    screen_change,
    sequence_change,
)

A0, A1, B0 = ScreenRef("a", 0), ScreenRef("a", 1), ScreenRef("b", 0)


def geometry(ref: ScreenRef, column: int = 0) -> ScreenGeometry:
    return ScreenGeometry(ref, column, 0, 1920, 1080)


def wall() -> WallState:
    state = WallState()
    state.apply(
        [
            placement_change("a", Placement((geometry(A0), geometry(A1, 1)))),
            placement_change("b", Placement((geometry(B0),), column=2)),
            screen_change(A0, ScreenContent("2x2", (1, 2, None, 4))),
            screen_change(B0, ScreenContent("1x1", (7,))),
        ],
        sequence=4,
    )
    return state


def test_items_rebuild_the_same_state() -> None:
    state = wall()
    state.apply(
        [sequence_change("tour", WallSequence("tour", (SequenceStep(SequenceStepKind.CAMERA, 3),), A1))]
    )
    state.apply([alarm_change(B0)], sequence=5)
    copy = WallState.from_items(state.items(), state.sequence)
    assert copy == state
    assert copy.geometry()[-1].column == 2  # placed screens include the node's offset


def test_an_update_is_all_or_nothing() -> None:
    state = wall()
    before = state.items()
    with pytest.raises(CodecError):
        state.apply(
            [screen_change(A1, ScreenContent("1x1", (9,))), ("screen/a:1", {"layout": "1x1"})], sequence=9
        )
    assert state.items() == before and state.sequence == 4


FOREIGN_SCREEN = {"screen": "b:0", "column": 0, "row": 0, "width_px": 1, "height_px": 1}
SHORT_DWELL = {"name": "t", "steps": [{"kind": "camera", "camera": 1, "dwell_s": 0.5}]}


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("screen/a:0", {"layout": "1x1", "cameras": [0]}, "outside"),
        ("screen/a:99", None, "outside 0..15"),
        ("screen/a", None, "not a screen"),
        ("sofa/a", None, "unknown state key"),
        ("preset/x", {"name": "y", "screens": []}, "named 'y'"),
        ("placement/a", {"screens": [FOREIGN_SCREEN], "column": 0, "row": 0}, "node's own"),
        ("alarm-screen", 3, "expected a string"),
        ("sequence/t", SHORT_DWELL, "dwell time"),
    ],
)
def test_a_bad_change_is_refused(key: str, value: object, reason: str) -> None:
    with pytest.raises(CodecError, match=reason):
        WallState().apply([(key, value)])


def test_a_preset_saves_every_screen_but_the_alarm_screen_and_recalls_the_whole_wall() -> None:
    state = wall()
    state.apply([alarm_change(B0)])
    preset = preset_of(state, "normal", "chef")
    assert [ref for ref, _ in preset.screens] == [A0]
    state.apply(
        [screen_change(A0, ScreenContent("1x1", (5,))), screen_change(A1, ScreenContent("1x1", (6,)))]
    )
    changes = dict(preset_changes(state, preset))
    assert changes == {"screen/a:0": {"layout": "2x2", "cameras": [1, 2, None, 4]}, "screen/a:1": None}
    state.apply(list(changes.items()))
    assert state.screens[B0] == ScreenContent("1x1", (7,))  # the alarm screen is left alone
    assert preset_changes(state, preset) == []  # recalling it again changes nothing


def test_a_new_node_goes_right_of_the_others_and_keeps_its_place() -> None:
    state = wall()
    placed = auto_placement(state, "c", (geometry(ScreenRef("c", 0)), geometry(ScreenRef("c", 1), 1)))
    assert (placed.column, placed.row) == (3, 0)
    state.apply([placement_change("c", placed)])
    again = auto_placement(state, "c", (geometry(ScreenRef("c", 0)),))
    assert (again.column, again.row) == (3, 0) and len(again.screens) == 1


# --- the Clone mirror ---------------------------------------------------------------------------


def update(sequence: int, camera: int) -> tuple[str, int, list[tuple[str, object]]]:
    return ("e1", sequence, [screen_change(A0, ScreenContent("1x1", (camera,)))])


def test_updates_before_the_snapshot_are_kept_and_only_newer_ones_applied() -> None:
    mirror = CloneMirror()
    assert mirror.on_update(*update(4, 40)) is None  # not synced yet: kept
    assert mirror.on_update(*update(5, 50)) is None
    applied = mirror.on_snapshot("e1", 4, wall().items())
    assert mirror.synced and mirror.state.sequence == 5
    assert applied == [screen_change(A0, ScreenContent("1x1", (50,)))]
    assert mirror.state.screens[A0].cameras == (50,)


def test_a_gap_asks_for_a_snapshot_and_keeps_the_state() -> None:
    mirror = CloneMirror()
    mirror.on_snapshot("e1", 4, wall().items())
    assert mirror.on_update(*update(5, 50)) is not None
    assert mirror.on_update(*update(5, 51)) is None  # a duplicate is ignored
    assert not mirror.needs_resync
    assert mirror.on_update(*update(7, 70)) is None  # 6 was lost
    assert mirror.needs_resync and not mirror.synced
    assert mirror.state.screens[A0].cameras == (50,)  # fail-static


def test_a_new_epoch_or_a_hugz_ahead_asks_for_a_snapshot() -> None:
    mirror = CloneMirror()
    mirror.on_snapshot("e1", 4, wall().items())
    mirror.on_hugz("e1", 4)
    assert not mirror.needs_resync
    mirror.on_hugz("e1", 5)  # an update we never saw
    assert mirror.needs_resync
    mirror.on_snapshot("e1", 5, wall().items())
    assert mirror.on_update("e2", 1, []) is None
    assert mirror.needs_resync


def test_an_invalid_update_is_not_applied_and_asks_for_a_snapshot() -> None:
    mirror = CloneMirror()
    mirror.on_snapshot("e1", 4, wall().items())
    assert mirror.on_update("e1", 5, [("screen/a:0", {"layout": ""})]) is None
    assert mirror.needs_resync and mirror.state.sequence == 4


def test_an_invalid_snapshot_leaves_the_mirror_as_it_was() -> None:
    mirror = CloneMirror()
    mirror.on_snapshot("e1", 4, wall().items())
    with pytest.raises(CodecError):
        mirror.on_snapshot("e2", 1, [("screen/a:0", "nonsense")])
    assert mirror.epoch == "e1" and mirror.state.screens[A0].layout == "2x2"


def test_a_node_mirror_keeps_its_own_screens_and_follows_every_sequence_number() -> None:
    mirror = CloneMirror(keep=lambda key: key.startswith("screen/b:"))
    mirror.on_snapshot("e1", 4, wall().items())
    assert set(mirror.state.screens) == {B0} and mirror.state.placements == {}
    assert mirror.on_update("e1", 5, [screen_change(A0, ScreenContent("1x1", (9,)))]) == []
    assert mirror.state.sequence == 5 and not mirror.needs_resync
    applied = mirror.on_update("e1", 6, [screen_change(B0, ScreenContent("1x1", (8,)))])
    assert applied == [screen_change(B0, ScreenContent("1x1", (8,)))]
