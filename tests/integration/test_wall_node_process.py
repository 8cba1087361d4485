"""A real `vmwall wall-node` process under Xvfb, commanded through a real `vmwall wall-controller`.

The whole chain is real: `vmwall wall show` (CLI, signed in) -> controller (CurveZMQ) -> node agent ->
the node's Qt windows -> libVLC -> stream hub -> simulated cameras. What the node shows is read
from the X server's pixels (each simulated camera burns a machine-readable stamp into its picture).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from tests.fixtures.accounts import create_account
from tests.fixtures.hub import HubThread
from tests.fixtures.sim import require_tools
from tests.fixtures.wall import (
    REPO,
    WALL_USER,
    ControllerProcess,
    WallCatalogue,
    WallEnv,
    cli,
    wait_for,
    wall_client,
)
from vmwall.model.user import Role
from vmwall.sim.stamp import Stamp, decode_stamp
from vmwall.store import AccountRepository, Database

pytestmark = [pytest.mark.cpu, pytest.mark.slow]

NODE = "mur"
W, H = 640, 360
LIVE_S = 30.0  # call-up through the whole chain, on a loaded machine
# Issue 5: a restarted node shows the current state within 2 s of its start. That figure is measured
# by bench/wall_node.py on a quiet machine; here, on a test machine busy with other suites, a bound
# that only catches a node waiting on something (a timeout, a retry) instead of starting.
STARTUP_BOUND_S = 10.0


@pytest.fixture
def farm_catalogue(registered_farm: tuple[Any, Database]) -> WallCatalogue:
    """The simulated farm's catalogue (cameras 1-4, live 24/7) with a chef de salle for the CLI."""
    _farm, db = registered_farm
    if AccountRepository(db).find(WALL_USER) is None:
        create_account(db, WALL_USER, Role.CHEF_DE_SALLE)
    return WallCatalogue(db.url, live=(1, 2, 3, 4))


class WallNode:
    """A `vmwall wall-node` process on the session's Xvfb: two virtual screens side by side."""

    def __init__(self, env: WallEnv) -> None:
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.runs = 0

    @property
    def log(self) -> Path:
        return self.env.log_dir / f"wall-node-{NODE}.log"

    def start(self) -> None:
        self.runs += 1
        self.env.log_dir.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "vmwall", "wall-node", "--name", NODE]
        argv += ["--virtual-screens", f"2x{W}x{H}", "--no-start-hub"]
        self.started_at = time.monotonic()
        with (self.env.log_dir / "node.stderr").open("a") as errors:
            self.proc = subprocess.Popen(
                argv, env=self.env.env, stdout=subprocess.DEVNULL, stderr=errors, cwd=REPO
            )

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> int:
        assert self.proc is not None
        self.proc.terminate()
        return self.proc.wait(20)

    def figure(self, what: str, timeout_s: float = 20.0) -> float:
        """A start-up figure of this run, from the node's log ("wall content shown 0.93 s after…")."""
        pattern = re.compile(re.escape(what) + r" ([0-9.]+) s after the process started \(")

        def found() -> list[str]:
            text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
            return pattern.findall(text)

        wait_for(lambda: len(found()) >= self.runs, timeout_s, f"the node's log line {what!r}")
        return float(found()[self.runs - 1])


@pytest.fixture
def wall_node(wall_env: WallEnv, xvfb_display: str) -> Iterator[WallNode]:
    require_tools("ffmpeg")
    node = WallNode(wall_env)
    yield node
    node.kill()


def grab_screen(index: int) -> npt.NDArray[np.uint8]:
    """What the node's virtual screen ``index`` shows: its area of the X display."""
    from PySide6.QtGui import QGuiApplication, QImage

    image = QGuiApplication.primaryScreen().grabWindow(0, index * W, 0, W, H).toImage()
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    raw = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    return raw[:, : rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3).copy()


def save_screens(folder: Path, name: str) -> None:
    """Both screens as PNG next to the test's logs (to see what went wrong)."""
    from tests.fixtures.sim import save_png

    for index in (0, 1):
        save_png(grab_screen(index), folder / f"{name}-screen-{index + 1}.png")


def stamp_on(index: int) -> Stamp | None:
    """The stamp of the picture on screen ``index`` (one tile: its video surface is the screen less 3 px
    of spacing and frame on each side; the stamp's cells must line up with the picture's edges)."""
    return decode_stamp(grab_screen(index)[3 : H - 3, 3 : W - 3], search_fraction=0.45)


def camera_on(index: int) -> int | None:
    stamp = stamp_on(index)
    return stamp.camera if stamp else None


def show(env: WallEnv, catalogue: WallCatalogue, camera: int, screen: str, timeout_s: float = LIVE_S) -> None:
    """`vmwall wall show CAMERA --screen SCREEN`, again until the controller knows the node's screens."""
    last = ""

    def done() -> bool:
        nonlocal last
        result = cli(env, catalogue.db_url, "show", str(camera), "--screen", screen)
        last = result.stderr + result.stdout
        return result.returncode == 0

    try:
        wait_for(done, timeout_s, f"wall show {camera} --screen {screen}")
    except AssertionError as error:
        raise AssertionError(f"{error}: {last}") from None


def test_a_real_node_follows_the_wall_survives_kill_9_and_a_controller_restart(
    wall_env: WallEnv,
    farm_catalogue: WallCatalogue,
    start_controller: Any,
    hub: HubThread,
    wall_node: WallNode,
    native_qapp: Any,
) -> None:
    # The hub's token travels to the node in memory only: it must never reach a file.
    token = "jeton-du-hub-" + os.urandom(8).hex()
    wall_env.env["VMWALL_TEST_HUB_TOKEN"] = token
    hub_options = ["--hub", hub.url(""), "--hub-token-env", "VMWALL_TEST_HUB_TOKEN"]
    controller: ControllerProcess = start_controller(farm_catalogue, hub_options)
    wall_node.start()

    # The CLI puts camera 3 on screen 1 (tile 1) and camera 4 on screen 2: their stamps appear there.
    show(wall_env, farm_catalogue, 3, f"{NODE}:1:1")
    show(wall_env, farm_catalogue, 4, f"{NODE}:2:1")
    try:
        wait_for(lambda: camera_on(0) == 3, LIVE_S, "camera 3's stamp on the node's first screen")
    finally:
        save_screens(wall_env.log_dir, "first-call")
    wait_for(lambda: camera_on(1) == 4, LIVE_S, "camera 4's stamp on the node's second screen")
    first = stamp_on(0)
    time.sleep(0.5)
    later = stamp_on(0)
    assert first is not None and later is not None and later.frame != first.frame, "the picture is frozen"

    # The node reports its tiles through the controller: playing, with their rate; and thumbnails.
    with wall_client(wall_env) as console:

        def reported() -> bool:
            node = next((n for n in console.snapshot().nodes if n.name == NODE), None)
            if node is None or not node.online:
                return False
            tiles = {ref.key: states for ref, states in node.tiles}
            screen_1 = tiles.get(f"{NODE}:0", ())
            return [(t.camera, t.state.value) for t in screen_1] == [(3, "playing")] and screen_1[0].fps > 0

        wait_for(reported, 15, "the node's tile states at the controller")

        def thumbnail_shows_a_picture() -> bool:
            from PIL import Image

            jpeg = console.snapshot().thumbnails.get(f"{NODE}:0")
            if jpeg is None:
                return False
            with Image.open(io.BytesIO(jpeg)) as thumbnail:
                assert thumbnail.format == "JPEG" and thumbnail.size == (320, 180)
                return float(np.asarray(thumbnail).std()) > 20  # the live picture, not a black screen

        wait_for(thumbnail_shows_a_picture, 15, "a thumbnail of the node's screen with its picture")

    # kill -9, then a new node process: back to the same content, timed from the process start.
    wall_node.kill()
    wait_for(lambda: camera_on(0) is None and camera_on(1) is None, 10, "the dead node's windows gone")
    wall_node.start()
    wait_for(lambda: camera_on(0) == 3 and camera_on(1) == 4, LIVE_S, "the restarted node's pictures")
    on_screen_s = time.monotonic() - wall_node.started_at
    content_s = wall_node.figure("wall content shown")
    pictures_s = wall_node.figure("first pictures on every tile")
    print(
        f"\nnode restart: content {content_s:.2f} s, pictures {pictures_s:.2f} s,"
        f" stamps seen {on_screen_s:.2f} s after the process started"
    )
    assert content_s < STARTUP_BOUND_S, f"the restarted node took {content_s:.2f} s to show the wall"
    assert content_s <= pictures_s <= on_screen_s + 0.5

    # The controller dies: the node keeps showing (fail-static), its pictures still moving.
    controller.kill()
    before = stamp_on(1)
    deadline = time.monotonic() + 4.0
    while time.monotonic() < deadline:
        assert camera_on(0) == 3 and camera_on(1) == 4, "the node stopped showing without its controller"
        time.sleep(0.25)
    after = stamp_on(1)
    assert before is not None and after is not None and after.frame != before.frame

    # A new controller (new epoch, same saved state): the node resyncs without a gap, and obeys it.
    start_controller(farm_catalogue, hub_options)
    show(wall_env, farm_catalogue, 1, f"{NODE}:1:1")
    deadline = time.monotonic() + LIVE_S
    while camera_on(0) != 1:
        assert camera_on(1) == 4, "screen 2 lost its picture while the node resynced"
        assert time.monotonic() < deadline, "camera 1 never appeared after the controller restart"
        time.sleep(0.1)

    assert wall_node.stop() == 0, "the node did not stop cleanly on SIGTERM"
    text = wall_node.log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text, text[-3000:]
    assert "with a token" in text  # the node did get the hub's token...
    files = [f for f in wall_env.key_dir.parent.rglob("*") if f.is_file()]
    assert wall_node.log in files
    for file in files:  # ...and no log, key, state or settings file of any process holds it
        assert token.encode() not in file.read_bytes(), f"the hub token is written in {file}"


def test_the_node_command_says_what_is_wrong(wall_env: WallEnv, xvfb_display: str) -> None:
    env = {**wall_env.env}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "vmwall", "wall-node", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=REPO,
        )

    bad_name = run("--name", "mur d'images")
    assert bad_name.returncode == 2 and "--name" in bad_name.stderr and "Traceback" not in bad_name.stderr
    bad_screens = run("--name", NODE, "--virtual-screens", "2x100x360")
    assert bad_screens.returncode == 2 and "160..7680" in bad_screens.stderr
    missing_screen = run("--name", NODE, "--screens", "0,5")
    assert missing_screen.returncode == 2 and "screen 5 does not exist" in missing_screen.stderr
    both = run("--name", NODE, "--screens", "0", "--virtual-screens", "1x640x360")
    assert both.returncode == 2 and "not allowed with" in both.stderr
    token = run("--name", NODE, "--hub", "http://10.0.0.5:8490", "--hub-token-env", "VMWALL_NO_SUCH_VAR")
    assert token.returncode != 0 and "VMWALL_NO_SUCH_VAR" in token.stderr
    # No controller key on this machine yet (no controller ever started here): said plainly.
    keyless = run("--name", NODE, "--virtual-screens", "1x640x360", "--no-start-hub")
    assert keyless.returncode != 0 and "Traceback" not in keyless.stderr
    assert "controller" in keyless.stderr.lower(), keyless.stderr
    assert os.environ.get("DISPLAY") == xvfb_display
