"""The controller's state file (atomic, strict) and its append-only push log; the wall config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vmwall.model.wall import ScreenContent, ScreenGeometry, ScreenRef, WallPush
from vmwall.wall.config import WallAddressError, WallConfig, parse_controller_address
from vmwall.wall.persist import PushLog, StateFileError, load_state, push_log_path, read_push_log, save_state
from vmwall.wall.state import Placement, WallState, placement_change, screen_change

A0 = ScreenRef("a", 0)


def state() -> WallState:
    s = WallState()
    s.apply(
        [
            placement_change("a", Placement((ScreenGeometry(A0, 0, 0, 1920, 1080),))),
            screen_change(A0, ScreenContent("1x1", (3,))),
        ],
        sequence=12,
    )
    return s


def test_the_state_file_round_trips_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "wall" / "wall-state.json"
    assert load_state(path) is None
    save_state(path, state())
    loaded = load_state(path)
    assert loaded == state() and loaded is not None and loaded.sequence == 12
    assert [p.name for p in path.parent.iterdir()] == ["wall-state.json"]


HEAD = '{"format": "vmwall-wall-state", "sequence": 1, "saved_at": 0, '


@pytest.mark.parametrize(
    "content",
    [
        "{",
        HEAD + '"version": 2, "items": []}',
        HEAD + '"version": 1, "items": [["screen/a:0", 5]]}',
        HEAD + '"version": 1, "items": [], "x": 1}',
    ],
)
def test_a_broken_state_file_stops_the_controller_with_its_name(tmp_path: Path, content: str) -> None:
    path = tmp_path / "wall-state.json"
    path.write_text(content)
    with pytest.raises(StateFileError, match=r"wall-state\.json is broken"):
        load_state(path)


def test_the_push_log_appends_and_reads_back_skipping_a_torn_last_line(tmp_path: Path) -> None:
    path = push_log_path(tmp_path / "wall-state.json")
    assert path.name == "wall-state.pushes.jsonl"
    log = PushLog(path)
    log.open()
    pushes = [WallPush(1000.0 + i, "chef", "poste-1", "show-camera", f"camera {i}", i) for i in range(3)]
    for push in pushes:
        log.append(push, "e1")
    log.close()
    with path.open("a") as handle:
        handle.write('{"at": 5, "user"')  # a crash in the middle of a write
    assert [p for p, _ in read_push_log(path)] == pushes
    lines = path.read_text().splitlines()
    assert json.loads(lines[0])["epoch"] == "e1"


def test_a_bad_line_inside_the_push_log_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('not json\n{"at": 1}\n')
    with pytest.raises(StateFileError, match=r"p.jsonl:1: not a push record"):
        list(read_push_log(path))


def test_controller_addresses() -> None:
    assert parse_controller_address("10.0.0.5:9000") == ("tcp://10.0.0.5:9000", "tcp://10.0.0.5:9001")
    assert parse_controller_address("tcp://h:1,tcp://h:7") == ("tcp://h:1", "tcp://h:7")
    for bad in ("h", "h:0x", "tcp://h:65535", "a:1,b:2,c:3", "udp://h:1"):
        with pytest.raises(WallAddressError):
            parse_controller_address(bad)


def test_the_config_follows_the_environment(tmp_path: Path) -> None:
    config = WallConfig.from_env(
        {"VMWALL_WALL_CONTROLLER": "wall.local:7000", "VMWALL_WALL_KEYS": str(tmp_path)}
    )
    assert (config.router, config.pub, config.key_dir) == (
        "tcp://wall.local:7000",
        "tcp://wall.local:7001",
        tmp_path,
    )
    assert WallConfig.from_env({"VMWALL_CONFIG_DIR": str(tmp_path)}).key_dir == tmp_path / "wall-keys"
    with pytest.raises(WallAddressError, match=r"\$VMWALL_WALL_CONTROLLER"):
        WallConfig.from_env({"VMWALL_WALL_CONTROLLER": "nonsense"})
    assert WallConfig.from_env({}).router == "tcp://127.0.0.1:8494"


def test_the_node_fallback_hub_port_is_the_hub_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from vmwall.hub.service import DEFAULT_PORT
    from vmwall.wall import node

    monkeypatch.delenv("VMWALL_HUB_URL", raising=False)
    assert node.default_hub_url() == f"http://127.0.0.1:{DEFAULT_PORT}"
