"""The current group of pictures of a stream, and the burst that starts a new player on it.

Replayed as-is, a cached group leaves a player late by the group's age: the player shows each
frame at its own timestamp and never catches up (measured with libVLC). The burst therefore keeps
the cached frames' order and content but packs their timestamps into the last few milliseconds
before the newest one: the player decodes them all at once, shows the newest, and the live frames
that follow keep their real timing — so a player joining warm is as close to live as one joining cold.
"""

from __future__ import annotations

from vmwall.hub.fanout import Unit
from vmwall.hub.ts import TIMESTAMP_MODULO, shift_timestamps

BURST_SPACING = 90  # 1 ms at 90 kHz between replayed frames


class GopCache:
    """Units from the last keyframe on. Not thread-safe: the upstream guards it."""

    def __init__(self, max_units: int = 300) -> None:
        self.max_units = max_units
        self._units: list[Unit] = []

    def add(self, unit: Unit) -> None:
        if unit.key:
            self._units = [unit]
        elif self._units and len(self._units) < self.max_units:
            self._units.append(unit)
        # Without a keyframe yet (or a group longer than max_units) nothing useful can be cached.

    def clear(self) -> None:
        self._units = []

    @property
    def units(self) -> list[Unit]:
        return list(self._units)

    def age_s(self, now: float) -> float:
        return now - self._units[0].arrived if self._units else 0.0

    def burst(self, tables: bytes) -> bytes:
        """Program tables + the cached group with timestamps packed up to the newest frame."""
        units = self._units
        if not units:
            return b""
        newest = units[-1].dts
        parts = [tables]
        count = len(units)
        for index, unit in enumerate(units):
            target = newest - (count - 1 - index) * BURST_SPACING
            delta = (target - unit.dts) % TIMESTAMP_MODULO
            if delta > TIMESTAMP_MODULO // 2:  # frames closer than the spacing: leave them
                delta = 0
            parts.append(shift_timestamps(unit.data, delta) if delta else unit.data)
        return b"".join(parts)
