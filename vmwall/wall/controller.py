"""The wall controller: the authoritative wall state, served with the Clone pattern.

One thread owns the ROUTER and the PUB (`vmwall.wall.transport`). Consoles command it; nodes
register their screens and report status. Every accepted change is one update with the next
sequence number: saved (state file, fsync), written to the push log when a person made it, then
published, then confirmed to the commanding console — durable before anyone sees it. An epoch,
new at every start, tells followers to resync after a restart.

Rights are injected (`Authorise`, `CameraCheck`, `LayoutCatalogue`), so this module needs no
database. The hub URL and token for nodes are given here and travel only in node snapshots (over
CurveZMQ, to node keys), never in published messages or files.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vmwall.model.wall import ScreenRef, WallPush, WallSnapshot
from vmwall.wall import codec, protocol
from vmwall.wall.codec import CodecError
from vmwall.wall.commands import Authorise, CameraCheck, CommandExecutor, LayoutCatalogue
from vmwall.wall.errors import WallCommandError
from vmwall.wall.guard import DropLog, SessionTable
from vmwall.wall.keys import AllowList, KeyRole, KeyStore, RegisteredKey
from vmwall.wall.persist import PushLog, StateFileError, load_state, push_log_path, read_push_log, save_state
from vmwall.wall.protocol import ProtocolError
from vmwall.wall.roster import NodeRoster
from vmwall.wall.sequencer import Sequencer
from vmwall.wall.state import Change, WallState, auto_placement, placement_change
from vmwall.wall.transport import Request, ServerTransport

log = logging.getLogger(__name__)

RECENT_PUSHES = 100
_MAX_BATCH = 500  # messages handled before timers get a turn


@dataclass(frozen=True, slots=True)
class ControllerOptions:
    router: str
    pub: str
    key_dir: Path
    state_path: Path
    hub_url: str | None = None
    hub_token: str | None = field(default=None, repr=False)
    name: str = "controller"


@dataclass
class ControllerStats:
    """Counters for tests and `vmwall wall status --json`."""

    dropped: int = 0
    dropped_by_kind: dict[str, int] = field(default_factory=dict)
    commands: int = 0
    refused: int = 0
    updates: int = 0
    keys_refused: int = 0


class WallController:
    """``start()`` binds and serves in a thread; ``close()`` stops it (idempotent)."""

    def __init__(
        self,
        options: ControllerOptions,
        *,
        authorise: Authorise,
        check_cameras: CameraCheck,
        layouts: LayoutCatalogue,
        clock: Callable[[], float] = time.time,
        on_push: Callable[[WallPush], None] | None = None,
    ) -> None:
        """``on_push``: called (on the controller's thread, must not block) with every accepted push,
        once it is in the push log: the audit trail (``vmwall.commands.wall_controller`` injects it)."""
        self.options = options
        self._on_push = on_push
        self.epoch = secrets.token_hex(8)
        self._clock = clock
        self._authorise = authorise
        self._check_cameras = check_cameras
        self._layouts = layouts
        self._state = WallState()
        self._sequencer = Sequencer()
        self._roster = NodeRoster()
        self._sessions = SessionTable()
        self._drops = DropLog(log)
        self._pushes: deque[WallPush] = deque(maxlen=RECENT_PUSHES)
        self._push_log = PushLog(push_log_path(options.state_path))
        self._keys = KeyStore(options.key_dir)
        self._allow = AllowList(self._keys)
        self._transport: ServerTransport | None = None
        self._executor: CommandExecutor | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()  # guards what other threads read: snapshot(), stats
        self._stats = ControllerStats()
        self._published_at = 0.0
        self._closed = False

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Load the state, bind the sockets and serve. StateFileError / TransportError / WallKeyError
        say what stops it."""
        if self._thread is not None:
            return
        loaded = load_state(self.options.state_path)
        if loaded is not None:
            self._state = loaded
        self._executor = CommandExecutor(
            self._state,
            self._sequencer,
            authorise=self._authorise,
            check_cameras=self._check_cameras,
            layouts=self._layouts,
        )
        self._sequencer.resume_after_load(self._state, time.monotonic())
        self._roster.know(self._state.placements)
        try:
            for push, _epoch in read_push_log(self._push_log.path):
                self._pushes.append(push)
        except StateFileError as exc:
            log.error("%s (the recent pushes shown to consoles start empty)", exc)
        self._push_log.open()
        try:
            keys = self._keys.own(KeyRole.CONTROLLER, self.options.name)
            transport = ServerTransport(self.options.router, self.options.pub, keys, self._allow)
            transport.start()
        except BaseException:
            self._push_log.close()
            raise
        self._transport = transport
        log.info(
            "wall controller epoch %s at sequence %d: ROUTER %s, PUB %s, keys in %s, state %s",
            self.epoch,
            self._state.sequence,
            transport.router_endpoint,
            transport.pub_endpoint,
            self.options.key_dir,
            self.options.state_path,
        )
        self._thread = threading.Thread(target=self._run, name="wall-controller", daemon=True)
        self._thread.start()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        self._push_log.close()

    @property
    def router_endpoint(self) -> str:
        return "" if self._transport is None else self._transport.router_endpoint

    @property
    def pub_endpoint(self) -> str:
        return "" if self._transport is None else self._transport.pub_endpoint

    def snapshot(self) -> WallSnapshot:
        """The wall as the controller holds it (for tests and the process itself). Thread-safe."""
        with self._lock:
            return self._state.snapshot(
                self.epoch, self._roster.statuses(), self._roster.thumbnails(), tuple(self._pushes)
            )

    @property
    def stats(self) -> ControllerStats:
        with self._lock:
            keys_refused = 0 if self._transport is None else self._transport.zap.refused
            return ControllerStats(
                dropped=self._drops.total,
                dropped_by_kind=dict(self._drops.by_kind),
                commands=self._stats.commands,
                refused=self._stats.refused,
                updates=self._stats.updates,
                keys_refused=keys_refused,
            )

    # --- loop ------------------------------------------------------------------------------------

    def _run(self) -> None:
        assert self._transport is not None
        router = self._transport.router_socket
        next_hugz = 0.0
        next_keys_check = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            due = self._sequencer.next_due()
            wait = min(0.1, next_hugz - now, (due - now) if due is not None else 0.1)
            try:
                if router.poll(max(0, int(wait * 1000))):
                    for _ in range(_MAX_BATCH):
                        request = self._transport.receive()
                        if request is None:
                            break
                        self._handle(request)
                now = time.monotonic()
                self._tick_sequences(now)
                self._expire_nodes(now)
                if now >= next_hugz:
                    next_hugz = now + protocol.HEARTBEAT_S
                    self._publish(
                        protocol.HUGZ, epoch=self.epoch, sequence=self._state.sequence, at=self._clock()
                    )
                    self._sessions.expire(now)
                if now >= next_keys_check:
                    next_keys_check = now + 1.0
                    self._check_revocations()
            except Exception:  # one bad message or a failing callback never stops the wall
                log.exception("wall controller loop error (continuing)")

    def _check_revocations(self) -> None:
        revoked = self._allow.take_removed()
        if revoked and self._transport is not None:
            log.warning(
                "%d wall key(s) revoked: reopening the PUB socket so they lose the feed", len(revoked)
            )
            self._transport.reopen_pub()

    # --- requests --------------------------------------------------------------------------------

    def _handle(self, request: Request) -> None:
        peer = self._allow.lookup(request.key)
        label = peer.peer if peer is not None else f"key {request.key[:12]}…"
        if peer is None:
            self._drop(label, "key", "its key is not (or no longer) registered")
            return
        if request.body is None:
            self._drop(label, "malformed", request.problem)
            return
        try:
            message = protocol.decode(request.body, protocol.TO_CONTROLLER, protocol.MAX_REQUEST_BYTES)
        except ProtocolError as exc:
            self._drop(label, "malformed", str(exc))
            return
        kind = message["type"]
        if kind == protocol.SNAPSHOT_REQUEST:
            self._on_snapshot_request(request, peer, message)
            return
        problem = self._sessions.check(message["session"], request.key, message["counter"], time.monotonic())
        if problem is not None:
            self._drop(
                label, problem, f"{kind} with a {problem.replace('-', ' ')} (counter {message['counter']})"
            )
            if problem == "unknown-session":
                self._reply(request, protocol.ERROR, code="unknown-session", reason="ask for a new snapshot")
            return
        if kind == protocol.COMMAND:
            self._on_command(request, peer, message)
        elif kind == protocol.HEARTBEAT:
            self._on_heartbeat(peer, label, message)
        elif kind == protocol.THUMBNAIL:
            self._on_thumbnail(peer, label, message)
        elif kind == protocol.PING:
            self._reply(request, protocol.PONG, epoch=self.epoch, sequence=self._state.sequence)

    def _drop(self, peer: str, kind: str, reason: str) -> None:
        with self._lock:
            self._drops.drop(peer, kind, reason)

    def _reply(self, request: Request, type_name: str, **fields: Any) -> None:
        assert self._transport is not None
        self._transport.reply(request.identity, protocol.encode(protocol.message(type_name, **fields)))

    def _publish(self, type_name: str, **fields: Any) -> None:
        assert self._transport is not None
        body = protocol.encode(protocol.message(type_name, **fields))
        self._transport.publish(protocol.TOPIC_OF[type_name], body)

    def _on_snapshot_request(self, request: Request, peer: RegisteredKey, message: dict[str, Any]) -> None:
        if message["role"] != peer.role:
            self._drop(peer.peer, "role", f"asked for a {message['role']} snapshot")
            return
        session = self._sessions.open(request.key, time.monotonic())
        fields: dict[str, Any] = {
            "id": message["id"],
            "session": session,
            "epoch": self.epoch,
            "sequence": self._state.sequence,
            "items": [[k, v] for k, v in self._state.items()],
        }
        if peer.role is KeyRole.NODE:
            fields["hub"] = {"url": self.options.hub_url, "token": self.options.hub_token}
        else:
            fields["nodes"] = [codec.node_status_to_json(s) for s in self._roster.statuses()]
            fields["thumbnails"] = {k: codec.jpeg_to_text(v) for k, v in self._roster.thumbnails().items()}
            fields["pushes"] = [codec.push_to_json(p) for p in self._pushes]
        self._reply(request, protocol.SNAPSHOT, **fields)

    def _on_command(self, request: Request, peer: RegisteredKey, message: dict[str, Any]) -> None:
        action, user, request_id = message["action"], message["user"], message["id"]
        received = time.perf_counter()
        if peer.role is not KeyRole.CONSOLE:
            self._drop(peer.peer, "role", f"a {peer.role} sent a command")
            return
        with self._lock:
            self._stats.commands += 1
        try:
            args = protocol.check_args(action, message["args"])
        except ProtocolError as exc:
            self._refuse(request, request_id, WallCommandError(f"invalid {action}: {exc}", "invalid"))
            return
        assert self._executor is not None
        try:
            outcome = self._executor.run(user, action, args, time.monotonic())
        except WallCommandError as exc:
            log.info("refused %s from %s (%s): %s", action, user, peer.name, exc)
            self._refuse(request, request_id, exc)
            return
        checked = time.perf_counter()
        try:
            sequence, not_saved = self._commit(
                outcome.changes, WallPush(self._clock(), user, peer.name, action, outcome.detail, 0)
            )
        except (StateFileError, CodecError) as exc:
            log.error("%s refused: %s", action, exc)
            reason = f"the wall controller cannot record this change: {exc}"
            self._refuse(request, request_id, WallCommandError(reason, "not-recorded"))
            return
        if not_saved:
            reason = f"shown on the wall, but the wall controller could not save its state: {not_saved}"
            self._refuse(request, request_id, WallCommandError(reason, "not-saved"))
            return
        log.info(
            "%s by %s (%s): %s [sequence %d; checked in %.1f ms, published at %.1f ms, saved at %.1f ms]",
            action,
            user,
            peer.name,
            outcome.detail,
            sequence,
            (checked - received) * 1000,
            (self._published_at - received) * 1000,
            (time.perf_counter() - received) * 1000,
        )
        self._reply(
            request,
            protocol.RESULT,
            id=request_id,
            ok=True,
            sequence=sequence,
            detail=outcome.detail,
            error="",
            code="",
            changed=bool(outcome.changes),
        )

    def _refuse(self, request: Request, request_id: str, error: WallCommandError) -> None:
        with self._lock:
            self._stats.refused += 1
        self._reply(
            request,
            protocol.RESULT,
            id=request_id,
            ok=False,
            sequence=self._state.sequence,
            detail="",
            error=error.reason[:2000],
            code=error.code,
            changed=False,
        )

    def _commit(self, changes: list[Change], push: WallPush | None) -> tuple[int, str]:
        """Record, publish, then save one update; returns its sequence number (the current one when
        nothing changes, in which case only the push is recorded) and, if the state file could not be
        written, why (the wall shows the change all the same; the controller goes on from memory).

        The push (who did what) is in the push log, fsync'ed, before anything is shown: no change
        reaches a screen unrecorded. CodecError (an invalid update) or StateFileError from the push
        log: nothing applied, nothing published.
        """
        prepared = self._state.prepare(changes) if changes else []
        sequence = self._state.sequence + (1 if changes else 0)
        recorded = None if push is None else replace(push, sequence=sequence)
        if recorded is not None:
            self._push_log.append(recorded, self.epoch)
            if self._on_push is not None:
                try:
                    self._on_push(recorded)
                except Exception:  # the wall goes on; the push log keeps it
                    log.exception("the push callback failed on %s by %s", recorded.action, recorded.user)
        if changes:
            with self._lock:
                self._state.apply_prepared(prepared, sequence)
                self._stats.updates += 1
            self._publish(
                protocol.UPDATE,
                epoch=self.epoch,
                sequence=sequence,
                changes=[[k, v] for k, v in changes],
                at=self._clock(),
            )
        self._published_at = time.perf_counter()
        if recorded is not None:
            with self._lock:
                self._pushes.append(recorded)
            self._publish(protocol.PUSH, push=codec.push_to_json(recorded))
        if changes:
            try:
                save_state(self.options.state_path, self._state)
            except StateFileError as exc:
                log.error("%s: the wall shows update %d but a restart would lose it", exc, sequence)
                return sequence, str(exc)
        return sequence, ""

    # --- nodes -----------------------------------------------------------------------------------

    def _on_heartbeat(self, peer: RegisteredKey, label: str, message: dict[str, Any]) -> None:
        if peer.role is not KeyRole.NODE or message["node"] != peer.name:
            self._drop(label, "role", f"heartbeat for node {message['node']!r}")
            return
        try:
            screens = tuple(codec.geometry_from_json(g) for g in message["screens"])
            tiles = tuple(
                (
                    codec.screen_from_json(t["screen"]),
                    tuple(codec.tile_status_from_json(s) for s in t["tiles"]),
                )
                for t in message["tiles"]
            )
        except (CodecError, ValueError) as exc:
            self._drop(label, "malformed", str(exc))
            return
        if any(g.ref.node != peer.name for g in screens) or any(r.node != peer.name for r, _ in tiles):
            self._drop(label, "role", "reported screens of another node")
            return
        if len({g.ref for g in screens}) != len(screens):
            self._drop(label, "malformed", "a screen reported twice")
            return
        placement = auto_placement(self._state, peer.name, screens)
        if self._state.placements.get(peer.name) != placement:
            self._commit([placement_change(peer.name, placement)], None)
            log.info("node %s reports %d screen(s)", peer.name, len(screens))
        with self._lock:
            status, came_online = self._roster.heartbeat(
                peer.name,
                now=self._clock(),
                now_mono=time.monotonic(),
                cpu_percent=message["cpu_percent"],
                screens=placement.placed(),
                tiles=tiles,
                applied_sequence=message["applied_sequence"],
                version=message["version"],
            )
        if came_online:
            log.info("node %s is online (version %s)", peer.name, message["version"] or "?")
        self._publish(protocol.NODE_STATUS, epoch=self.epoch, node=codec.node_status_to_json(status))

    def _on_thumbnail(self, peer: RegisteredKey, label: str, message: dict[str, Any]) -> None:
        try:
            ref = ScreenRef.parse(message["screen"])
            jpeg = codec.jpeg_from_text(message["jpeg"])
        except (CodecError, ValueError) as exc:
            self._drop(label, "malformed", str(exc))
            return
        if peer.role is not KeyRole.NODE or ref.node != peer.name:
            self._drop(label, "role", f"thumbnail for {ref.key}")
            return
        with self._lock:
            self._roster.set_thumbnail(ref, jpeg)
        self._publish(protocol.SCREEN_THUMBNAIL, screen=ref.key, jpeg=message["jpeg"], at=self._clock())

    def _expire_nodes(self, now: float) -> None:
        with self._lock:
            gone = self._roster.expire(now)
        for status in gone:
            log.warning(
                "node %s is offline (no heartbeat for %.1f s)", status.name, self._roster.offline_after_s
            )
            self._publish(protocol.NODE_STATUS, epoch=self.epoch, node=codec.node_status_to_json(status))

    def _tick_sequences(self, now: float) -> None:
        for _ in range(100):
            changes = self._sequencer.tick(self._state, now)
            if changes is None:
                return
            if changes:
                self._commit(changes, None)
