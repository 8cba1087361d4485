"""ZeroMQ for the wall: CurveZMQ sockets, the ZAP authenticator, size caps. Raw frames stop here.

The controller binds a ROUTER and a PUB, both CurveZMQ servers whose peers are checked by a ZAP
handler against the allow-list (`vmwall.wall.keys.AllowList`): an unknown key never completes its
handshake. Nodes and consoles connect a DEALER and a SUB as CurveZMQ clients that trust only the
registered controller key. Every socket has ``ZMQ_MAXMSGSIZE``: a larger message closes the
sender's connection before any byte of it reaches Python.

Everyone else gets bytes and peer keys, never sockets or frames.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

import zmq
from zmq.utils import z85
from zmq.utils.monitor import recv_monitor_message

from vmwall.wall.keys import AllowList, KeyPair
from vmwall.wall.protocol import MAX_REPLY_BYTES, MAX_REQUEST_BYTES, MAX_SUBSCRIPTION_BYTES

log = logging.getLogger(__name__)

ZAP_ENDPOINT = "inproc://zeromq.zap.01"
ZAP_DOMAIN = b"vmwall-wall"
_ZAP_VERSION = b"1.0"
REFUSED_RETRY_S = 2.0  # a peer whose key was refused tries again this often


class TransportError(OSError):
    """A socket could not be bound or set up; the message names the endpoint."""


def _common(sock: zmq.Socket[bytes], max_in: int) -> None:
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.MAXMSGSIZE, max_in)
    sock.setsockopt(zmq.HEARTBEAT_IVL, 1000)
    sock.setsockopt(zmq.HEARTBEAT_TIMEOUT, 3000)
    sock.setsockopt(zmq.HEARTBEAT_TTL, 3000)


class ZapHandler:
    """The ZAP handler of one context: CURVE clients whose key is on the allow-list get in, with
    their Z85 public key as User-Id; every other key is refused (logged once per key)."""

    def __init__(self, context: zmq.Context[zmq.Socket[bytes]], allow: AllowList) -> None:
        self._context = context
        self._allow = allow
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._refused_logged: set[bytes] = set()
        self.refused = 0
        self.accepted = 0

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="wall-zap", daemon=True)
        self._thread.start()
        self._ready.wait(5)
        if self._error is not None:
            raise TransportError(f"the ZAP authenticator could not start: {self._error}")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _run(self) -> None:
        try:
            sock = self._context.socket(zmq.REP)
            sock.setsockopt(zmq.LINGER, 0)
            sock.setsockopt(zmq.MAXMSGSIZE, 64 * 1024)
            sock.bind(ZAP_ENDPOINT)
        except zmq.ZMQError as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            while not self._stop.is_set():
                if not sock.poll(100):
                    continue
                request = sock.recv_multipart()
                sock.send_multipart(self._answer(request))
        except zmq.ZMQError as exc:
            if exc.errno != zmq.ETERM:
                log.error("wall ZAP authenticator stopped: %s", exc)
        finally:
            sock.close(0)

    def _answer(self, request: list[bytes]) -> list[bytes]:
        if len(request) < 6:
            return [_ZAP_VERSION, request[1] if len(request) > 1 else b"", b"400", b"bad request", b"", b""]
        version, request_id, _domain, address, _identity, mechanism = request[:6]
        if version != _ZAP_VERSION or mechanism != b"CURVE" or len(request) != 7 or len(request[6]) != 32:
            return [_ZAP_VERSION, request_id, b"400", b"CURVE only", b"", b""]
        public = z85.encode(request[6]).decode("ascii")
        if self._allow.lookup(public) is None:
            self.refused += 1
            if request[6] not in self._refused_logged and len(self._refused_logged) < 10_000:
                self._refused_logged.add(request[6])
                log.warning(
                    "refused an unregistered wall key %s from %s (`vmwall wall keys --register` adds keys)",
                    public,
                    address.decode("ascii", "replace"),
                )
            return [_ZAP_VERSION, request_id, b"400", b"unknown key", b"", b""]
        self.accepted += 1
        return [_ZAP_VERSION, request_id, b"200", b"OK", public.encode("ascii"), b""]


def _curve_server(sock: zmq.Socket[bytes], keys: KeyPair) -> None:
    sock.setsockopt(zmq.CURVE_SERVER, 1)
    sock.setsockopt(zmq.CURVE_PUBLICKEY, keys.public)
    sock.setsockopt(zmq.CURVE_SECRETKEY, keys.secret)
    sock.setsockopt(zmq.ZAP_DOMAIN, ZAP_DOMAIN)


def _curve_client(sock: zmq.Socket[bytes], keys: KeyPair, server_public: bytes) -> None:
    sock.setsockopt(zmq.CURVE_SERVERKEY, server_public)
    sock.setsockopt(zmq.CURVE_PUBLICKEY, keys.public)
    sock.setsockopt(zmq.CURVE_SECRETKEY, keys.secret)


def _bind(sock: zmq.Socket[bytes], endpoint: str, what: str) -> str:
    try:
        sock.bind(endpoint)
    except zmq.ZMQError as exc:
        reason = zmq.strerror(exc.errno or 0)  # without pyzmq's repetition of the address
        raise TransportError(f"cannot bind the wall {what} on {endpoint}: {reason}") from None
    bound = sock.getsockopt(zmq.LAST_ENDPOINT)
    return bound.decode() if isinstance(bound, bytes) else str(bound)


@dataclass(frozen=True, slots=True)
class Request:
    """One message to the controller: who sent it (ROUTER identity, Z85 key) and its body, or the
    reason its frames are not a message (``body`` None)."""

    identity: bytes
    key: str
    body: bytes | None
    problem: str = ""


class ServerTransport:
    """The controller's ROUTER and PUB. One owner thread (plus the ZAP thread inside)."""

    def __init__(self, router: str, pub: str, keys: KeyPair, allow: AllowList) -> None:
        self._router_endpoint = router
        self._pub_endpoint = pub
        self._keys = keys
        self._context: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        self.zap = ZapHandler(self._context, allow)
        self._router: zmq.Socket[bytes] | None = None
        self._pub: zmq.Socket[bytes] | None = None
        self.router_endpoint = ""
        self.pub_endpoint = ""

    def start(self) -> None:
        # The ZAP handler must be up before the first CurveZMQ server binds: without one, libzmq
        # lets every client in.
        self.zap.start()
        try:
            router = self._context.socket(zmq.ROUTER)
            _common(router, MAX_REQUEST_BYTES)
            _curve_server(router, self._keys)
            self._router = router
            self.router_endpoint = _bind(router, self._router_endpoint, "ROUTER")
            self._open_pub(self._pub_endpoint)
        except BaseException:
            self.close()
            raise

    def _open_pub(self, endpoint: str) -> None:
        pub = self._context.socket(zmq.PUB)
        _common(pub, MAX_SUBSCRIPTION_BYTES)
        pub.setsockopt(zmq.SNDHWM, 10_000)
        _curve_server(pub, self._keys)
        self._pub = pub
        self.pub_endpoint = _bind(pub, endpoint, "PUB")

    def reopen_pub(self) -> None:
        """Close and bind the PUB again: every subscriber reconnects through ZAP (a revoked key
        loses its feed); they notice the gap by the hugz sequence and resync."""
        if self._pub is not None:
            self._pub.close(0)
            self._pub = None
        self._open_pub(self.pub_endpoint)

    @property
    def router_socket(self) -> zmq.Socket[bytes]:
        assert self._router is not None
        return self._router

    def receive(self) -> Request | None:
        """The next message on the ROUTER, or None if none is waiting."""
        try:
            frames = self.router_socket.recv_multipart(zmq.NOBLOCK, copy=False)
        except zmq.Again:
            return None
        identity = frames[0].bytes
        try:
            key = frames[-1].get("User-Id")
        except zmq.ZMQError:
            key = ""
        if len(frames) != 2:
            return Request(identity, str(key), None, f"{len(frames) - 1} frames instead of 1")
        return Request(identity, str(key), frames[1].bytes)

    def reply(self, identity: bytes, body: bytes) -> None:
        with contextlib.suppress(zmq.ZMQError):
            self.router_socket.send_multipart([identity, body], zmq.NOBLOCK)

    def publish(self, topic: bytes, body: bytes) -> None:
        if self._pub is None:
            return
        with contextlib.suppress(zmq.ZMQError):
            self._pub.send_multipart([topic, body], zmq.NOBLOCK)

    def close(self) -> None:
        for sock in (self._router, self._pub):
            if sock is not None:
                sock.close(0)
        self._router = self._pub = None
        self.zap.close()
        self._context.term()


class Waker:
    """Wakes a thread blocked in `ClientTransport.poll` from any other thread."""

    def __init__(self) -> None:
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)

    def fileno(self) -> int:
        return self._reader.fileno()

    def wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            self._writer.send(b"\x01")

    def clear(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            while self._reader.recv(4096):
                pass

    def close(self) -> None:
        self._reader.close()
        self._writer.close()


@dataclass(frozen=True, slots=True)
class Ready:
    reply: bool = False
    published: bool = False
    woken: bool = False


class ClientTransport:
    """A node's or console's DEALER (requests) and SUB (published state). One owner thread."""

    def __init__(
        self, router: str, pub: str, keys: KeyPair, server_public: bytes, topics: Iterable[bytes]
    ) -> None:
        self._router_endpoint = router
        self._pub_endpoint = pub
        self._keys = keys
        self._server_public = server_public
        self._topics = tuple(topics)
        self._context: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        self._dealer: zmq.Socket[bytes] | None = None
        self._sub: zmq.Socket[bytes] | None = None
        self._monitor: zmq.Socket[bytes] | None = None
        self._poller = zmq.Poller()
        self.waker = Waker()
        self.auth_refused = False  # the controller refused this key at the last handshake
        self._refused_at = 0.0

    def start(self) -> None:
        dealer = self._context.socket(zmq.DEALER)
        _common(dealer, MAX_REPLY_BYTES)
        _curve_client(dealer, self._keys, self._server_public)
        dealer.setsockopt(zmq.IMMEDIATE, 1)
        dealer.setsockopt(zmq.SNDHWM, 1000)
        dealer.setsockopt(zmq.RECONNECT_IVL, 100)
        dealer.setsockopt(zmq.RECONNECT_IVL_MAX, 1000)
        self._monitor = dealer.get_monitor_socket(
            zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_SUCCEEDED
        )
        dealer.connect(self._router_endpoint)
        sub = self._context.socket(zmq.SUB)
        _common(sub, MAX_REPLY_BYTES)
        _curve_client(sub, self._keys, self._server_public)
        sub.setsockopt(zmq.RCVHWM, 10_000)
        sub.setsockopt(zmq.RECONNECT_IVL, 100)
        sub.setsockopt(zmq.RECONNECT_IVL_MAX, 1000)
        for topic in self._topics:
            sub.setsockopt(zmq.SUBSCRIBE, topic)
        sub.connect(self._pub_endpoint)
        self._dealer, self._sub = dealer, sub
        self._poller.register(dealer, zmq.POLLIN)
        self._poller.register(sub, zmq.POLLIN)
        self._poller.register(self._monitor, zmq.POLLIN)
        self._poller.register(self.waker.fileno(), zmq.POLLIN)

    def poll(self, timeout_s: float) -> Ready:
        events = dict(self._poller.poll(max(0, int(timeout_s * 1000))))
        if self._monitor is not None and self._monitor in events:
            self._drain_monitor()
        if self.auth_refused and time.monotonic() - self._refused_at > REFUSED_RETRY_S:
            self._reconnect()
        return Ready(
            reply=self._dealer in events,
            published=self._sub in events,
            woken=self.waker.fileno() in events,
        )

    def _drain_monitor(self) -> None:
        assert self._monitor is not None
        while True:
            try:
                event = recv_monitor_message(self._monitor, zmq.NOBLOCK)
            except zmq.Again:
                return
            except zmq.ZMQError:
                return
            if event["event"] == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
                if not self.auth_refused:
                    log.error("the wall controller at %s refused this key", self._router_endpoint)
                    self._refused_at = time.monotonic()
                self.auth_refused = True
            elif event["event"] == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                self.auth_refused = False

    def _reconnect(self) -> None:
        """libzmq does not retry a connection whose key was refused: connect again ourselves, so a
        key registered on the controller later gets in without a restart."""
        self._refused_at = time.monotonic()
        for sock, endpoint in ((self._dealer, self._router_endpoint), (self._sub, self._pub_endpoint)):
            if sock is None:
                continue
            with contextlib.suppress(zmq.ZMQError):
                sock.disconnect(endpoint)
            sock.connect(endpoint)

    def send(self, body: bytes) -> bool:
        """Queue a message for the controller; False when no connection is up (never blocks)."""
        assert self._dealer is not None
        try:
            self._dealer.send(body, zmq.NOBLOCK)
        except zmq.ZMQError:
            return False
        return True

    def receive_reply(self) -> bytes | None:
        """The next reply (a multi-frame one comes back as an empty body, which never decodes)."""
        assert self._dealer is not None
        try:
            frames = self._dealer.recv_multipart(zmq.NOBLOCK)
        except zmq.Again:
            return None
        return frames[0] if len(frames) == 1 else b""

    def receive_published(self) -> tuple[bytes, bytes] | None:
        assert self._sub is not None
        try:
            frames = self._sub.recv_multipart(zmq.NOBLOCK)
        except zmq.Again:
            return None
        if len(frames) != 2:
            return (b"", b"")
        return frames[0], frames[1]

    def close(self) -> None:
        if self._dealer is not None:
            with contextlib.suppress(zmq.ZMQError):
                self._dealer.disable_monitor()
        for sock in (self._dealer, self._sub):
            if sock is not None:
                sock.close(0)
        if self._monitor is not None:
            self._monitor.close(0)
        self._dealer = self._sub = self._monitor = None
        self.waker.close()
        self._context.term()
