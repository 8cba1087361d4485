"""What a live tile plays and how it is doing. Live state only: never saved (a Layout is saved)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from vmwall.model import StreamKind
from vmwall.redact import redact_url


class TileState(StrEnum):
    IDLE = "idle"  # nothing to play
    CONNECTING = "connecting"  # started, no picture yet
    LIVE = "live"  # pictures are being displayed
    LOST = "lost"  # the stream failed or stalled; a reconnect is scheduled (retry_in_s)
    NOT_AUTHORISED = "not_authorised"  # the operator may not see this camera (set by the caller)
    REFUSED = "refused"  # never shown live, e.g. a storage-only commune (set by the caller)


@dataclass(frozen=True, slots=True)
class TileSource:
    """One stream of one camera, as the stream hub serves it."""

    camera: int
    commune: str
    kind: StreamKind
    url: str = field(repr=False)

    def __repr__(self) -> str:  # URLs may carry credentials: never print them
        return (
            f"TileSource(camera={self.camera}, commune={self.commune!r}, kind={self.kind.value}, "
            f"url={redact_url(self.url)!r})"
        )


@dataclass(frozen=True, slots=True)
class TileStatus:
    state: TileState
    source: TileSource | None = None  # what the tile shows (or tries to show)
    retry_in_s: int | None = None  # whole seconds before the next attempt, while LOST
    fps_displayed: float = 0.0  # over the last 2 s; 0 while not measured yet (just started/switched)
    lost_pictures: int = 0  # pictures decoded but dropped (too late) since this source started
    reason: str = ""  # why LOST / REFUSED / NOT_AUTHORISED, for the tile's overlay
    pending: TileSource | None = None  # being prepared on the hidden surface (seamless switch)
    attempts: int = 0  # failed attempts in a row for this source


@dataclass(frozen=True, slots=True)
class TileStats:
    """Raw counters of the stream a tile shows (libVLC input statistics)."""

    displayed_pictures: int = 0
    decoded_pictures: int = 0
    lost_pictures: int = 0
    fps_displayed: float = 0.0
    input_kbit_s: float = 0.0
    demux_corrupted: int = 0
    demux_discontinuity: int = 0
