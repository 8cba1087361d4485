"""The wall over real ZeroMQ: a real `vmwall wall-controller` process, headless node processes
(`vmwall.wall.null_node`, the real node agent with a display that records) and console clients."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.fixtures.wall import (
    NO_WALL_USER,
    WALL_USER,
    NodeProcess,
    WallCatalogue,
    WallEnv,
    fill_catalogue,
    wait_for,
    wall_client,
)
from vmwall.model.wall import ScreenRef, WallSnapshot
from vmwall.store import Database
from vmwall.wall.client import WallClient
from vmwall.wall.errors import CommandResult, WallCommandError
from vmwall.wall.persist import read_push_log

pytestmark = pytest.mark.timeout(180)


def test_a_command_reaches_the_node_and_every_console(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes
) -> None:
    start_controller(wall_catalogue)
    node = NodeProcess.launch("mur-1", wall_env, screens=2)
    node_processes.append(node)
    node.wait_show("mur-1:1", lambda c: c == [None])  # the empty wall, from the first snapshot
    with wall_client(wall_env, name="poste-1") as one, wall_client(wall_env, name="poste-2") as two:
        wait_for(lambda: len(one.snapshot().geometry) == 2, 10, "the node's screens reach the console")
        result = one.command("set-screen", screen="mur-1:0", layout="2x2", cameras=[1, 2, None, 4])
        assert result.changed and result.sequence == one.snapshot().sequence
        node.wait_show("mur-1:0", lambda c: c == [1, 2, None, 4])
        wait_for(
            lambda: two.snapshot().sequence >= result.sequence, 1.0, "the other console sees it within 1 s"
        )
        assert two.snapshot().content(ScreenRef("mur-1", 0)).cameras == (1, 2, None, 4)  # type: ignore[union-attr]
        pushes = two.snapshot().pushes
        assert pushes[-1].user == WALL_USER and pushes[-1].console == "poste-1"
        assert pushes[-1].action == "set-screen" and pushes[-1].sequence == result.sequence
    recorded = [p for p, _ in read_push_log(wall_env.push_log)]
    assert [(p.user, p.console, p.action) for p in recorded] == [(WALL_USER, "poste-1", "set-screen")]


def test_two_consoles_commanding_at_once_each_see_the_other_within_a_second(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes
) -> None:
    start_controller(wall_catalogue)
    node_processes.append(NodeProcess.launch("mur-1", wall_env, screens=2))
    with wall_client(wall_env, name="poste-1") as one, wall_client(wall_env, name="poste-2") as two:
        wait_for(
            lambda: len(one.snapshot().geometry) == 2 == len(two.snapshot().geometry), 10, "screens known"
        )
        lags: list[float] = []
        for round_ in range(5):
            results: dict[str, tuple[CommandResult, float]] = {}
            threads = [
                threading.Thread(target=_push, args=(one, "mur-1:0", 1 + round_, results, "one")),
                threading.Thread(target=_push, args=(two, "mur-1:1", 4 + round_, results, "two")),
            ]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join(10)
            (by_one, _), (by_two, _) = results["one"], results["two"]
            newest = max(by_one.sequence, by_two.sequence)
            wait_for(
                lambda newest=newest: min(one.snapshot().sequence, two.snapshot().sequence) >= newest,
                max(0.0, 1.0 - (time.monotonic() - started)),
                "each console sees the other's change within 1 s of the commands",
            )
            lags.append(time.monotonic() - started)
            for client in (one, two):
                assert _cameras(client, 0) == (1 + round_,) and _cameras(client, 1) == (4 + round_,)
        print(f"two consoles at once: both changes on both mirrors {max(lags) * 1000:.0f} ms at worst")


def _push(client: WallClient, screen: str, camera: int, results: dict, key: str) -> None:  # type: ignore[type-arg]
    results[key] = (client.command("show-camera", screen=screen, tile=0, camera=camera), time.monotonic())


def _cameras(client: WallClient, screen: int) -> tuple[int | None, ...] | None:
    content = client.snapshot().content(ScreenRef("mur-1", screen))
    return None if content is None else content.cameras


def test_a_user_without_the_wall_right_is_refused_with_a_clear_message(
    wall_env: WallEnv, database: Database, start_controller, node_processes
) -> None:
    fill_catalogue(database)
    start_controller(WallCatalogue(database.url))
    node_processes.append(NodeProcess.launch("mur-1", wall_env))
    with wall_client(wall_env, user=NO_WALL_USER, name="poste-op") as client:
        wait_for(lambda: len(client.snapshot().geometry) == 1, 10, "screens known")
        with pytest.raises(WallCommandError) as refused:
            client.command("show-camera", screen="mur-1:0", camera=1)
        assert str(refused.value) == f"user {NO_WALL_USER!r} lacks the wall right"
        assert refused.value.code == "no-right"
    with (
        wall_client(wall_env, user="inconnu", name="poste-x") as client,
        pytest.raises(WallCommandError, match="user 'inconnu' is unknown or inactive"),
    ):
        client.command("show-camera", screen="mur-1:0", camera=1)
    with wall_client(wall_env, user=WALL_USER) as client:
        with pytest.raises(WallCommandError, match="camera 20 belongs to Stockage, a storage-only commune"):
            client.command("show-camera", screen="mur-1:0", camera=20)
        with pytest.raises(WallCommandError, match="camera 99 is not in the catalogue"):
            client.command("show-camera", screen="mur-1:0", camera=99)
        assert client.snapshot().content(ScreenRef("mur-1", 0)) is None
        assert client.command("show-camera", screen="mur-1:0", camera=8).changed


def test_sequences_run_on_the_controller_clock(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes
) -> None:
    start_controller(wall_catalogue)
    node = NodeProcess.launch("mur-1", wall_env)
    node_processes.append(node)
    with wall_client(wall_env) as client:
        wait_for(lambda: len(client.snapshot().geometry) == 1, 10, "screens known")
        steps = [{"kind": "camera", "camera": c, "dwell_s": 2.0} for c in (1, 2, 3)]
        client.command("save-sequence", name="ronde", screen="mur-1:0", tile=0, steps=steps)
        client.command("sequence-start", name="ronde")
        first = node.wait_show("mur-1:0", lambda c: c == [1])
        second = node.wait_show("mur-1:0", lambda c: c == [2], timeout=6)
        assert 1.5 < second["t"] - first["t"] < 3.5  # the dwell time, on the controller's clock
        client.command("sequence-pause", name="ronde")
        time.sleep(3)
        assert node.shown["mur-1:0"]["cameras"] == [2]
        client.command("sequence-step", name="ronde")
        node.wait_show("mur-1:0", lambda c: c == [3])
        sequence = client.snapshot().sequence_named("ronde")
        assert sequence is not None and sequence.state == "paused" and sequence.position == 2
        client.command("sequence-stop", name="ronde")


def test_the_alarm_screen(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes
) -> None:
    start_controller(wall_catalogue)
    node = NodeProcess.launch("mur-1", wall_env, screens=2)
    node_processes.append(node)
    with wall_client(wall_env) as client:
        wait_for(lambda: len(client.snapshot().geometry) == 2, 10, "screens known")
        with pytest.raises(WallCommandError, match="no alarm screen is set"):
            client.command("alarm", camera=4)
        client.command("set-alarm-screen", screen="mur-1:1")
        client.command("alarm", camera=4)
        node.wait_show("mur-1:1", lambda c: c == [4])
        assert client.snapshot().alarm_screen == ScreenRef("mur-1", 1)


def test_the_console_mirror_gets_node_status_and_thumbnails(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes
) -> None:
    start_controller(wall_catalogue)
    node_processes.append(NodeProcess.launch("mur-1", wall_env))
    seen: list[WallSnapshot] = []
    with wall_client(wall_env) as client:
        client.add_listener(seen.append)
        client.command  # noqa: B018 (the listener is in place before the first change)
        wait_for(lambda: len(client.snapshot().geometry) == 1, 10, "screens known")
        client.command("show-camera", screen="mur-1:0", camera=3)

        def tile_playing() -> bool:
            node = client.snapshot().node("mur-1")
            return node is not None and any(
                t.camera == 3 and t.state == "playing" for _, ts in node.tiles for t in ts
            )

        wait_for(tile_playing, 5, "the node's tile status reaches the console")
        wait_for(lambda: "mur-1:0" in client.snapshot().thumbnails, 8, "a thumbnail reaches the console")
        assert client.snapshot().thumbnails["mur-1:0"].startswith(b"\xff\xd8")
        node_status = client.snapshot().node("mur-1")
        assert node_status is not None and node_status.online and node_status.applied_sequence >= 2
    assert seen and all(isinstance(s, WallSnapshot) for s in seen)


def test_cli_status_show_and_presets(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes
) -> None:
    from tests.fixtures.wall import cli

    start_controller(wall_catalogue)
    node = NodeProcess.launch("mur-1", wall_env, screens=2)
    node_processes.append(node)
    node.wait_show("mur-1:1", lambda c: c == [None])
    db = wall_catalogue.db_url
    done = cli(wall_env, db, "show", "3", "--screen", "mur-1:2:1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "camera 3 on screen 2 of node mur-1, tile 1"
    node.wait_show("mur-1:1", lambda c: c == [3])
    assert cli(wall_env, db, "preset", "save", "normal").returncode == 0
    assert cli(wall_env, db, "show", "none", "--screen", "mur-1:2").returncode == 0
    node.wait_show("mur-1:1", lambda c: c == [None])
    listed = cli(wall_env, db, "preset", "list")
    assert "normal  (1 screen, saved by chef)" in listed.stdout, listed.stderr
    assert cli(wall_env, db, "preset", "apply", "normal").returncode == 0
    node.wait_show("mur-1:1", lambda c: c == [3])
    status = cli(wall_env, db, "status", "--json")
    assert status.returncode == 0, status.stderr
    document = json.loads(status.stdout)
    (node_doc,) = document["nodes"]
    assert node_doc["online"] and [s["screen"] for s in node_doc["screens"]] == ["mur-1:1", "mur-1:2"]
    assert node_doc["screens"][1]["tiles"] == [
        {"tile": 1, "camera": 3, "state": "playing", "fps": 25.0, "latency_ms": None, "error": ""}
    ]
    text = cli(wall_env, db, "status")
    assert "node mur-1: online" in text.stdout and "tile 1: camera 3  playing 25.0 fps" in text.stdout
    bad = cli(wall_env, db, "show", "3", "--screen", "mur-1:0")
    assert bad.returncode == 2 and "numbered from 1" in bad.stderr
    missing = cli(wall_env, db, "preset", "apply", "absent")
    assert missing.returncode == 1 and "no preset named 'absent' (known: normal)" in missing.stderr
