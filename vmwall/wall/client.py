"""The console's client of the wall controller (used by the wall panel and the `vmwall wall` CLI).

``WallClient`` owns one thread and the console's ZeroMQ link. It keeps a mirror of the wall
(`WallSnapshot`: state, nodes, thumbnails, recent pushes), calls listeners from its thread after
every change, and sends commands on behalf of the console's user. A command's result comes back
once the mirror shows its effect (or after a short grace), so a caller reading ``snapshot()``
right after ``command()`` sees its own change.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vmwall.model.wall import NodeStatus, WallPush, WallSnapshot
from vmwall.wall import codec, protocol
from vmwall.wall.codec import CodecError
from vmwall.wall.config import WallConfig
from vmwall.wall.errors import CommandResult, WallCommandError, WallUnavailableError
from vmwall.wall.keys import KeyRole
from vmwall.wall.link import ControllerLink, LinkEvents
from vmwall.wall.link_thread import LinkThread

__all__ = ["CommandResult", "WallClient", "WallCommandError", "WallUnavailableError"]

log = logging.getLogger(__name__)

CATCH_UP_S = 1.0  # how long a result waits for the mirror to show its update
MAX_PUSHES = 100

Done = Callable[[CommandResult | WallCommandError], None]


@dataclass
class _Pending:
    request_id: str
    action: str
    args: dict[str, Any]
    done: Done
    deadline: float
    sent: bool = False
    result: CommandResult | None = None
    hold_until: float = 0.0


class WallClient:
    def __init__(self, config: WallConfig, *, user: str, name: str = "console") -> None:
        self.config = config
        self.user = user
        self.name = name
        self._link = ControllerLink(config, KeyRole.CONSOLE, name, protocol.CONSOLE_TOPICS)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[WallSnapshot], None]] = []
        self._incoming: deque[_Pending] = deque()
        self._pending: dict[str, _Pending] = {}
        self._nodes: dict[str, NodeStatus] = {}
        self._thumbnails: dict[str, bytes] = {}
        self._pushes: deque[WallPush] = deque(maxlen=MAX_PUSHES)
        self._snapshot = WallSnapshot(epoch="", sequence=0)
        self._connected = False
        self._runner = LinkThread(self._link, f"wall-client-{name}", self._run)

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Connect (CurveZMQ), subscribe, fetch a snapshot and keep the mirror, in a thread.
        WallKeyError when this machine has no controller key registered."""
        self._runner.start()

    def close(self) -> None:
        if not self._runner.close():
            return
        with self._lock:
            leftovers = list(self._incoming) + list(self._pending.values())
            self._incoming.clear()
            self._pending.clear()
        for item in leftovers:
            self._finish(item, WallUnavailableError("the wall client was closed", "closed"))

    # --- reading ---------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """True while the controller answers (it sends something at least every second)."""
        return self._link.silent_for() <= protocol.DISCONNECTED_AFTER_S and not self._link.key_refused

    @property
    def key_refused(self) -> bool:
        """The controller refused this console's key (not registered there)."""
        return self._link.key_refused

    @property
    def synced(self) -> bool:
        """The mirror holds a snapshot of the current epoch and ``snapshot()`` already shows it
        (the link adopts a snapshot a moment before this client publishes it to readers)."""
        if not self._link.ready:
            return False
        with self._lock:
            return self._snapshot.epoch != "" and self._snapshot.epoch == self._link.mirror.epoch

    def snapshot(self) -> WallSnapshot:
        with self._lock:
            return self._snapshot

    def add_listener(self, callback: Callable[[WallSnapshot], None]) -> None:
        with self._lock:
            self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[WallSnapshot], None]) -> None:
        with self._lock:
            if callback in self._listeners:
                self._listeners.remove(callback)

    def wait_synced(self, timeout_s: float) -> bool:
        """Wait until the mirror holds a snapshot (for the CLI); False on timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.synced:
                return True
            time.sleep(0.02)
        return self.synced

    # --- commands --------------------------------------------------------------------------------

    def submit(self, action: str, args: dict[str, Any], done: Done, *, timeout_s: float = 3.0) -> None:
        """Send a command; ``done`` is called from the client thread with the result or the error."""
        item = _Pending(secrets.token_hex(8), action, dict(args), done, time.monotonic() + timeout_s)
        if not self._runner.running or self._runner.closed:
            self._finish(item, WallUnavailableError("the wall client is not running", "closed"))
            return
        with self._lock:
            self._incoming.append(item)
        self._link.wake()

    def command(self, action: str, /, timeout_s: float = 3.0, **args: Any) -> CommandResult:
        """Send a command and wait for its result. WallCommandError when refused (``str(e)`` says
        why), WallUnavailableError when the controller does not answer within ``timeout_s``."""
        if self._runner.is_current():
            raise RuntimeError("WallClient.command() called from the client's own thread (use submit)")
        answered = threading.Event()
        outcome: list[CommandResult | WallCommandError] = []

        def done(result: CommandResult | WallCommandError) -> None:
            outcome.append(result)
            answered.set()

        self.submit(action, args, done, timeout_s=timeout_s)
        answered.wait(timeout_s + CATCH_UP_S + 2.0)
        if not outcome:
            raise WallUnavailableError(f"no answer from the wall controller within {timeout_s:g} s")
        result = outcome[0]
        if isinstance(result, WallCommandError):
            raise result
        return result

    # --- thread ----------------------------------------------------------------------------------

    def _run(self) -> None:
        next_ping = 0.0
        while not self._runner.stopping:
            try:
                now = time.monotonic()
                wait = min(0.25, max(0.0, next_ping - now), self._next_deadline(now))
                events = self._link.pump(self._link.next_wait(now, wait))
                if self._runner.stopping:
                    return
                changed = self._on_events(events)
                now = time.monotonic()
                self._send_waiting(now)
                self._expire(now)
                if now >= next_ping and self._link.session is not None:
                    next_ping = now + protocol.HEARTBEAT_S
                    self._link.send(protocol.PING)
                connected = self.connected
                if connected != self._connected:
                    self._connected = connected
                    log.info("wall controller %s", "reachable" if connected else "unreachable")
                    changed = True
                if changed:
                    self._publish_snapshot()
                self._release_held(time.monotonic())
            except Exception:
                log.exception("wall client error (continuing)")
                time.sleep(0.1)

    def _next_deadline(self, now: float) -> float:
        with self._lock:
            times = [p.deadline for p in self._pending.values() if p.result is None]
            times += [p.hold_until for p in self._pending.values() if p.result is not None]
            if self._incoming:
                return 0.0
        return max(0.0, min(times, default=now + 1.0) - now)

    def _on_events(self, events: LinkEvents) -> bool:
        changed = events.state_changed
        if events.snapshot is not None:
            self._adopt_extras(events.snapshot)
        for message in events.published:
            kind = message["type"]
            try:
                if kind == protocol.NODE_STATUS:
                    status = codec.node_status_from_json(message["node"])
                    with self._lock:
                        self._nodes[status.name] = status
                elif kind == protocol.SCREEN_THUMBNAIL:
                    jpeg = codec.jpeg_from_text(message["jpeg"])
                    with self._lock:
                        self._thumbnails[message["screen"]] = jpeg
                elif kind == protocol.PUSH:
                    push = codec.push_from_json(message["push"])
                    with self._lock:
                        self._pushes.append(push)
            except (CodecError, ValueError) as exc:
                log.warning("dropped a published %s: %s", kind, exc)
                continue
            changed = True
        for reply in events.replies:
            if reply["type"] == protocol.RESULT:
                self._on_result(reply)
        return changed

    def _adopt_extras(self, snapshot: dict[str, Any]) -> None:
        try:
            nodes = {s.name: s for s in (codec.node_status_from_json(n) for n in snapshot.get("nodes", []))}
            thumbnails = {k: codec.jpeg_from_text(v) for k, v in snapshot.get("thumbnails", {}).items()}
            pushes = [codec.push_from_json(p) for p in snapshot.get("pushes", [])]
        except (CodecError, ValueError) as exc:
            log.warning("the wall snapshot's node status could not be read: %s", exc)
            return
        with self._lock:
            self._nodes = nodes
            self._thumbnails = thumbnails
            self._pushes.clear()
            self._pushes.extend(pushes)

    def _publish_snapshot(self) -> None:
        mirror = self._link.mirror
        with self._lock:
            self._snapshot = mirror.state.snapshot(
                mirror.epoch or "",
                (self._nodes[n] for n in sorted(self._nodes)),
                self._thumbnails,
                tuple(self._pushes),
            )
            snapshot = self._snapshot
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(snapshot)
            except Exception:
                log.exception("a wall listener failed")

    def _send_waiting(self, now: float) -> None:
        if not self._link.ready:
            return
        with self._lock:
            batch = list(self._incoming)
            self._incoming.clear()
            for item in batch:
                self._pending[item.request_id] = item
            unsent = [p for p in self._pending.values() if not p.sent]
        for item in unsent:
            item.sent = self._link.send(
                protocol.COMMAND, id=item.request_id, user=self.user, action=item.action, args=item.args
            )

    def _on_result(self, reply: dict[str, Any]) -> None:
        with self._lock:
            item = self._pending.get(reply["id"])
        if item is None:
            return
        if not reply["ok"]:
            with self._lock:
                self._pending.pop(item.request_id, None)
            self._finish(
                item,
                WallCommandError(
                    reply["error"] or "refused by the wall controller", reply["code"] or "refused"
                ),
            )
            return
        item.result = CommandResult(item.action, reply["sequence"], reply["detail"], reply["changed"])
        item.hold_until = time.monotonic() + CATCH_UP_S

    def _release_held(self, now: float) -> None:
        mirror = self._link.mirror
        with self._lock:
            ready = [
                p
                for p in self._pending.values()
                if p.result is not None
                and (mirror.state.sequence >= p.result.sequence or now >= p.hold_until)
            ]
            for p in ready:
                del self._pending[p.request_id]
        for p in ready:
            assert p.result is not None
            self._finish(p, p.result)

    def _expire(self, now: float) -> None:
        with self._lock:
            late = [p for p in self._pending.values() if p.result is None and now >= p.deadline]
            late += [p for p in self._incoming if now >= p.deadline]
            for p in late:
                self._pending.pop(p.request_id, None)
                if p in self._incoming:
                    self._incoming.remove(p)
        for p in late:
            self._finish(p, self._unavailable())

    def _unavailable(self) -> WallUnavailableError:
        if self._link.key_refused:
            return WallUnavailableError(
                f"the wall controller at {self.config.router} refused this console's key: register it there "
                "(`vmwall wall keys --export` here, `vmwall wall keys --register FILE` on the controller)",
                "key-refused",
            )
        return WallUnavailableError(f"no answer from the wall controller at {self.config.router}")

    @staticmethod
    def _finish(item: _Pending, outcome: CommandResult | WallCommandError) -> None:
        try:
            item.done(outcome)
        except Exception:
            log.exception("a wall command callback failed")
