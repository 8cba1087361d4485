"""`vmwall sim --register`: the simulated cameras land in the catalogue, their passwords in the keyring."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.secret_scan import assert_secret_not_stored
from vmwall import credentials
from vmwall.cli import main
from vmwall.errors import UserFacingError
from vmwall.model import Camera, Commune, Forfait
from vmwall.sim.farm import camera_name, is_ptz
from vmwall.sim.registration import register_farm
from vmwall.sim.spec import SimCameraSpec
from vmwall.store import CameraRepository, CommuneRepository, Database


def _specs(count: int) -> list[SimCameraSpec]:
    return [
        SimCameraSpec(
            n, camera_name(n), "admin", f"pw-{n}-secret", "127.0.0.1", 8080 + n, 8553 + n, is_ptz(n)
        )
        for n in range(1, count + 1)
    ]


def test_register_adds_cameras_with_passwords_in_the_keyring(database: Database, memory_keyring: Any) -> None:
    specs = _specs(4)
    result = register_farm(database, specs)
    assert (result.created, result.updated) == (4, 0)
    commune = CommuneRepository(database).get_by_name("Simulation")
    assert commune is not None and commune.forfait is Forfait.LIVE_24_7
    cameras = CameraRepository(database).list()
    assert [c.number for c in cameras] == [1, 2, 3, 4]
    for camera, spec in zip(cameras, specs, strict=True):
        assert camera.main_uri == spec.rtsp_main_uri and camera.sub_uri == spec.rtsp_sub_uri
        assert camera.onvif_port == spec.onvif_port and camera.ptz is spec.ptz
        assert camera.credential_ref and credentials.load_password(camera.credential_ref) == spec.password
    for spec in specs:
        assert_secret_not_stored(database, spec.password)


def test_register_again_updates_in_place(database: Database, memory_keyring: Any) -> None:
    register_farm(database, _specs(3))
    moved = [
        dataclasses.replace(s, rtsp_port=s.rtsp_port + 100, password=s.password + "-new") for s in _specs(3)
    ]
    result = register_farm(database, moved)
    assert (result.created, result.updated) == (0, 3)
    cameras = CameraRepository(database).list()
    assert len(cameras) == 3
    assert cameras[0].main_uri == moved[0].rtsp_main_uri
    assert credentials.load_password(cameras[0].credential_ref or "") == moved[0].password
    assert len(memory_keyring.entries) == 3  # the same keyring entries, overwritten


def test_register_never_overwrites_a_real_camera(database: Database, memory_keyring: Any) -> None:
    roubaix = CommuneRepository(database).add(Commune("Roubaix", "59512", Forfait.LIVE_24_7))
    assert roubaix.id
    CameraRepository(database).add(Camera(2, "Grand-Place", roubaix.id, main_uri="rtsp://192.0.2.2/main"))
    with pytest.raises(UserFacingError, match="camera number 2 already belongs"):
        register_farm(database, _specs(3))
    assert CameraRepository(database).get_by_number(1) is None  # nothing half-done
    assert CameraRepository(database).get_by_number(2).name == "Grand-Place"  # type: ignore[union-attr]
    result = register_farm(database, _specs(3), first_number=101)
    assert [c.number for c in result.cameras] == [101, 102, 103]


def test_sim_command_prints_addresses_and_registers(
    tmp_path: Path,
    memory_keyring: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cli_admin: Any,
) -> None:
    monkeypatch.setenv("VMWALL_LOG_DIR", str(tmp_path / "logs"))
    db_url = f"sqlite:///{tmp_path / 'sim.sqlite3'}"
    cli_admin(db_url)  # `sim --register` writes the catalogue: a camera administrator signs in
    code: list[int] = []
    runner = threading.Thread(
        target=lambda: code.append(
            main(
                [
                    "--db",
                    db_url,
                    "sim",
                    "--cameras",
                    "2",
                    "--rtsp-port",
                    "0",
                    "--onvif-port",
                    "0",
                    "--register",
                    "--motion-interval",
                    "0",
                    "--state-dir",
                    str(tmp_path / "state"),
                    "--duration",
                    "2",
                ]
            )
        )
    )
    runner.start()
    runner.join(60)
    assert code == [0]
    out = capsys.readouterr().out
    assert "2 simulated cameras" in out and "Registered in commune 'Simulation': 2 cameras added" in out
    assert out.count("rtsp://127.0.0.1:") == 4 and out.count("/onvif/device_service") == 2
    state = (tmp_path / "state" / "devices.json").read_text()
    for password in json.loads(state).values():
        assert password not in out
        assert password not in (tmp_path / "logs" / "sim.log").read_text()
        assert password in memory_keyring.entries.values()
    assert (tmp_path / "state" / "devices.json").stat().st_mode & 0o777 == 0o600
    from vmwall.logs import teardown_logging

    teardown_logging()
    time.sleep(0.1)
