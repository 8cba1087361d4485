"""The controller, node agent and console client as objects in one process (real ZeroMQ, CurveZMQ):
what a test can only see from inside: the hub token's path, threads, the display's calls."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from tests.fixtures.wall import free_port, wait_for
from vmwall.model.user import Permission
from vmwall.model.wall import ScreenContent, ScreenRef
from vmwall.wall.client import WallClient
from vmwall.wall.config import WallConfig
from vmwall.wall.controller import ControllerOptions, WallController
from vmwall.wall.errors import WallUnavailableError
from vmwall.wall.node import WallNodeAgent
from vmwall.wall.null_node import NullDisplay

pytestmark = pytest.mark.timeout(120)

TOKEN = "jeton-du-hub-7f3a9c"
HUB = "http://10.1.2.3:8490"


def _rights(login: str) -> set[Permission] | None:
    return {Permission.WALL, Permission.LIVE_VIEW} if login == "chef" else None


def _cameras(login: str, numbers: Sequence[int]) -> str | None:
    return None


class Wall:
    def __init__(self, root: Path) -> None:
        self.root = root
        router, pub = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"
        self.options = ControllerOptions(
            router, pub, root / "keys", root / "data" / "wall-state.json", hub_url=HUB, hub_token=TOKEN
        )
        self.config = WallConfig(router=router, pub=pub, key_dir=root / "keys")
        self.controller = self.new_controller()

    def new_controller(self) -> WallController:
        controller = WallController(
            self.options, authorise=_rights, check_cameras=_cameras, layouts=lambda: {"1x1": 1, "2x2": 4}
        )
        controller.start()
        return controller


@pytest.fixture
def wall(tmp_path: Path) -> Iterator[Wall]:
    wall = Wall(tmp_path)
    yield wall
    wall.controller.close()


def test_the_hub_token_reaches_nodes_in_memory_only(
    wall: Wall, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    display = NullDisplay("mur-1", 1)
    agent = WallNodeAgent("mur-1", wall.config, display)
    agent.start()
    client = WallClient(wall.config, user="chef")
    client.start()
    try:
        wait_for(lambda: display.hub is not None, 10, "the node learns the hub")
        assert display.hub == (HUB, TOKEN)
        assert client.wait_synced(10)
        wait_for(lambda: len(client.snapshot().geometry) == 1, 10, "the node's screen reaches the console")
        client.command("show-camera", screen="mur-1:0", camera=3)
        wait_for(lambda: display.content(ScreenRef("mur-1", 0)) == ScreenContent("1x1", (3,)), 5, "shown")
    finally:
        client.close()
        agent.close()
        wall.controller.close()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), f"the hub token was written to {path}"
    assert TOKEN not in caplog.text


def test_a_node_with_its_own_hub_ignores_the_controllers(wall: Wall) -> None:
    display = NullDisplay("mur-2", 1)
    agent = WallNodeAgent("mur-2", wall.config.with_hub("http://127.0.0.1:9999/"), display)
    agent.start()
    try:
        wait_for(lambda: display.hub is not None, 10, "the node picks its hub")
        assert display.hub == ("http://127.0.0.1:9999", None)  # the controller's token is not sent elsewhere
    finally:
        agent.close()


def test_every_thread_stops_and_close_is_idempotent(wall: Wall) -> None:
    before = set(threading.enumerate())
    display = NullDisplay("mur-1", 2)
    agent = WallNodeAgent("mur-1", wall.config, display)
    client = WallClient(wall.config, user="chef")
    agent.start()
    client.start()
    assert client.wait_synced(10)
    for _ in range(2):
        client.close()
        agent.close()
        wall.controller.close()
    time.sleep(0.2)
    leaked = [t.name for t in set(threading.enumerate()) - before if t.is_alive()]
    assert leaked == []
    with pytest.raises(WallUnavailableError, match="not running"):
        client.command("show-camera", screen="mur-1:0", camera=1, timeout_s=0.5)


def test_the_node_keeps_its_screens_through_a_controller_restart_without_showing_them_again(
    wall: Wall,
) -> None:
    shows: list[tuple[ScreenRef, ScreenContent]] = []
    display = NullDisplay("mur-1", 1, on_show=lambda ref, content: shows.append((ref, content)))
    agent = WallNodeAgent("mur-1", wall.config, display)
    agent.start()
    client = WallClient(wall.config, user="chef")
    client.start()
    try:
        assert client.wait_synced(10)
        wait_for(lambda: len(client.snapshot().geometry) == 1, 10, "screen known")
        client.command("set-screen", screen="mur-1:0", layout="2x2", cameras=[1, 2, 3, 4])
        wait_for(lambda: agent.applied_sequence == client.snapshot().sequence, 5, "node applied")
        count, epoch = len(shows), client.snapshot().epoch
        wall.controller.close()
        wait_for(lambda: not agent.connected, 6, "the node notices")
        assert display.content(ScreenRef("mur-1", 0)) == ScreenContent("2x2", (1, 2, 3, 4))
        wall.controller = wall.new_controller()
        wait_for(lambda: client.snapshot().epoch not in ("", epoch), 10, "the console resyncs")
        wait_for(
            lambda: agent.connected and agent.applied_sequence == client.snapshot().sequence, 10, "resync"
        )
        assert len(shows) == count  # nothing shown again: tiles kept playing
        client.command("show-camera", screen="mur-1:0", tile=0, camera=9)
        wait_for(lambda: len(shows) == count + 1, 5, "a change after the restart is shown")
    finally:
        client.close()
        agent.close()


def test_a_display_that_fails_does_not_stop_the_agent(wall: Wall) -> None:
    calls: list[ScreenContent] = []

    def flaky(ref: ScreenRef, content: ScreenContent) -> None:
        calls.append(content)
        if len(calls) == 2:
            raise RuntimeError("the display broke once")

    display = NullDisplay("mur-1", 1, on_show=flaky)
    agent = WallNodeAgent("mur-1", wall.config, display)
    agent.start()
    client = WallClient(wall.config, user="chef")
    client.start()
    try:
        assert client.wait_synced(10)
        wait_for(lambda: len(client.snapshot().geometry) == 1, 10, "screen known")
        client.command("show-camera", screen="mur-1:0", camera=1)  # the display raises on this one
        client.command("show-camera", screen="mur-1:0", camera=2)
        wait_for(lambda: agent.shown().get(ScreenRef("mur-1", 0)) == ScreenContent("1x1", (2,)), 5, "goes on")
        wait_for(lambda: client.snapshot().node("mur-1") is not None, 5, "heartbeats go on")
    finally:
        client.close()
        agent.close()


def test_garbage_from_a_registered_console_is_counted_and_changes_nothing(wall: Wall) -> None:
    import zmq

    from vmwall.wall.keys import KeyRole, KeyStore

    store = KeyStore(wall.config.key_dir)
    keys = store.own(KeyRole.CONSOLE, "fuzz")
    context = zmq.Context()
    dealer = context.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.curve_serverkey = store.controller_public()
    dealer.curve_publickey, dealer.curve_secretkey = keys.public, keys.secret
    dealer.connect(wall.config.router)
    try:
        before = wall.controller.snapshot()
        for body in (b"", b"{", b"[]", b'{"protocol_version": 1, "type": "update"}', b"\x00" * 100):
            for _ in range(40):
                dealer.send(body)
        dealer.send_multipart([b"a", b"b"])
        wait_for(lambda: wall.controller.stats.dropped >= 201, 10, "every garbage message dropped")
        stats = wall.controller.stats
        assert stats.dropped == 201 and stats.dropped_by_kind == {"malformed": 201} and stats.updates == 0
        assert wall.controller.snapshot() == before
    finally:
        dealer.close(0)
        context.term()


def test_a_node_follows_updates_that_only_touch_other_nodes(wall: Wall) -> None:
    one, two = NullDisplay("mur-1", 1), NullDisplay("mur-2", 1)
    agents = [WallNodeAgent("mur-1", wall.config, one), WallNodeAgent("mur-2", wall.config, two)]
    for agent in agents:
        agent.start()
    client = WallClient(wall.config, user="chef")
    client.start()
    try:
        assert client.wait_synced(10)
        wait_for(lambda: len(client.snapshot().geometry) == 2, 10, "both nodes' screens known")
        result = client.command("show-camera", screen="mur-2:0", camera=4)
        wait_for(lambda: all(a.applied_sequence == result.sequence for a in agents), 5, "both nodes current")
        assert one.content(ScreenRef("mur-1", 0)) == ScreenContent.empty() and one.shows == 1
        assert two.content(ScreenRef("mur-2", 0)) == ScreenContent("1x1", (4,))
    finally:
        client.close()
        for agent in agents:
            agent.close()
