"""The wall when things go wrong: controller restarts and kills, a node killed with -9, a cut,
unknown keys, garbage at every socket, replayed commands. Real processes, real ZeroMQ."""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import socket
import time
from pathlib import Path

import pytest
import zmq

from tests.fixtures.wall import NodeProcess, WallCatalogue, WallEnv, wait_for, wall_client
from vmwall.model.wall import ScreenRef
from vmwall.wall import protocol
from vmwall.wall.config import WallConfig
from vmwall.wall.errors import WallUnavailableError
from vmwall.wall.keys import KeyRole, KeyStore
from vmwall.wall.persist import load_state

pytestmark = pytest.mark.timeout(240)

MUR0 = ScreenRef("mur-1", 0)


def _setup(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes, screens: int = 1
):
    controller = start_controller(wall_catalogue)
    node = NodeProcess.launch("mur-1", wall_env, screens=screens)
    node_processes.append(node)
    node.wait_show("mur-1:0", lambda c: c == [None])
    return controller, node


def test_controller_restart_keeps_the_wall_showing_and_nodes_resync(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes
) -> None:
    controller, node = _setup(wall_env, wall_catalogue, start_controller, node_processes)
    with wall_client(wall_env) as client:
        client.command("set-screen", screen="mur-1:0", layout="2x2", cameras=[1, 2, 3, 4])
        client.command("save-preset", name="normal")
        node.wait_show("mur-1:0", lambda c: c == [1, 2, 3, 4])
        first_epoch, sequence = client.snapshot().epoch, client.snapshot().sequence
        assert controller.stop() == 0  # SIGTERM: a clean stop
        shows_before = len([line for line in node.raw if '"show"' in line])
        wait_for(lambda: not client.connected, 5, "the console notices the controller is gone")
        time.sleep(1.0)
        # Fail-static: the node showed nothing new while the controller was away.
        assert len([line for line in node.raw if '"show"' in line]) == shows_before and node.alive
        restarted = start_controller(wall_catalogue)
        assert restarted.epoch != first_epoch
        wait_for(
            lambda: client.snapshot().epoch == restarted.epoch, 10, "the console resyncs to the new epoch"
        )
        snapshot = client.snapshot()
        assert snapshot.sequence == sequence  # the state was saved and resumed
        assert snapshot.content(MUR0).cameras == (1, 2, 3, 4)  # type: ignore[union-attr]
        assert [p.name for p in snapshot.presets] == ["normal"]
        client.command("show-camera", screen="mur-1:0", tile=1, camera=8)
        node.wait_show("mur-1:0", lambda c: c == [1, 8, 3, 4])
        # The resync after the restart showed no screen again whose content had not changed.
        shows = [line for line in node.raw if '"show"' in line]
        assert len(shows) == shows_before + 1


def test_a_controller_killed_with_9_leaves_the_node_showing(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes
) -> None:
    controller, node = _setup(wall_env, wall_catalogue, start_controller, node_processes)
    with wall_client(wall_env) as client:
        client.command("show-camera", screen="mur-1:0", camera=5)
        node.wait_show("mur-1:0", lambda c: c == [5])
    controller.kill()
    time.sleep(2.0)
    assert node.alive and node.shown["mur-1:0"]["cameras"] == [5]
    saved = load_state(wall_env.state_path)
    assert saved is not None and saved.screens[MUR0].cameras == (5,)  # durable before it was shown
    start_controller(wall_catalogue)
    with wall_client(wall_env) as client:
        assert client.snapshot().content(MUR0).cameras == (5,)  # type: ignore[union-attr]
        client.command("show-camera", screen="mur-1:0", camera=6)
    node.wait_show("mur-1:0", lambda c: c == [6])


def test_a_node_killed_with_9_is_back_to_the_current_state_within_2_s(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes
) -> None:
    _, node = _setup(wall_env, wall_catalogue, start_controller, node_processes, screens=2)
    with wall_client(wall_env) as client:
        client.command("set-screen", screen="mur-1:0", layout="3x3", cameras=[1, 2, 3, 4, 5, 6, 7, 8, None])
        client.command("show-camera", screen="mur-1:1", camera=7)
        node.wait_show("mur-1:1", lambda c: c == [7])
        recoveries = []
        for _ in range(3):
            node.kill()
            node.restart()
            back = node.wait_show("mur-1:0", lambda c: c == [1, 2, 3, 4, 5, 6, 7, 8, None], timeout=10)
            node.wait_show("mur-1:1", lambda c: c == [7], timeout=10)
            recoveries.append(back["t"] - node.started_at)
        wait_for(lambda: client.snapshot().node("mur-1").online, 5, "node online again")  # type: ignore[union-attr]
    shown = ", ".join(f"{r * 1000:.0f} ms" for r in recoveries)
    print(f"node kill -9 → current state shown {shown} after the new process was spawned")
    # 2 s is the goal (bench/wall.py measures it on a quiet machine); allow a loaded test machine slack.
    assert min(recoveries) < 2.0, recoveries


def test_the_console_marks_a_dead_node_offline_within_3_s(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes
) -> None:
    _, node = _setup(wall_env, wall_catalogue, start_controller, node_processes)
    with wall_client(wall_env) as client:
        wait_for(lambda: (n := client.snapshot().node("mur-1")) is not None and n.online, 5, "node online")
        offline_at: list[float] = []

        def listener(snapshot) -> None:  # type: ignore[no-untyped-def]
            status = snapshot.node("mur-1")
            if status is not None and not status.online and not offline_at:
                offline_at.append(time.monotonic())

        client.add_listener(listener)
        killed = time.monotonic()
        node.kill()
        wait_for(lambda: bool(offline_at), 6, "the console marks the node offline")
        delay = offline_at[0] - killed
        print(f"node killed → console shows it offline after {delay * 1000:.0f} ms")
        assert delay <= 3.0
        node.restart()
        wait_for(lambda: client.snapshot().node("mur-1").online, 10, "online again")  # type: ignore[union-attr]


def test_an_unknown_key_is_refused_until_it_is_registered(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes, tmp_path: Path
) -> None:
    start_controller(wall_catalogue)
    # Another machine: it trusts the controller's key, but the controller does not know its key.
    other = KeyStore(tmp_path / "other-machine")
    other.register(KeyRole.CONTROLLER, "controller", KeyStore(wall_env.key_dir).controller_public().decode())
    config = WallConfig(key_dir=other.root).with_controller(wall_env.address)
    with wall_client(config_env(wall_env, config), name="intrus", synced=False) as stranger:
        wait_for(lambda: stranger.key_refused, 10, "the controller refuses the unknown key")
        assert not stranger.synced and not stranger.connected
        with pytest.raises(WallUnavailableError, match="refused this console's key") as refused:
            stranger.command("show-camera", screen="mur-1:0", camera=1, timeout_s=1.0)
        assert refused.value.code == "key-refused"
        log = (wall_env.log_dir / "wall-controller.log").read_text()
        assert log.count("refused an unregistered wall key") == 1  # logged once, however often it retries
        # Registered on the controller's machine: it gets in without restarting.
        public = other.own(KeyRole.CONSOLE, "intrus").public.decode()
        KeyStore(wall_env.key_dir).register(KeyRole.CONSOLE, "intrus", public)
        wait_for(lambda: stranger.synced, 10, "the registered key gets in")


def test_a_revoked_console_loses_access(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes
) -> None:
    _setup(wall_env, wall_catalogue, start_controller, node_processes)
    with wall_client(wall_env, name="poste-9") as client:
        client.command("show-camera", screen="mur-1:0", camera=1)
        KeyStore(wall_env.key_dir).revoke("poste-9")
        time.sleep(1.5)
        with pytest.raises(WallUnavailableError):
            client.command("show-camera", screen="mur-1:0", camera=2, timeout_s=2.0)
        wait_for(lambda: not client.connected, 10, "the revoked console loses the feed")


def config_env(wall_env: WallEnv, config: WallConfig) -> WallEnv:
    return WallEnv(config.key_dir, wall_env.data_dir, wall_env.log_dir, wall_env.address, wall_env.env)


# --- garbage and replays ------------------------------------------------------------------------


class RawPeer:
    """A registered console speaking raw ZeroMQ to the controller (to send what a client never would)."""

    def __init__(self, wall_env: WallEnv, name: str = "fuzz") -> None:
        store = KeyStore(wall_env.key_dir)
        keys = store.own(KeyRole.CONSOLE, name)
        self.context = zmq.Context()
        self.dealer = self.context.socket(zmq.DEALER)
        self.dealer.setsockopt(zmq.LINGER, 0)
        self.dealer.curve_serverkey = store.controller_public()
        self.dealer.curve_publickey = keys.public
        self.dealer.curve_secretkey = keys.secret
        self.dealer.connect(wall_env.config.router)

    def request(self, body: bytes, timeout_ms: int = 3000) -> dict | None:  # type: ignore[type-arg]
        self.dealer.send(body)
        if not self.dealer.poll(timeout_ms):
            return None
        return protocol.decode(self.dealer.recv(), protocol.TO_PEER, protocol.MAX_REPLY_BYTES)

    def snapshot(self) -> dict:  # type: ignore[type-arg]
        reply = self.request(
            protocol.encode(protocol.message(protocol.SNAPSHOT_REQUEST, id="s1", role="console", version="t"))
        )
        assert reply is not None and reply["type"] == "snapshot"
        return reply

    def close(self) -> None:
        self.dealer.close(0)
        self.context.term()


def test_a_replayed_command_is_dropped(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes
) -> None:
    _, node = _setup(wall_env, wall_catalogue, start_controller, node_processes)
    peer = RawPeer(wall_env)
    try:
        session = peer.snapshot()["session"]

        def command(counter: int, camera: int) -> bytes:
            args = {"screen": "mur-1:0", "tile": 0, "camera": camera}
            fields = {"session": session, "counter": counter, "id": f"c{counter}", "user": "chef"}
            return protocol.encode(
                protocol.message(protocol.COMMAND, **fields, action="show-camera", args=args)
            )

        first = command(1, 3)
        result = peer.request(first)
        assert result is not None and result["ok"], result
        node.wait_show("mur-1:0", lambda c: c == [3])
        sequence = result["sequence"]
        assert peer.request(command(2, 4)) is not None
        node.wait_show("mur-1:0", lambda c: c == [4])
        assert peer.request(first, timeout_ms=1500) is None  # the replay: no answer, no change
        assert peer.request(command(2, 5), timeout_ms=1500) is None  # an old counter with new content
        time.sleep(0.5)
        assert node.shown["mur-1:0"]["cameras"] == [4]
        other = RawPeer(wall_env, "fuzz-2")  # another key using this session
        try:
            other.snapshot()
            assert other.request(command(9, 6), timeout_ms=1500) is None
        finally:
            other.close()
        with wall_client(wall_env) as client:
            assert client.snapshot().sequence == sequence + 1
        log = (wall_env.log_dir / "wall-controller.log").read_text()
        assert log.count("dropped a replayed message from console/fuzz:") == 1
        assert "foreign-session message from console/fuzz-2" in log
    finally:
        peer.close()


def _random_frames(rng: random.Random, good: bytes, count: int) -> list[list[bytes]]:
    frames: list[list[bytes]] = []
    for i in range(count):
        kind = i % 6
        if kind == 0:
            frames.append([rng.randbytes(rng.randrange(0, 2000))])
        elif kind == 1:
            frames.append([good[: rng.randrange(len(good))]])
        elif kind == 2:
            body = bytearray(good)
            for _ in range(rng.randrange(1, 8)):
                body[rng.randrange(len(body))] = rng.randrange(256)
            frames.append([bytes(body)])
        elif kind == 3:
            frames.append([good, rng.randbytes(10)])  # too many frames
        elif kind == 4:
            frames.append([b""])
        else:
            frames.append(
                [
                    b'{"protocol_version":1,"type":"command","session":"'
                    + rng.randbytes(8).hex().encode()
                    + b'"}'
                ]
            )
    return frames


def test_thousands_of_garbage_frames_at_each_socket_crash_nothing_and_change_nothing(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes
) -> None:
    controller, node = _setup(wall_env, wall_catalogue, start_controller, node_processes)
    with wall_client(wall_env) as client:
        client.command("show-camera", screen="mur-1:0", camera=2)
        node.wait_show("mur-1:0", lambda c: c == [2])
        before = client.snapshot()
    rng = random.Random(20250105)
    router_host, router_port = wall_env.config.router.removeprefix("tcp://").rsplit(":", 1)
    pub_port = int(wall_env.config.pub.rsplit(":", 1)[1])

    # 1. Raw TCP bytes (no ZMTP, no CurveZMQ) at both ports, including huge ones.
    for port in (int(router_port), pub_port):
        for i in range(300):
            with socket.create_connection((router_host, port), timeout=5) as sock:
                size = 10_000_000 if i % 100 == 0 else rng.randrange(1, 3000)
                payload = (
                    rng.randbytes(size) if i % 3 else b"\xff" + b"\x00" * 8 + b"\x7f" + rng.randbytes(64)
                )
                with contextlib.suppress(OSError):  # the controller hung up on us: what it should do
                    sock.sendall(payload)

    # 2. A registered console sending garbage through CurveZMQ: random, truncated, multi-frame, oversized.
    peer = RawPeer(wall_env)
    try:
        session = peer.snapshot()["session"]
        good = protocol.encode(
            protocol.message(
                protocol.COMMAND, session=session, counter=1, id="x", user="chef", action="show-camera",
                args={"screen": "mur-1:0", "tile": 0, "camera": 7},
            )
        )  # fmt: skip
        for frames in _random_frames(rng, good, 3000):
            peer.dealer.send_multipart(frames)
        peer.dealer.send(b"x" * (protocol.MAX_REQUEST_BYTES + 10))  # over ZMQ_MAXMSGSIZE: disconnected
    finally:
        peer.close()

    # 3. A subscriber sending garbage subscription frames, and an oversized one, at the PUB.
    context = zmq.Context()
    try:
        store = KeyStore(wall_env.key_dir)
        keys = store.own(KeyRole.CONSOLE, "fuzz-sub")
        xsub = context.socket(zmq.XSUB)
        xsub.setsockopt(zmq.LINGER, 0)
        xsub.curve_serverkey = store.controller_public()
        xsub.curve_publickey, xsub.curve_secretkey = keys.public, keys.secret
        xsub.connect(wall_env.config.pub)
        time.sleep(0.3)
        for _ in range(1000):
            xsub.send(rng.randbytes(rng.randrange(0, 200)))
        xsub.send(b"\x01" + b"x" * 100_000)
        xsub.close(0)
    finally:
        context.term()

    time.sleep(1.0)
    assert controller.alive and node.alive
    with wall_client(wall_env) as client:
        after = client.snapshot()
        assert (after.epoch, after.sequence, after.screens) == (before.epoch, before.sequence, before.screens)
        client.command("show-camera", screen="mur-1:0", camera=3)  # still serving
    node.wait_show("mur-1:0", lambda c: c == [3])
    log = (wall_env.log_dir / "wall-controller.log").read_text()
    assert log.count("dropped a malformed message from console/fuzz:") == 1  # once per peer
    assert "Traceback" not in log


def test_a_command_without_a_session_gets_told_to_resync(
    wall_env: WallEnv, wall_catalogue: WallCatalogue, start_controller, node_processes
) -> None:
    start_controller(wall_catalogue)
    peer = RawPeer(wall_env)
    try:
        args = {"screen": "mur-1:0", "tile": 0, "camera": 1}
        body = protocol.encode(
            protocol.message(
                protocol.COMMAND, session=secrets.token_hex(16), counter=1, id="a", user="chef",
                action="show-camera", args=args,
            )
        )  # fmt: skip
        reply = peer.request(body)
        assert reply is not None and reply["type"] == "error" and reply["code"] == "unknown-session"
    finally:
        peer.close()
    assert os.path.exists(wall_env.state_path) is False  # nothing was ever changed
