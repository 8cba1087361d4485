"""A node's or console's link to the controller: keys, sockets, session, Clone mirror.

Used by one owner thread (the node agent's or the console client's). ``pump()`` waits for
messages, keeps the mirror current (subscribe first, then snapshot, then newer updates; a new
snapshot after a gap or a controller restart) and hands back what the owner must act on.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vmwall import __version__
from vmwall.wall import protocol
from vmwall.wall.codec import CodecError
from vmwall.wall.config import WallConfig
from vmwall.wall.keys import KeyRole, KeyStore
from vmwall.wall.mirror import CloneMirror
from vmwall.wall.protocol import ProtocolError
from vmwall.wall.state import Change
from vmwall.wall.transport import ClientTransport

log = logging.getLogger(__name__)

SNAPSHOT_RETRY_S = 1.0  # a snapshot request without answer is sent again after this
SEND_RETRY_S = 0.05  # while no connection is up, try again this often


@dataclass
class LinkEvents:
    """What one ``pump()`` brought, for the owner to act on."""

    snapshot: dict[str, Any] | None = None  # the snapshot message just adopted
    changes: list[Change] = field(default_factory=list)  # updates applied, in order
    published: list[dict[str, Any]] = field(default_factory=list)  # node-status, thumbnails, pushes
    replies: list[dict[str, Any]] = field(default_factory=list)  # result / pong / error
    woken: bool = False

    @property
    def state_changed(self) -> bool:
        return self.snapshot is not None or bool(self.changes)


class ControllerLink:
    def __init__(
        self,
        config: WallConfig,
        role: KeyRole,
        name: str,
        topics: tuple[bytes, ...],
        keep: Callable[[str], bool] | None = None,
    ) -> None:
        self.config = config
        self.role = role
        self.name = name
        self._topics = topics
        self.mirror = CloneMirror(keep)
        self.session: str | None = None
        self._counter = 0
        self._transport: ClientTransport | None = None
        self._snapshot_id: str | None = None
        self._snapshot_sent_at = -1e9
        self._last_heard = -1e9
        self._logged: set[str] = set()

    def start(self) -> None:
        """Make or load this peer's keys and connect (WallKeyError when keys are missing)."""
        store = KeyStore(self.config.key_dir)
        keys = store.own(self.role, self.name)
        server = store.controller_public()
        transport = ClientTransport(self.config.router, self.config.pub, keys, server, self._topics)
        transport.start()
        self._transport = transport

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def wake(self) -> None:
        """Interrupt ``pump()`` from another thread."""
        if self._transport is not None:
            self._transport.waker.wake()

    # --- state of the link -----------------------------------------------------------------------

    def silent_for(self, now: float | None = None) -> float:
        return (time.monotonic() if now is None else now) - self._last_heard

    @property
    def key_refused(self) -> bool:
        return self._transport is not None and self._transport.auth_refused

    @property
    def ready(self) -> bool:
        """A session is open and the mirror is current."""
        return self.session is not None and self.mirror.synced

    # --- sending ---------------------------------------------------------------------------------

    def send(self, type_name: str, **fields: Any) -> bool:
        """Send a session message (command, heartbeat, thumbnail, ping); False if not possible now."""
        if self._transport is None or self.session is None:
            return False
        self._counter += 1
        body = protocol.encode(
            protocol.message(type_name, session=self.session, counter=self._counter, **fields)
        )
        return self._transport.send(body)

    def _request_snapshot(self, now: float) -> None:
        assert self._transport is not None
        request_id = secrets.token_hex(8)
        body = protocol.encode(
            protocol.message(
                protocol.SNAPSHOT_REQUEST, id=request_id, role=str(self.role), version=__version__
            )
        )
        if self._transport.send(body):
            self._snapshot_id = request_id
            self._snapshot_sent_at = now

    def next_wait(self, now: float, wanted: float) -> float:
        """How long the owner may wait in ``pump()``: shorter while a snapshot is still to be sent."""
        if self.mirror.needs_resync and now - self._snapshot_sent_at > SNAPSHOT_RETRY_S:
            return min(wanted, SEND_RETRY_S)
        return wanted

    # --- receiving -------------------------------------------------------------------------------

    def pump(self, timeout_s: float) -> LinkEvents:
        assert self._transport is not None
        events = LinkEvents()
        now = time.monotonic()
        if self.mirror.needs_resync and now - self._snapshot_sent_at > SNAPSHOT_RETRY_S:
            self._request_snapshot(now)
        ready = self._transport.poll(timeout_s)
        if ready.woken:
            self._transport.waker.clear()
            events.woken = True
        if ready.reply:
            while (body := self._transport.receive_reply()) is not None:
                self._on_reply(body, events)
        if ready.published:
            for _ in range(10_000):
                item = self._transport.receive_published()
                if item is None:
                    break
                self._on_published(item[0], item[1], events)
        return events

    def _note(self, kind: str, message: str) -> None:
        if kind not in self._logged:
            self._logged.add(kind)
            log.warning("%s (further ones are not logged)", message)

    def _on_reply(self, body: bytes, events: LinkEvents) -> None:
        try:
            message = protocol.decode(body, protocol.TO_PEER, protocol.MAX_REPLY_BYTES)
        except ProtocolError as exc:
            self._note("bad-reply", f"dropped a malformed reply from the wall controller: {exc}")
            return
        self._last_heard = time.monotonic()
        kind = message["type"]
        if kind == protocol.SNAPSHOT:
            if message["id"] != self._snapshot_id:
                return  # an answer to an earlier request, overtaken
            try:
                events.changes.extend(
                    self.mirror.on_snapshot(message["epoch"], message["sequence"], _pairs(message["items"]))
                )
            except CodecError as exc:
                self._note("bad-snapshot", f"dropped a wall snapshot that is not a valid state: {exc}")
                return
            self._snapshot_id = None
            self.session = message["session"]
            self._counter = 0
            events.snapshot = message
            log.info(
                "%s %s: in step with the wall controller (epoch %s, sequence %d)",
                self.role,
                self.name,
                message["epoch"],
                message["sequence"],
            )
        elif kind == protocol.ERROR and message["code"] == "unknown-session":
            self.session = None
            self.mirror.needs_resync = True
            self._snapshot_sent_at = -1e9
        else:
            events.replies.append(message)

    def _on_published(self, topic: bytes, body: bytes, events: LinkEvents) -> None:
        if topic not in protocol.ALL_TOPICS:
            self._note("bad-topic", "dropped a published message with an unknown topic")
            return
        try:
            message = protocol.decode(body, protocol.PUBLISHED, protocol.MAX_REPLY_BYTES)
        except ProtocolError as exc:
            self._note("bad-published", f"dropped a malformed published message: {exc}")
            return
        if protocol.TOPIC_OF[message["type"]] != topic:
            self._note("bad-topic", "dropped a published message under the wrong topic")
            return
        self._last_heard = time.monotonic()
        kind = message["type"]
        if kind == protocol.UPDATE:
            applied = self.mirror.on_update(message["epoch"], message["sequence"], _pairs(message["changes"]))
            if applied is not None:
                events.changes.extend(applied)
        elif kind == protocol.HUGZ:
            self.mirror.on_hugz(message["epoch"], message["sequence"])
        else:
            events.published.append(message)
        if self.mirror.needs_resync and self.session is not None and not self.mirror.synced:
            # A new epoch or lost updates: ask now rather than at the next retry.
            self._snapshot_sent_at = -1e9


def _pairs(items: list[list[Any]]) -> list[Change]:
    return [(k, v) for k, v in items]
