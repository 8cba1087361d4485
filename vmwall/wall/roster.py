"""Live state of the wall's nodes as the controller sees it: heartbeats, online/offline, per-tile
status, CPU, and each screen's latest thumbnail. Pure: the caller passes the clocks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from vmwall.model.wall import NodeStatus, ScreenGeometry, ScreenRef, TileStatus
from vmwall.wall.protocol import OFFLINE_AFTER_S


@dataclass
class _Entry:
    status: NodeStatus
    seen_mono: float  # monotonic time of the last heartbeat (0: none in this run)


class NodeRoster:
    """Nodes by name. A node is online from its first heartbeat until ``offline_after_s`` without one."""

    def __init__(self, offline_after_s: float = OFFLINE_AFTER_S) -> None:
        self.offline_after_s = offline_after_s
        self._nodes: dict[str, _Entry] = {}
        self._thumbnails: dict[str, bytes] = {}

    def know(self, names: Iterable[str]) -> None:
        """Nodes known from the saved state, offline until they speak."""
        for name in names:
            self._nodes.setdefault(name, _Entry(NodeStatus(name, online=False, last_heartbeat=0.0), 0.0))

    def heartbeat(
        self,
        name: str,
        *,
        now: float,
        now_mono: float,
        cpu_percent: float,
        screens: tuple[ScreenGeometry, ...],
        tiles: tuple[tuple[ScreenRef, tuple[TileStatus, ...]], ...],
        applied_sequence: int,
        version: str,
    ) -> tuple[NodeStatus, bool]:
        """Record a heartbeat; returns the node's status and whether it just came online."""
        entry = self._nodes.get(name)
        was_online = entry is not None and entry.status.online
        status = NodeStatus(
            name=name,
            online=True,
            last_heartbeat=now,
            cpu_percent=cpu_percent,
            screens=screens,
            tiles=tiles,
            applied_sequence=applied_sequence,
            version=version,
        )
        self._nodes[name] = _Entry(status, now_mono)
        return status, not was_online

    def expire(self, now_mono: float) -> list[NodeStatus]:
        """Nodes that just went offline (no heartbeat for ``offline_after_s``)."""
        gone = []
        for name, entry in self._nodes.items():
            if entry.status.online and now_mono - entry.seen_mono > self.offline_after_s:
                entry.status = replace(entry.status, online=False, tiles=())
                gone.append(entry.status)
                for key in [k for k in self._thumbnails if k.rpartition(":")[0] == name]:
                    del self._thumbnails[key]
        return gone

    def forget(self, name: str) -> None:
        self._nodes.pop(name, None)

    def get(self, name: str) -> NodeStatus | None:
        entry = self._nodes.get(name)
        return None if entry is None else entry.status

    def statuses(self) -> list[NodeStatus]:
        return [self._nodes[name].status for name in sorted(self._nodes)]

    def set_thumbnail(self, ref: ScreenRef, jpeg: bytes) -> None:
        self._thumbnails[ref.key] = jpeg

    def thumbnails(self) -> dict[str, bytes]:
        return dict(self._thumbnails)
