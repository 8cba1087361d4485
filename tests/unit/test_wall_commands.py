"""Console commands on the wall state: rights, catalogue checks, screens, presets, sequences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from vmwall.model.user import Permission
from vmwall.model.wall import ScreenContent, ScreenGeometry, ScreenRef
from vmwall.wall.commands import CommandExecutor
from vmwall.wall.errors import WallCommandError
from vmwall.wall.protocol import check_args
from vmwall.wall.sequencer import Sequencer
from vmwall.wall.state import Placement, WallState, placement_change

A0, A1 = ScreenRef("a", 0), ScreenRef("a", 1)
LAYOUTS = {"1x1": 1, "2x2": 4, "3x3": 9}
USERS: dict[str, set[Permission] | None] = {
    "chef": {Permission.WALL, Permission.LIVE_VIEW},
    "op": {Permission.LIVE_VIEW},
    "gone": None,
}


def check_cameras(user: str, numbers: Sequence[int]) -> str | None:
    unknown = [n for n in numbers if n > 50]
    return f"camera {unknown[0]} is not in the catalogue" if unknown else None


class Wall:
    def __init__(self) -> None:
        self.state = WallState()
        self.state.apply(
            [
                placement_change(
                    "a",
                    Placement((ScreenGeometry(A0, 0, 0, 1920, 1080), ScreenGeometry(A1, 1, 0, 1920, 1080))),
                )
            ]
        )
        self.executor = CommandExecutor(
            self.state,
            Sequencer(),
            authorise=lambda login: USERS.get(login),
            check_cameras=check_cameras,
            layouts=lambda: LAYOUTS,
        )
        self.now = 0.0

    def do(self, action: str, user: str = "chef", **args: Any) -> str:
        outcome = self.executor.run(user, action, check_args(action, args), self.now)
        self.state.apply(outcome.changes, self.state.sequence + 1)
        return outcome.detail


def test_show_camera_fills_one_tile_and_says_what_it_did() -> None:
    wall = Wall()
    assert wall.do("show-camera", screen="a:0", camera=7) == "camera 7 on screen 1 of node a, tile 1"
    assert wall.state.screens[A0] == ScreenContent("1x1", (7,))
    wall.do("set-screen", screen="a:0", layout="2x2", cameras=[1, None])
    assert wall.state.screens[A0].cameras == (1, None, None, None)  # padded to the layout's tiles
    wall.do("show-camera", screen="a:0", tile=3, camera=4)
    assert wall.state.screens[A0].cameras == (1, None, None, 4)
    wall.do("show-camera", screen="a:0", tile=0, camera=None)
    assert wall.state.screens[A0].cameras == (None, None, None, 4)


@pytest.mark.parametrize(
    ("user", "code", "reason"),
    [
        ("op", "no-right", "user 'op' lacks the wall right"),
        ("gone", "unknown-user", "user 'gone' is unknown or inactive"),
        ("nobody", "unknown-user", "user 'nobody' is unknown or inactive"),
    ],
)
def test_a_user_without_the_wall_right_is_refused_clearly(user: str, code: str, reason: str) -> None:
    wall = Wall()
    with pytest.raises(WallCommandError) as refused:
        wall.do("show-camera", user=user, screen="a:0", camera=7)
    assert str(refused.value) == reason and refused.value.code == code
    assert A0 not in wall.state.screens


def test_a_failing_user_directory_refuses_instead_of_letting_through() -> None:
    wall = Wall()

    def broken(login: str) -> set[Permission]:
        raise ConnectionError("database down")

    wall.executor._authorise = broken
    with pytest.raises(WallCommandError, match="user directory is unavailable") as refused:
        wall.do("show-camera", screen="a:0", camera=7)
    assert refused.value.code == "unavailable"


def camera_steps(dwell: float = 5.0) -> list[dict[str, Any]]:
    return [{"kind": "camera", "camera": 1, "dwell_s": dwell}]


@pytest.mark.parametrize(
    ("action", "args", "reason"),
    [
        ("show-camera", {"screen": "a:0", "camera": 99}, "camera 99 is not in the catalogue"),
        (
            "show-camera",
            {"screen": "z:0", "camera": 1},
            r"no screen 1 of node z on the wall \(screens: a:1, a:2\)",
        ),
        ("show-camera", {"screen": "a:0", "tile": 2, "camera": 1}, "empty .* before tile 3"),
        ("set-screen", {"screen": "a:0", "layout": "7x7", "cameras": []}, "unknown layout '7x7'"),
        (
            "set-screen",
            {"screen": "a:0", "layout": "1x1", "cameras": [1, 2]},
            "has 1 tile but 2 cameras were given",
        ),
        ("set-screen", {"screen": "a:0", "layout": "2x2", "cameras": [1, 60]}, "camera 60"),
        ("apply-preset", {"name": "nope"}, "no preset named 'nope'"),
        ("alarm", {"camera": 3}, "no alarm screen is set"),
        (
            "save-sequence",
            {"name": "t", "steps": [{"kind": "preset", "preset": "x", "dwell_s": 5}]},
            "unknown preset",
        ),
        ("save-sequence", {"name": "t", "steps": camera_steps()}, "names no screen"),
        ("save-sequence", {"name": "t", "screen": "a:0", "steps": camera_steps(dwell=1)}, "dwell time"),
        ("sequence-start", {"name": "t"}, "no sequence named 't'"),
        ("place-node", {"node": "q", "column": 1, "row": 0}, "never reported"),
    ],
)
def test_refusals_say_why_and_change_nothing(action: str, args: dict[str, Any], reason: str) -> None:
    wall = Wall()
    before = wall.state.items()
    with pytest.raises(WallCommandError, match=reason):
        wall.do(action, **args)
    assert wall.state.items() == before


def test_presets_save_apply_and_delete() -> None:
    wall = Wall()
    wall.do("set-screen", screen="a:0", layout="2x2", cameras=[1, 2, 3, 4])
    assert wall.do("save-preset", name="marché de Noël") == "saved preset 'marché de Noël' (1 screen)"
    assert wall.state.presets["marché de Noël"].saved_by == "chef"
    wall.do("show-camera", screen="a:1", camera=9)
    wall.do("clear-screen", screen="a:0")
    assert wall.state.screens[A0].cameras == (None,) * 4
    wall.do("apply-preset", name="marché de Noël")
    assert wall.state.screens[A0].cameras == (1, 2, 3, 4) and A1 not in wall.state.screens
    wall.do("delete-preset", name="marché de Noël")
    assert wall.state.presets == {}


def test_a_preset_with_a_camera_the_user_may_not_show_is_refused_whole() -> None:
    wall = Wall()
    wall.do("show-camera", screen="a:0", camera=3)
    wall.do("save-preset", name="p")
    preset = wall.state.presets["p"]
    wall.state.presets["p"] = type(preset)("p", ((A0, ScreenContent("1x1", (77,))),), "x")
    with pytest.raises(WallCommandError, match="camera 77"):
        wall.do("apply-preset", name="p")
    assert wall.state.screens[A0].cameras == (3,)


def test_alarm_goes_to_the_alarm_screen_which_presets_leave_alone() -> None:
    wall = Wall()
    wall.do("set-alarm-screen", screen="a:1")
    assert wall.do("alarm", camera=5) == "alarm: camera 5 on screen 2 of node a"
    assert wall.state.screens[A1] == ScreenContent("1x1", (5,))
    wall.do("save-preset", name="p")
    assert [r for r, _ in wall.state.presets["p"].screens] == []
    wall.do("apply-preset", name="p")
    assert wall.state.screens[A1] == ScreenContent("1x1", (5,))
    wall.do("set-alarm-screen", screen=None)
    assert wall.state.alarm_screen is None


def test_a_sequence_is_saved_started_and_stopped_by_command() -> None:
    wall = Wall()
    steps = [{"kind": "camera", "camera": c, "dwell_s": 5} for c in (1, 2)]
    wall.do("save-sequence", name="ronde", screen="a:0", tile=0, steps=steps)
    wall.do("sequence-start", name="ronde")
    assert wall.state.screens[A0].cameras == (1,)
    wall.do("sequence-step", name="ronde")
    assert wall.state.screens[A0].cameras == (2,)
    wall.do("sequence-stop", name="ronde")
    assert wall.executor.sequencer.next_due() is None
    wall.do("delete-sequence", name="ronde")
    assert wall.state.sequences == {}


def test_place_node_moves_its_screens_on_the_drawing() -> None:
    wall = Wall()
    wall.do("place-node", node="a", column=3, row=1)
    assert [(g.column, g.row) for g in wall.state.geometry()] == [(3, 1), (4, 1)]
