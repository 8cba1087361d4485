"""The wall protocol: strict schemas, size caps, versions, and nothing but ProtocolError on garbage."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from vmwall.wall import protocol
from vmwall.wall.protocol import ProtocolError, check_args, decode, encode, message

SESSION = "0123456789abcdef0123456789abcdef"


def command(**overrides: Any) -> dict[str, Any]:
    base = message(
        protocol.COMMAND,
        session=SESSION,
        counter=1,
        id="req-1",
        user="chef",
        action="show-camera",
        args={"screen": "mur-1:0", "tile": 0, "camera": 3},
    )
    base.update(overrides)
    return base


def to_controller(data: dict[str, Any] | bytes) -> dict[str, Any]:
    body = data if isinstance(data, bytes) else encode(data)
    return decode(body, protocol.TO_CONTROLLER, protocol.MAX_REQUEST_BYTES)


def test_a_good_command_round_trips() -> None:
    decoded = to_controller(command())
    assert decoded["args"] == {"screen": "mur-1:0", "tile": 0, "camera": 3}
    assert check_args("show-camera", decoded["args"]) == decoded["args"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"extra": 1}, "unknown key 'extra'"),
        ({"counter": "1"}, "expected an integer"),
        ({"counter": True}, "expected an integer"),
        ({"counter": 0}, "outside"),
        ({"session": "short"}, "length"),
        ({"session": "X" * 32}, "badly formed"),
        ({"user": ""}, "length"),
        ({"user": "two words"}, "badly formed"),
        ({"id": "a" * 65}, "length"),
        ({"args": []}, "expected an object"),
    ],
)
def test_wrong_fields_are_refused_with_the_path(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        to_controller(command(**change))


def test_a_missing_field_is_refused() -> None:
    data = command()
    del data["counter"]
    with pytest.raises(ProtocolError, match="missing 'counter'"):
        to_controller(data)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"protocol_version": 2, "type": "ping"}', "protocol version 2; this vmwall speaks 1"),
        (b'{"protocol_version": true, "type": "ping"}', "protocol version"),
        (b'{"type": "ping"}', "protocol version"),
        (b'{"protocol_version": 1, "type": "pickle"}', "unexpected message type 'pickle'"),
        (b'{"protocol_version": 1, "type": 5}', "unexpected message type 'int'"),
        (b'{"protocol_version": 1, "type": "snapshot"}', "unexpected message type 'snapshot'"),
        (b'{"protocol_version": 1, "type": "ping", "session": NaN}', "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    ],
)
def test_garbage_is_a_protocol_error(body: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        to_controller(body)


def test_an_oversized_message_is_refused_before_parsing() -> None:
    big = encode(command(user="x" * 10)) + b" " * protocol.MAX_REQUEST_BYTES
    with pytest.raises(ProtocolError, match="more than"):
        to_controller(big)


def test_messages_only_go_one_way() -> None:
    """A peer cannot send what the controller sends (a forged update or snapshot)."""
    update = encode(message(protocol.UPDATE, epoch="abcdef12", sequence=1, changes=[], at=1.0))
    with pytest.raises(ProtocolError, match="unexpected message type 'update'"):
        to_controller(update)
    assert decode(update, protocol.PUBLISHED, protocol.MAX_REPLY_BYTES)["sequence"] == 1


@pytest.mark.parametrize(
    ("action", "args", "reason"),
    [
        ("show-camera", {"screen": "mur-1:0", "camera": 0}, "outside 1"),
        ("show-camera", {"screen": "mur-1:0", "camera": 3, "tile": 144}, "outside 0..143"),
        ("show-camera", {"screen": "mur 1:0", "camera": 3}, "badly formed"),
        ("show-camera", {"screen": "mur-1:0"}, "missing 'camera'"),
        ("set-screen", {"screen": "a:0", "layout": "2x2", "cameras": [None] * 145}, "items outside"),
        ("set-screen", {"screen": "a:0", "layout": "2x2", "cameras": [1], "streams": ["hd"]}, "not one of"),
        ("save-sequence", {"name": "t", "steps": []}, "items outside 1"),
        ("save-sequence", {"name": "t", "steps": [{"kind": "zoom", "dwell_s": 5}]}, "not one of"),
        ("apply-preset", {"name": ""}, "length"),
        ("alarm", {"camera": 1.5}, "expected an integer"),
        ("format-disk", {}, "unknown action 'format-disk'"),
    ],
)
def test_command_arguments_are_checked_per_action(action: str, args: dict[str, Any], reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        check_args(action, args)


def test_every_action_of_the_console_interface_is_known() -> None:
    expected = {
        "show-camera", "set-screen", "clear-screen", "apply-preset", "save-preset", "delete-preset",
        "save-sequence", "delete-sequence", "sequence-start", "sequence-pause", "sequence-resume",
        "sequence-step", "sequence-stop", "set-alarm-screen", "alarm",
    }  # fmt: skip
    assert expected <= set(protocol.ACTIONS)


def test_encoding_refuses_what_json_cannot_say() -> None:
    with pytest.raises(ValueError):
        encode({"x": float("nan")})


def test_thousands_of_random_frames_only_ever_raise_protocol_error() -> None:
    rng = random.Random(5)
    good = encode(command())
    samples = 0
    for _ in range(3000):
        kind = rng.randrange(4)
        if kind == 0:
            body = rng.randbytes(rng.randrange(0, 300))
        elif kind == 1:
            body = good[: rng.randrange(len(good))]
        elif kind == 2:
            mutated = bytearray(good)
            for _ in range(rng.randrange(1, 6)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            body = bytes(mutated)
        else:
            data = json.loads(good)
            key = rng.choice(list(data))
            data[key] = rng.choice([None, -1, 2**70, "x" * 3000, [], {}, [[[]]], 1.5, True])
            body = json.dumps(data).encode()
        try:
            to_controller(body)
        except ProtocolError:
            samples += 1
    assert samples > 2900  # almost all are refused; none raised anything else
