"""The wall protocol: JSON messages, each with ``protocol_version`` and ``type``, strictly checked.

Never pickle: a message is UTF-8 JSON (no NaN, no duplicate-free guarantees relied upon), at most
a fixed size per socket, an object whose keys are exactly those of its type. Anything else is a
`ProtocolError`, which the receiver logs once per peer and drops.

Peer → controller (DEALER → ROUTER)::

    snapshot-request  {id, role, version}                  → snapshot (opens a session)
    command           {session, counter, id, user, action, args}   → result
    heartbeat         {session, counter, node, cpu_percent, screens, tiles, applied_sequence, version}
    thumbnail         {session, counter, screen, jpeg}
    ping              {session, counter}                    → pong

Controller → peer (ROUTER → DEALER): ``snapshot``, ``result``, ``pong``, ``error``.
Controller → everyone (PUB), first frame the topic: ``state`` (update), ``hugz`` (every second:
epoch and sequence), ``status`` (node status), ``thumb`` (a screen's thumbnail), ``push`` (a
`WallPush`). Nodes subscribe to ``state`` and ``hugz`` only.

Replay guard: the controller issues a random ``session`` with each snapshot; every later message
of that peer carries it and a ``counter`` that must grow. A message replayed (same or lower
counter), from an unknown or expired session, or from another key's session is dropped. Sessions
are the controller's, in memory: a restarted controller knows none, so nothing recorded before a
restart can be played back to it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from vmwall.model.camera import MAX_CAMERA_NUMBER
from vmwall.wall import codec
from vmwall.wall.codec import CAMERA, LABEL, NODE_NAME, SCREEN, TILE
from vmwall.wall.schema import (
    Check,
    SchemaError,
    array,
    boolean,
    constant,
    integer,
    mapping,
    nullable,
    number,
    obj,
    one_of,
    string,
)
from vmwall.wall.state import MAX_KEYS

PROTOCOL_VERSION = 1

# Size caps (ZMQ_MAXMSGSIZE on each socket: a bigger message closes the sender's connection).
MAX_REQUEST_BYTES = 1024 * 1024  # what the controller's ROUTER accepts (a thumbnail fits)
# What the controller's PUB accepts: subscriptions, and the CurveZMQ handshake's commands, which
# count too (at 256 bytes no subscriber could complete its handshake).
MAX_SUBSCRIPTION_BYTES = 4096
MAX_REPLY_BYTES = 32 * 1024 * 1024  # what peers accept from the controller (a snapshot)

# Topics of the PUB socket.
TOPIC_STATE = b"state"
TOPIC_HUGZ = b"hugz"
TOPIC_STATUS = b"status"
TOPIC_THUMB = b"thumb"
TOPIC_PUSH = b"push"
NODE_TOPICS = (TOPIC_STATE, TOPIC_HUGZ)
CONSOLE_TOPICS = (TOPIC_STATE, TOPIC_HUGZ, TOPIC_STATUS, TOPIC_THUMB, TOPIC_PUSH)
ALL_TOPICS = frozenset(CONSOLE_TOPICS)

# Timing shared by every side.
HEARTBEAT_S = 1.0  # node heartbeats, console pings, controller hugz
THUMBNAIL_S = 3.0  # node thumbnails
OFFLINE_AFTER_S = 2.5  # a node without heartbeat this long is offline (so a dead node shows within 3 s)
DISCONNECTED_AFTER_S = 3.0  # a peer that heard nothing from the controller this long says so
SESSION_IDLE_S = 30.0  # the controller forgets a session unused this long


class ProtocolError(ValueError):
    """A message that is not one of ours; ``str()`` says why (never the message's content)."""


ID = string(64, min_len=1, pattern=r"[A-Za-z0-9_.:-]+")
SESSION = string(32, min_len=32, pattern=r"[0-9a-f]{32}")
COUNTER = integer(1, 2**62)
EPOCH = string(32, min_len=8, pattern=r"[0-9a-f]+")
SEQUENCE = integer(0, 2**62)
USER = string(64, min_len=1, pattern=r"\S+")
VERSION = string(40)


def _any(value: Any, path: str) -> Any:
    return value


_KEY = string(200, min_len=1)


def _pair(value: Any, path: str) -> Any:
    if not isinstance(value, list) or len(value) != 2:
        raise SchemaError(f"{path}: expected a [key, value] pair")
    _KEY(value[0], f"{path}[0]")
    return value


CHANGES = array(_pair, MAX_KEYS)


def _message(
    type_name: str, fields: Mapping[str, Check], optional: Mapping[str, Check] | None = None
) -> Check:
    return obj(
        {"protocol_version": constant(PROTOCOL_VERSION), "type": constant(type_name), **fields}, optional
    )


_SESSIONED = {"session": SESSION, "counter": COUNTER}

# --- peer -> controller -------------------------------------------------------------------------

SNAPSHOT_REQUEST = "snapshot-request"
COMMAND = "command"
HEARTBEAT = "heartbeat"
THUMBNAIL = "thumbnail"
PING = "ping"

TO_CONTROLLER: dict[str, Check] = {
    SNAPSHOT_REQUEST: _message(
        SNAPSHOT_REQUEST, {"id": ID, "role": one_of("node", "console"), "version": VERSION}
    ),
    # The args are checked against the action's own schema (ACTIONS) once the envelope is good.
    COMMAND: _message(
        COMMAND,
        {
            **_SESSIONED,
            "id": ID,
            "user": USER,
            "action": string(40, min_len=1),
            "args": mapping(string(40), _any, 16),
        },
    ),
    HEARTBEAT: _message(
        HEARTBEAT,
        {
            **_SESSIONED,
            "node": string(64, pattern=NODE_NAME),
            "cpu_percent": number(0, 100_000),
            "screens": array(codec.GEOMETRY_SCHEMA, 16),
            "tiles": array(codec.SCREEN_TILES_SCHEMA, 16),
            "applied_sequence": SEQUENCE,
            "version": VERSION,
        },
    ),
    THUMBNAIL: _message(THUMBNAIL, {**_SESSIONED, "screen": SCREEN, "jpeg": codec.JPEG_B64}),
    PING: _message(PING, dict(_SESSIONED)),
}

# --- controller -> peer -------------------------------------------------------------------------

SNAPSHOT = "snapshot"
RESULT = "result"
PONG = "pong"
ERROR = "error"

TO_PEER: dict[str, Check] = {
    SNAPSHOT: _message(
        SNAPSHOT,
        {"id": ID, "session": SESSION, "epoch": EPOCH, "sequence": SEQUENCE, "items": CHANGES},
        {
            "nodes": array(codec.NODE_STATUS_SCHEMA, codec.MAX_NODES),
            "thumbnails": mapping(SCREEN, codec.JPEG_B64, codec.MAX_NODES * 16),
            "pushes": array(codec.PUSH_SCHEMA, 1000),
            "hub": obj({"url": nullable(string(2000)), "token": nullable(string(500))}),
        },
    ),
    RESULT: _message(
        RESULT,
        {
            "id": ID,
            "ok": boolean(),
            "sequence": SEQUENCE,
            "detail": string(2000),
            "error": string(2000),
            "code": string(40),
            "changed": boolean(),
        },
    ),
    PONG: _message(PONG, {"epoch": EPOCH, "sequence": SEQUENCE}),
    ERROR: _message(ERROR, {"code": string(40), "reason": string(2000)}, {"id": ID}),
}

# --- controller -> everyone (PUB) ---------------------------------------------------------------

UPDATE = "update"
HUGZ = "hugz"
NODE_STATUS = "node-status"
SCREEN_THUMBNAIL = "screen-thumbnail"
PUSH = "push"

PUBLISHED: dict[str, Check] = {
    # ``at``: when the controller published it (epoch seconds, its clock), for latency figures.
    UPDATE: _message(
        UPDATE, {"epoch": EPOCH, "sequence": SEQUENCE, "changes": CHANGES, "at": number(0, 1e11)}
    ),
    HUGZ: _message(HUGZ, {"epoch": EPOCH, "sequence": SEQUENCE, "at": number(0, 1e11)}),
    NODE_STATUS: _message(NODE_STATUS, {"epoch": EPOCH, "node": codec.NODE_STATUS_SCHEMA}),
    SCREEN_THUMBNAIL: _message(
        SCREEN_THUMBNAIL, {"screen": SCREEN, "jpeg": codec.JPEG_B64, "at": number(0, 1e11)}
    ),
    PUSH: _message(PUSH, {"push": codec.PUSH_SCHEMA}),
}
TOPIC_OF = {
    UPDATE: TOPIC_STATE,
    HUGZ: TOPIC_HUGZ,
    NODE_STATUS: TOPIC_STATUS,
    SCREEN_THUMBNAIL: TOPIC_THUMB,
    PUSH: TOPIC_PUSH,
}

# --- command arguments --------------------------------------------------------------------------

_NAME_ARG = obj({"name": LABEL})
ACTIONS: dict[str, Check] = {
    "show-camera": obj({"screen": SCREEN, "camera": nullable(CAMERA)}, {"tile": TILE}),
    "set-screen": obj(
        {"screen": SCREEN, "layout": codec.LAYOUT, "cameras": array(nullable(CAMERA), 144)},
        {"streams": array(nullable(one_of("main", "sub")), 144)},
    ),
    "clear-screen": obj({"screen": SCREEN}),
    "apply-preset": _NAME_ARG,
    "save-preset": _NAME_ARG,
    "delete-preset": _NAME_ARG,
    "save-sequence": obj(
        {"name": LABEL, "steps": array(codec.STEP_SCHEMA, 500, min_items=1)},
        {"screen": nullable(SCREEN), "tile": TILE},
    ),
    "delete-sequence": _NAME_ARG,
    "sequence-start": _NAME_ARG,
    "sequence-pause": _NAME_ARG,
    "sequence-resume": _NAME_ARG,
    "sequence-step": _NAME_ARG,
    "sequence-stop": _NAME_ARG,
    "set-alarm-screen": obj({"screen": nullable(SCREEN)}),
    "alarm": obj({"camera": integer(1, MAX_CAMERA_NUMBER)}),
    "place-node": obj(
        {"node": string(64, pattern=NODE_NAME), "column": integer(0, 4095), "row": integer(0, 4095)}
    ),
}


def check_args(action: str, args: Any) -> dict[str, Any]:
    """A command's arguments checked against its action; ProtocolError says what is wrong."""
    schema = ACTIONS.get(action)
    if schema is None:
        raise ProtocolError(f"unknown action {action[:40]!r} (known: {', '.join(sorted(ACTIONS))})")
    try:
        checked: dict[str, Any] = schema(args, action)
    except SchemaError as exc:
        raise ProtocolError(str(exc)) from None
    return checked


# --- encoding -----------------------------------------------------------------------------------


def message(type_name: str, **fields: Any) -> dict[str, Any]:
    return {"protocol_version": PROTOCOL_VERSION, "type": type_name, **fields}


def encode(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode(data: bytes, schemas: Mapping[str, Check], max_bytes: int) -> dict[str, Any]:
    """Decode and check one message against ``schemas`` (by type); ProtocolError if anything is off."""
    if len(data) > max_bytes:
        raise ProtocolError(f"message of {len(data)} bytes, more than {max_bytes}")
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"not JSON ({type(exc).__name__})") from None
    if not isinstance(value, dict):
        raise ProtocolError("not a JSON object")
    version = value.get("protocol_version")
    if version != PROTOCOL_VERSION or isinstance(version, bool):
        shown = version if isinstance(version, int) else type(version).__name__
        raise ProtocolError(f"protocol version {shown!r}; this vmwall speaks {PROTOCOL_VERSION}")
    kind = value.get("type")
    if not isinstance(kind, str) or kind not in schemas:
        shown_kind = kind[:40] if isinstance(kind, str) else type(kind).__name__
        raise ProtocolError(f"unexpected message type {shown_kind!r}")
    schema = schemas[kind]
    try:
        checked: dict[str, Any] = schema(value, kind)
    except SchemaError as exc:
        raise ProtocolError(str(exc)) from None
    return checked
