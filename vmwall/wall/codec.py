"""Wall domain values to and from JSON, each with its strict schema.

``*_SCHEMA`` checks a decoded value; ``*_from_json`` builds the model value from a checked one (the
model's own rules may still refuse it: `CodecError`); ``*_to_json`` is the inverse.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from vmwall.model.camera import MAX_CAMERA_NUMBER, StreamKind
from vmwall.model.errors import ValidationError
from vmwall.model.wall import (
    MAX_DWELL_S,
    MAX_LABEL,
    MAX_SCREENS_PER_NODE,
    MAX_SEQUENCE_STEPS,
    MAX_TILES_PER_SCREEN,
    NodeStatus,
    ScreenContent,
    ScreenGeometry,
    ScreenRef,
    SequenceRunState,
    SequenceStep,
    SequenceStepKind,
    TileState,
    TileStatus,
    WallPreset,
    WallPush,
    WallSequence,
)
from vmwall.wall.schema import (
    SchemaError,
    array,
    boolean,
    integer,
    nullable,
    number,
    obj,
    one_of,
    string,
)

MAX_NODES = 256
MAX_PRESETS = 1000
MAX_SEQUENCES = 1000
MAX_THUMBNAIL_BYTES = 256 * 1024
NODE_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
SCREEN_KEY = rf"{NODE_NAME}:\d{{1,2}}"


class CodecError(ValueError):
    """A checked value that the domain model still refuses (e.g. a dwell time out of range)."""


CAMERA = integer(1, MAX_CAMERA_NUMBER)
SCREEN = string(80, pattern=SCREEN_KEY)
LABEL = string(MAX_LABEL, min_len=1)
LAYOUT = string(64, min_len=1)
TILE = integer(0, MAX_TILES_PER_SCREEN - 1)

CONTENT_SCHEMA = obj(
    {"layout": LAYOUT, "cameras": array(nullable(CAMERA), MAX_TILES_PER_SCREEN, min_items=1)},
    {"streams": array(nullable(one_of(*(k.value for k in StreamKind))), MAX_TILES_PER_SCREEN)},
)
GEOMETRY_SCHEMA = obj(
    {
        "screen": SCREEN,
        "column": integer(0, 255),
        "row": integer(0, 255),
        "width_px": integer(1, 32768),
        "height_px": integer(1, 32768),
    },
    {"label": string(80)},
)
PRESET_SCREEN_SCHEMA = obj({"screen": SCREEN, "content": CONTENT_SCHEMA})
PRESET_SCHEMA = obj(
    {"name": LABEL, "screens": array(PRESET_SCREEN_SCHEMA, MAX_NODES * MAX_SCREENS_PER_NODE)},
    {"saved_by": string(64)},
)
STEP_SCHEMA = obj(
    {"kind": one_of(*(k.value for k in SequenceStepKind)), "dwell_s": number(0, MAX_DWELL_S)},
    {"camera": nullable(CAMERA), "preset": nullable(LABEL)},
)
SEQUENCE_SCHEMA = obj(
    {"name": LABEL, "steps": array(STEP_SCHEMA, MAX_SEQUENCE_STEPS, min_items=1)},
    {
        "screen": nullable(SCREEN),
        "tile": TILE,
        "state": one_of(*(s.value for s in SequenceRunState)),
        "position": integer(0, MAX_SEQUENCE_STEPS - 1),
    },
)
TILE_STATUS_SCHEMA = obj(
    {"camera": nullable(CAMERA), "state": one_of(*(s.value for s in TileState))},
    {"fps": number(0, 1000), "latency_ms": nullable(number(0, 3_600_000)), "error": string(300)},
)
SCREEN_TILES_SCHEMA = obj(
    {"screen": SCREEN, "tiles": array(TILE_STATUS_SCHEMA, MAX_TILES_PER_SCREEN)},
)
NODE_STATUS_SCHEMA = obj(
    {"name": string(64, pattern=NODE_NAME), "online": boolean(), "last_heartbeat": number(0, 1e11)},
    {
        "cpu_percent": number(0, 100_000),
        "screens": array(GEOMETRY_SCHEMA, MAX_SCREENS_PER_NODE),
        "tiles": array(SCREEN_TILES_SCHEMA, MAX_SCREENS_PER_NODE),
        "applied_sequence": integer(0, 2**62),
        "version": string(40),
    },
)
PUSH_SCHEMA = obj(
    {
        "at": number(0, 1e11),
        "user": string(64),
        "console": string(80),
        "action": string(40),
        "detail": string(2000),
        "sequence": integer(0, 2**62),
    }
)
JPEG_B64 = string((MAX_THUMBNAIL_BYTES * 4) // 3 + 4, min_len=4)


def _model(build: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return build(*args, **kwargs)
    except (ValidationError, ValueError) as exc:
        raise CodecError(str(exc)) from None


def screen_from_json(text: str) -> ScreenRef:
    value: ScreenRef = _model(ScreenRef.parse, text)
    return value


def content_to_json(content: ScreenContent) -> dict[str, Any]:
    data: dict[str, Any] = {"layout": content.layout, "cameras": list(content.cameras)}
    if content.streams:
        data["streams"] = [None if s is None else str(s) for s in content.streams]
    return data


def content_from_json(data: dict[str, Any]) -> ScreenContent:
    streams = tuple(None if s is None else StreamKind(s) for s in data.get("streams", []))
    value: ScreenContent = _model(ScreenContent, data["layout"], tuple(data["cameras"]), streams)
    return value


def geometry_to_json(geometry: ScreenGeometry) -> dict[str, Any]:
    data: dict[str, Any] = {
        "screen": geometry.ref.key,
        "column": geometry.column,
        "row": geometry.row,
        "width_px": geometry.width_px,
        "height_px": geometry.height_px,
    }
    if geometry.label:
        data["label"] = geometry.label
    return data


def geometry_from_json(data: dict[str, Any]) -> ScreenGeometry:
    return ScreenGeometry(
        screen_from_json(data["screen"]),
        data["column"],
        data["row"],
        data["width_px"],
        data["height_px"],
        data.get("label", ""),
    )


def preset_to_json(preset: WallPreset) -> dict[str, Any]:
    return {
        "name": preset.name,
        "screens": [{"screen": ref.key, "content": content_to_json(c)} for ref, c in preset.screens],
        "saved_by": preset.saved_by,
    }


def preset_from_json(data: dict[str, Any]) -> WallPreset:
    screens = tuple(
        (screen_from_json(item["screen"]), content_from_json(item["content"])) for item in data["screens"]
    )
    if len({ref for ref, _ in screens}) != len(screens):
        raise CodecError(f"preset {data['name']!r} names a screen twice")
    value: WallPreset = _model(WallPreset, data["name"], screens, data.get("saved_by", ""))
    return value


def step_to_json(step: SequenceStep) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": str(step.kind), "dwell_s": step.dwell_s}
    if step.camera is not None:
        data["camera"] = step.camera
    if step.preset is not None:
        data["preset"] = step.preset
    return data


def step_from_json(data: dict[str, Any]) -> SequenceStep:
    kind = SequenceStepKind(data["kind"])
    camera = data.get("camera") if kind is SequenceStepKind.CAMERA else None
    preset = data.get("preset") if kind is SequenceStepKind.PRESET else None
    value: SequenceStep = _model(SequenceStep, kind, camera, preset, float(data["dwell_s"]))
    return value


def sequence_to_json(sequence: WallSequence) -> dict[str, Any]:
    return {
        "name": sequence.name,
        "steps": [step_to_json(s) for s in sequence.steps],
        "screen": None if sequence.screen is None else sequence.screen.key,
        "tile": sequence.tile,
        "state": str(sequence.state),
        "position": sequence.position,
    }


def sequence_from_json(data: dict[str, Any]) -> WallSequence:
    screen = data.get("screen")
    value: WallSequence = _model(
        WallSequence,
        data["name"],
        tuple(step_from_json(s) for s in data["steps"]),
        None if screen is None else screen_from_json(screen),
        data.get("tile", 0),
        SequenceRunState(data.get("state", SequenceRunState.STOPPED.value)),
        data.get("position", 0),
    )
    return value


def tile_status_to_json(status: TileStatus) -> dict[str, Any]:
    return {
        "camera": status.camera,
        "state": str(status.state),
        "fps": round(status.fps, 2),
        "latency_ms": status.latency_ms,
        "error": status.error[:300],
    }


def tile_status_from_json(data: dict[str, Any]) -> TileStatus:
    return TileStatus(
        data["camera"],
        TileState(data["state"]),
        float(data.get("fps", 0.0)),
        data.get("latency_ms"),
        data.get("error", ""),
    )


def node_status_to_json(status: NodeStatus) -> dict[str, Any]:
    return {
        "name": status.name,
        "online": status.online,
        "last_heartbeat": status.last_heartbeat,
        "cpu_percent": round(status.cpu_percent, 1),
        "screens": [geometry_to_json(g) for g in status.screens],
        "tiles": [
            {"screen": ref.key, "tiles": [tile_status_to_json(t) for t in tiles]}
            for ref, tiles in status.tiles
        ],
        "applied_sequence": status.applied_sequence,
        "version": status.version,
    }


def node_status_from_json(data: dict[str, Any]) -> NodeStatus:
    return NodeStatus(
        name=data["name"],
        online=data["online"],
        last_heartbeat=float(data["last_heartbeat"]),
        cpu_percent=float(data.get("cpu_percent", 0.0)),
        screens=tuple(geometry_from_json(g) for g in data.get("screens", [])),
        tiles=tuple(
            (screen_from_json(item["screen"]), tuple(tile_status_from_json(t) for t in item["tiles"]))
            for item in data.get("tiles", [])
        ),
        applied_sequence=data.get("applied_sequence", 0),
        version=data.get("version", ""),
    )


def push_to_json(push: WallPush) -> dict[str, Any]:
    return {
        "at": push.at,
        "user": push.user,
        "console": push.console,
        "action": push.action,
        "detail": push.detail,
        "sequence": push.sequence,
    }


def push_from_json(data: dict[str, Any]) -> WallPush:
    return WallPush(
        float(data["at"]), data["user"], data["console"], data["action"], data["detail"], data["sequence"]
    )


def jpeg_to_text(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def jpeg_from_text(text: str) -> bytes:
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise CodecError("a thumbnail is not base64") from None
    if len(data) > MAX_THUMBNAIL_BYTES or not data.startswith(b"\xff\xd8"):
        raise CodecError("a thumbnail is not a JPEG of at most 256 KiB")
    return data


def checked(schema: Any, value: Any, path: str) -> Any:
    """``schema(value, path)`` with SchemaError turned into CodecError."""
    try:
        return schema(value, path)
    except SchemaError as exc:
        raise CodecError(str(exc)) from None
