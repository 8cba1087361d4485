"""The wall node's windows and grids with real widgets and fake players (no video): fast checks of
placement, layouts, stream choices and what the display reports, driven from another thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from PySide6.QtGui import QGuiApplication

from tests.ui.conftest import FakeBackend, FakePlayer, sample_directory
from vmwall.config.layouts import load_builtin_layouts, load_layouts
from vmwall.model import StreamKind
from vmwall.model.wall import ScreenContent, ScreenRef, TileState
from vmwall.video.status import TileState as VideoState
from vmwall.wall.node_display import WallNodeDisplay, physical_screen_plans, virtual_screen_plans
from vmwall.wall.node_hub import HubLink

T = TypeVar("T")
NODE = "mur-a"


def from_agent_thread(call: Callable[[], T]) -> T:
    result: list[T] = []
    thread = threading.Thread(target=lambda: result.append(call()), name="fake-agent")
    thread.start()
    thread.join(10)
    assert result, "the display's method did not return"
    return result[0]


@pytest.fixture
def fake() -> FakeBackend:
    return FakeBackend(sample_directory())


@pytest.fixture
def make_display(qapp: Any, fake: FakeBackend) -> Iterator[Callable[..., WallNodeDisplay]]:
    made: list[WallNodeDisplay] = []

    def make(plans: Any = None) -> WallNodeDisplay:
        layouts = load_layouts(None, load_builtin_layouts())
        # No hub answers there, and none may be started: tiles still get their (fake) players.
        link = HubLink("http://127.0.0.1:9", start_hub=False)
        display = WallNodeDisplay(
            qapp,
            plans or virtual_screen_plans(NODE, 2, 800, 450),
            layouts,
            link,
            player_factory=fake.new_player(),
        )
        made.append(display)
        display.start()
        return display

    yield make
    for display in made:
        display.close()
    assert all(p.closed for p in fake.players), "a player was left open"


def playing(fake: FakeBackend, camera: int) -> list[FakePlayer]:
    return [p for p in fake.players if p.source is not None and p.source.camera == camera and not p.closed]


def test_layouts_cameras_and_streams_follow_the_agent(
    make_display: Callable[..., WallNodeDisplay], fake: FakeBackend, qtbot: Any
) -> None:
    display = make_display()
    left, right = display.windows
    qtbot.waitUntil(lambda: display.context.video_ready, timeout=5000)
    from_agent_thread(lambda: display.show(ScreenRef(NODE, 0), ScreenContent("1+5", (7, 8, None, 9))))
    qtbot.waitUntil(lambda: left.grid.grid_layout().name == "1+5", timeout=3000)
    assert left.grid.cameras() == [7, 8, None, 9, None, None]
    big, small = left.grid.tile(0), left.grid.tile(1)
    qtbot.waitUntil(lambda: big.player is not None and small.player is not None, timeout=3000)
    assert big.source is not None and small.source is not None
    assert big.source.url == "http://127.0.0.1:9/camera/7/sub.ts"  # tiles play from the node's hub
    # No operator at a wall: no selection frame, no keyboard, no drops, no hints.
    assert not any(t.selected for t in left.grid.tiles()) and not left.grid.focusPolicy().value
    assert not big.acceptDrops()
    assert left.grid.tile(2).message.detail == ""

    # A change of layout keeps the players of the tiles that stay; a forced stream is honoured.
    first_player = big.player
    from_agent_thread(
        lambda: display.show(
            ScreenRef(NODE, 0), ScreenContent("2x2", (7, 3, 4, 5), (StreamKind.MAIN, None, None, None))
        )
    )
    qtbot.waitUntil(lambda: left.grid.cameras() == [7, 3, 4, 5], timeout=3000)
    assert left.grid.tile(0).player is first_player
    assert left.grid.tile(0).source is not None and left.grid.tile(0).source.kind is StreamKind.MAIN
    qtbot.waitUntil(lambda: not playing(fake, 9) and not playing(fake, 8), timeout=3000)
    qtbot.waitUntil(lambda: all(t.player is not None for t in left.grid.tiles()), timeout=3000)

    # A layout the node does not know: the smallest that holds the cameras, and the agent is told.
    from_agent_thread(lambda: display.show(ScreenRef(NODE, 1), ScreenContent("marché de Noël", (1, 2, 3))))
    qtbot.waitUntil(lambda: right.content is not None, timeout=3000)
    assert len(right.grid.tiles()) >= 3 and right.grid.cameras()[:3] == [1, 2, 3]
    statuses = from_agent_thread(display.tile_statuses)[ScreenRef(NODE, 1)]
    assert statuses[0].camera == 1 and "unknown layout 'marché de Noël'" in statuses[0].error

    # Content for a screen this node does not have changes nothing.
    from_agent_thread(lambda: display.show(ScreenRef(NODE, 5), ScreenContent("1x1", (6,))))
    from_agent_thread(lambda: display.show(ScreenRef("autre", 0), ScreenContent("1x1", (6,))))
    qtbot.wait(100)
    assert not playing(fake, 6)


def test_reported_states_follow_the_players(
    make_display: Callable[..., WallNodeDisplay], fake: FakeBackend, qtbot: Any
) -> None:
    display = make_display()
    left = display.windows[0]
    assert from_agent_thread(display.tile_statuses) == {ScreenRef(NODE, 0): (), ScreenRef(NODE, 1): ()}
    from_agent_thread(lambda: display.show(ScreenRef(NODE, 0), ScreenContent("2x2", (1, 2, None, 3))))
    qtbot.waitUntil(lambda: left.grid.cameras() == [1, 2, None, 3], timeout=3000)
    qtbot.waitUntil(lambda: all(t.player is not None for t in left.grid.tiles() if t.camera), timeout=5000)
    one, two, _empty, three = (t.player for t in left.grid.tiles())
    assert isinstance(one, FakePlayer) and isinstance(two, FakePlayer) and isinstance(three, FakePlayer)
    one.report(VideoState.LIVE)
    two.report(VideoState.LOST, retry_in_s=4, reason="no picture after 10 s")

    def reported() -> list[tuple[int | None, TileState, str]]:
        return [
            (s.camera, s.state, s.error) for s in from_agent_thread(display.tile_statuses)[ScreenRef(NODE, 0)]
        ]

    qtbot.waitUntil(
        lambda: (
            reported()
            == [
                (1, TileState.PLAYING, ""),
                (2, TileState.LOST, "no picture after 10 s"),
                (None, TileState.EMPTY, ""),
                (3, TileState.CONNECTING, ""),
            ]
        ),
        timeout=3000,
    )
    lost = left.grid.tile(1)
    assert lost.message.headline == "signal perdu — nouvel essai dans 4 s"


def test_physical_mode_covers_each_screen(make_display: Callable[..., WallNodeDisplay], qtbot: Any) -> None:
    plans = physical_screen_plans(NODE)
    screens = QGuiApplication.screens()
    assert len(plans) == len(screens)
    first = plans[0]
    assert first.geometry.ref == ScreenRef(NODE, 0) and first.geometry.label == screens[0].name()
    assert (first.geometry.width_px, first.geometry.height_px) == (
        screens[0].geometry().width(),
        screens[0].geometry().height(),
    )
    display = make_display(plans)
    window = display.windows[0]
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.geometry() == screens[0].geometry(), timeout=3000)
    assert window.isFullScreen()
