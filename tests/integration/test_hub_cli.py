"""`vmwall hub` as installers and scripts use it: a real process, its status, its URLs, on-demand start."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.sim import decode_frames
from vmwall.cli import main
from vmwall.hub.client import HubClient, HubUnavailableError
from vmwall.hub.http import HubHttpServer
from vmwall.model import Camera, Commune, Forfait, StreamKind
from vmwall.sim.stamp import decode_stamp
from vmwall.store import CameraRepository, CommuneRepository, open_database

VMWALL = str(Path(sys.executable).parent / "vmwall")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def catalogue(tmp_path: Path, sim_farm: Any) -> str:
    """A catalogue with camera 5: a farm camera that wants credentials, registered without any."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    db = open_database(url)
    commune = CommuneRepository(db).add(Commune("Simulation", "99999", Forfait.LIVE_24_7))
    assert commune.id
    spec = sim_farm.specs[0]
    CameraRepository(db).add(Camera(5, "Sans mot de passe", commune.id, sub_uri=spec.rtsp_sub_uri))
    db.close()
    return url


@pytest.fixture()
def open_farm(tmp_path: Path) -> Any:
    from vmwall.sim.farm import FarmOptions, SimFarm

    farm = SimFarm(
        FarmOptions(
            cameras=1, rtsp_base_port=0, onvif_base_port=0, motion_interval_s=None, require_rtsp_auth=False
        ),
        tmp_path / "devices.json",
    )
    farm.start()
    yield farm
    farm.close()


def test_hub_process_serves_reports_and_stops(
    tmp_path: Path, catalogue: str, open_farm: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(catalogue)
    commune = CommuneRepository(db).get_by_name("Simulation")
    assert commune and commune.id
    CameraRepository(db).add(Camera(1, "Ouverte", commune.id, sub_uri=open_farm.specs[0].rtsp_sub_uri))
    db.close()
    port = _free_port()
    env = {**os.environ, "VMWALL_HUB_URL": f"http://127.0.0.1:{port}", "VMWALL_LOG_DIR": str(tmp_path)}
    hub = subprocess.Popen(
        [VMWALL, "--db", catalogue, "hub"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        client = HubClient(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 20
        while not client.is_running():
            assert hub.poll() is None, hub.stderr.read() if hub.stderr else ""
            assert time.monotonic() < deadline, "the hub did not come up"
            time.sleep(0.1)
        url = subprocess.run(
            [VMWALL, "--db", catalogue, "hub", "url", "1", "--sub"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert url == f"http://127.0.0.1:{port}/camera/1/sub.ts"
        frames = decode_frames(url, 640, 360, 1.5)
        stamp = decode_stamp(frames[-1])
        assert stamp is not None and stamp.camera == 1
        status = json.loads(
            subprocess.run(
                [VMWALL, "hub", "status", "--json"], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        stream = next(s for s in status["streams"] if s["camera"] == 1)
        assert stream["kind"] == "sub" and stream["width"] == 640 and stream["sessions"] == 1
        text = subprocess.run(
            [VMWALL, "hub", "status"], env=env, capture_output=True, text=True, check=True
        ).stdout
        assert "640x360" in text
        # A camera refusing the credentials ends its players' connections, then is refused at once.
        refused_url = f"http://127.0.0.1:{port}/camera/5/sub.ts"
        started = time.monotonic()
        with urllib.request.urlopen(refused_url, timeout=15) as response:
            assert response.read() == b""  # closed without a byte of video
        assert time.monotonic() - started < 10
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(refused_url, timeout=5)
        assert refused.value.code == 502
        assert "refused the credentials" in refused.value.read().decode()
    finally:
        hub.send_signal(signal.SIGTERM)
        hub.wait(20)
    assert hub.returncode == 0
    log = (tmp_path / "hub.log").read_text()
    assert "camera 1 sub" in log


def test_hub_url_for_unknown_camera_is_a_plain_error(
    catalogue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", catalogue, "hub", "url", "404"]) == 1
    assert "no camera number 404" in capsys.readouterr().err
    assert main(["--db", catalogue, "hub", "url", "abc"]) == 1
    assert "not a camera number" in capsys.readouterr().err


def test_status_without_a_hub_is_a_plain_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VMWALL_HUB_URL", f"http://127.0.0.1:{_free_port()}")
    assert main(["hub", "status"]) == 1
    assert "no stream hub answers" in capsys.readouterr().err


def test_ensure_running_starts_one_hub_and_reuses_it(tmp_path: Path, catalogue: str) -> None:
    client = HubClient(f"http://127.0.0.1:{_free_port()}")
    assert not client.is_running()
    os.environ["VMWALL_LOG_DIR"] = str(tmp_path)
    try:
        assert client.ensure_running(db_url=catalogue) is True
        pid = client.health()["pid"]
        assert client.ensure_running(db_url=catalogue) is False  # already up: shared, not a second one
        assert client.health()["pid"] == pid
    finally:
        os.environ.pop("VMWALL_LOG_DIR", None)
        if client.is_running():
            os.kill(client.health()["pid"], signal.SIGTERM)
    deadline = time.monotonic() + 15
    while client.is_running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not client.is_running()
    with pytest.raises(HubUnavailableError):
        client.streams()


def test_stream_urls_carry_no_credentials() -> None:
    client = HubClient("http://127.0.0.1:8490")
    assert client.stream_url(12, StreamKind.SUB) == "http://127.0.0.1:8490/camera/12/sub.ts"


def test_remote_peers_need_the_token() -> None:
    server = HubHttpServer.__new__(HubHttpServer)
    server.token = "s3cret-token"
    assert server._authorised("127.0.0.1", {}, {})
    assert server._authorised("::1", {}, {})
    assert not server._authorised("192.0.2.7", {}, {})
    assert not server._authorised("192.0.2.7", {"authorization": "Bearer wrong"}, {})
    assert server._authorised("192.0.2.7", {"authorization": "Bearer s3cret-token"}, {})
    assert server._authorised("192.0.2.7", {}, {"token": ["s3cret-token"]})
    server.token = None
    assert not server._authorised("192.0.2.7", {"authorization": "Bearer "}, {})


def test_a_hub_beyond_loopback_refuses_to_start_without_a_token(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hub", "--listen", "0.0.0.0"]) == 1
    assert "needs a token" in capsys.readouterr().err
