"""The follower's side of the Clone pattern: a mirror of the controller's state.

Updates that arrive before the snapshot are kept, then those newer than the snapshot are applied
in order. A gap in sequence numbers, a new epoch (the controller restarted) or a hugz announcing
a sequence the mirror has not seen means updates were lost: the mirror asks for a new snapshot
and, meanwhile, keeps what it has (fail-static). Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from vmwall.wall.codec import CodecError
from vmwall.wall.state import Change, WallState

MAX_PENDING = 1000


class CloneMirror:
    """``keep``: which keys this follower mirrors (a node keeps its own screens only, and so skips
    the work of checking every other screen of a preset); the sequence number follows every update."""

    def __init__(self, keep: Callable[[str], bool] | None = None) -> None:
        self._keep = keep
        self.state = WallState()
        self.epoch: str | None = None
        self.synced = False
        self.needs_resync = True
        self._pending: list[tuple[str, int, Sequence[Change]]] = []

    def on_snapshot(self, epoch: str, sequence: int, items: Sequence[Change]) -> list[Change]:
        """Adopt a snapshot (CodecError if it is not a valid state: the mirror is left unchanged).

        Returns the updates applied on top of it (their changes, in order).
        """
        state = WallState.from_items(self._kept(items), sequence)
        self.state, self.epoch, self.synced, self.needs_resync = state, epoch, True, False
        applied: list[Change] = []
        pending, self._pending = self._pending, []
        for p_epoch, p_sequence, changes in sorted(pending, key=lambda p: p[1]):
            if p_epoch != epoch or p_sequence <= sequence:
                continue
            result = self.on_update(p_epoch, p_sequence, changes)
            if result is None:
                break
            applied.extend(result)
        return applied

    def on_update(self, epoch: str, sequence: int, changes: Sequence[Change]) -> list[Change] | None:
        """Apply an update if it is the next one; None when it was not applied (old, early, or a
        gap or new epoch, which sets ``needs_resync``)."""
        if not self.synced:
            if len(self._pending) < MAX_PENDING:
                self._pending.append((epoch, sequence, changes))
            return None
        if epoch != self.epoch:
            self._lost()
            return None
        if sequence <= self.state.sequence:
            return None
        if sequence != self.state.sequence + 1:
            self._lost()
            return None
        kept = self._kept(changes)
        try:
            self.state.apply(kept, sequence)
        except CodecError:
            self._lost()
            return None
        return kept

    def _kept(self, changes: Sequence[Change]) -> list[Change]:
        keep = self._keep
        if keep is None:
            return list(changes)
        return [(key, value) for key, value in changes if isinstance(key, str) and keep(key)]

    def on_hugz(self, epoch: str, sequence: int) -> None:
        if self.synced and (epoch != self.epoch or sequence > self.state.sequence):
            self._lost()

    def _lost(self) -> None:
        """Keep the state (fail-static) but stop trusting it to be current."""
        self.synced = False
        self.needs_resync = True
        self._pending.clear()
