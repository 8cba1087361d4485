"""The replay guard (controller-issued sessions with growing counters) and the once-per-peer log of
dropped messages. Pure: the caller passes the clock."""

from __future__ import annotations

import logging
import secrets
from collections import OrderedDict
from dataclasses import dataclass

from vmwall.wall.protocol import SESSION_IDLE_S


@dataclass
class _Session:
    key: str
    counter: int
    last_used: float


class SessionTable:
    """Sessions the controller handed out with snapshots. A message is accepted only with a session
    of the same key, unused for less than ``idle_s``, and a counter above every earlier one."""

    def __init__(self, idle_s: float = SESSION_IDLE_S, per_key: int = 16, max_total: int = 20_000) -> None:
        self.idle_s = idle_s
        self.per_key = per_key
        self.max_total = max_total
        self._sessions: OrderedDict[str, _Session] = OrderedDict()  # least recently used first

    def open(self, key: str, now: float) -> str:
        self.expire(now)
        mine = [sid for sid, s in self._sessions.items() if s.key == key]
        for sid in mine[: max(0, len(mine) - self.per_key + 1)]:
            del self._sessions[sid]  # a key keeps its newest sessions only
        while len(self._sessions) >= self.max_total:
            self._sessions.popitem(last=False)
        session = secrets.token_hex(16)
        self._sessions[session] = _Session(key, 0, now)
        return session

    def check(self, session: str, key: str, counter: int, now: float) -> str | None:
        """None when the message is fresh (and records its counter), else why it is dropped."""
        entry = self._sessions.get(session)
        if entry is None or now - entry.last_used > self.idle_s:
            return "unknown-session"
        if entry.key != key:
            return "foreign-session"
        if counter <= entry.counter:
            return "replayed"
        entry.counter = counter
        entry.last_used = now
        self._sessions.move_to_end(session)
        return None

    def expire(self, now: float) -> None:
        while self._sessions:
            sid, oldest = next(iter(self._sessions.items()))
            if now - oldest.last_used <= self.idle_s:
                return
            del self._sessions[sid]

    def __len__(self) -> int:
        return len(self._sessions)


class DropLog:
    """Counts dropped messages; logs the first of each kind from each peer, never the content."""

    MAX_REMEMBERED = 10_000

    def __init__(self, logger: logging.Logger) -> None:
        self._log = logger
        self._seen: set[tuple[str, str]] = set()
        self.total = 0
        self.by_kind: dict[str, int] = {}

    def drop(self, peer: str, kind: str, reason: str) -> None:
        self.total += 1
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
        if (peer, kind) in self._seen or len(self._seen) >= self.MAX_REMEMBERED:
            return
        self._seen.add((peer, kind))
        self._log.warning(
            "dropped a %s message from %s: %s (further ones from this peer are counted, not logged)",
            kind,
            peer,
            reason[:300],
        )
