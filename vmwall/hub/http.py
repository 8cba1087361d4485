"""The hub's HTTP front: MPEG-TS streams for players, a small JSON API for consoles and `hub status`.

    GET  /camera/<number>/<main|sub>.ts   the stream (video/mp2t), until the player disconnects
    GET  /api/health                      {"service": "vmwall-hub", ...}
    GET  /api/streams                     per-stream statistics
    POST /api/warm?cameras=1,2&kind=sub&ttl=60   keep streams pulled without a viewer

Loopback peers are trusted (same machine). Any other peer must send the hub's token
(`Authorization: Bearer …` or `?token=…`), so a site hub can serve a commune's consoles over the LAN.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import json
import logging
import os
import re
import socket
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from vmwall import __version__
from vmwall.errors import UserFacingError
from vmwall.hub.directory import StreamRefusedError, UnknownCameraError
from vmwall.hub.fanout import Consumer
from vmwall.hub.registry import StreamKey, StreamRegistry
from vmwall.model import StreamKind

log = logging.getLogger(__name__)

_STREAM_PATH = re.compile(r"^/camera/(\d{1,6})/(main|sub)\.ts$")
MAX_REQUEST_BYTES = 8192
REQUEST_TIMEOUT_S = 5.0


class HubHttpServer:
    def __init__(
        self,
        registry: StreamRegistry,
        check_stream: Callable[[StreamKey], None],
        *,
        host: str = "127.0.0.1",
        port: int = 8490,
        token: str | None = None,
    ) -> None:
        self.registry = registry
        self._check_stream = check_stream  # raises UnknownCameraError / StreamRefusedError (blocking)
        self.host = host
        self.port = port
        self.token = token
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        # Why streams were last refused to players: (HTTP status, reason), for consoles and logs.
        self.refusals: dict[StreamKey, tuple[int, str]] = {}
        self.connections = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port, reuse_address=True)
        sock = self._server.sockets[0]
        self.port = sock.getsockname()[1]
        log.info("hub listening on http://%s:%d", self.host, self.port)

    async def close(self) -> None:
        """Stop accepting, end every open connection, and wait for their handlers."""
        if self._server is not None:
            self._server.close()
        handlers = list(self._handlers)
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    # --- one connection ---------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        self.connections += 1
        peer = writer.get_extra_info("peername")
        peer_host = str(peer[0]) if peer else "?"
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            method, target, headers = await asyncio.wait_for(_read_request(reader), REQUEST_TIMEOUT_S)
            url = urlsplit(target)
            query = parse_qs(url.query)
            if not self._authorised(peer_host, headers, query):
                await _respond(writer, 401, {"error": "this hub needs its token from a remote peer"})
                return
            stream = _STREAM_PATH.match(url.path)
            if method == "GET" and stream:
                await self._serve_stream(
                    reader, writer, (int(stream.group(1)), StreamKind(stream.group(2))), peer_host
                )
            elif method == "GET" and url.path == "/api/health":
                await _respond(
                    writer, 200, {"service": "vmwall-hub", "version": __version__, "pid": os.getpid()}
                )
            elif method == "GET" and url.path == "/api/streams":
                await _respond(writer, 200, {"streams": self.registry.status(), "refused": self.refused()})
            elif method == "POST" and url.path == "/api/warm":
                await self._warm(writer, query)
            else:
                await _respond(writer, 404, {"error": f"nothing at {method} {url.path}"})
        except (asyncio.IncompleteReadError, ConnectionError, TimeoutError):
            pass
        except asyncio.CancelledError:
            pass  # the hub is shutting down: end this connection quietly
        except _BadRequestError as exc:
            await _respond(writer, 400, {"error": str(exc)})
        except Exception:
            log.exception("request from %s failed", peer_host)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    def _authorised(self, peer: str, headers: dict[str, str], query: dict[str, list[str]]) -> bool:
        try:
            if ipaddress.ip_address(peer.split("%")[0]).is_loopback:
                return True
        except ValueError:
            return False
        if not self.token:
            return False
        offered = (
            headers.get("authorization", "").removeprefix("Bearer ").strip()
            or (query.get("token") or [""])[0]
        )
        return hmac.compare_digest(offered.encode(), self.token.encode())

    async def _serve_stream(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, key: StreamKey, peer: str
    ) -> None:
        loop = asyncio.get_running_loop()
        refusal: tuple[int, str] | None = None
        try:
            await loop.run_in_executor(None, self._check_stream, key)
        except UnknownCameraError as exc:
            refusal = (404, str(exc))
        except StreamRefusedError as exc:
            refusal = (403, str(exc))
        except UserFacingError as exc:  # keyring unreachable, database down…
            refusal = (503, str(exc))
        existing = self.registry.existing(key)
        if refusal is None and existing is not None and existing.refusal:
            refusal = (502, f"camera {key[0]}: {existing.refusal}")
        if refusal is not None:
            self._note_refusal(key, *refusal)
            await _respond(writer, refusal[0], {"error": refusal[1]})
            return
        self.refusals.pop(key, None)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\nCache-Control: no-cache\r\n"
            b"Connection: close\r\n\r\n"
        )
        await writer.drain()
        raw = writer.get_extra_info("socket")
        # The upstream thread writes into its own duplicate of the socket; the loop only watches for
        # the player hanging up.
        own = socket.socket(fileno=os.dup(raw.fileno()))
        consumer = Consumer(loop, own, peer)
        upstream = self.registry.join(key, consumer)
        log.info("camera %d %s: player %s joined", key[0], key[1], peer)
        hangup = asyncio.ensure_future(_until_eof(reader))
        closed = asyncio.ensure_future(consumer.closed_event.wait())
        try:
            await asyncio.wait({hangup, closed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (hangup, closed):
                task.cancel()
            upstream.leave(consumer)
            consumer.close()
            log.info(
                "camera %d %s: player %s left (%d bytes, %d resyncs)",
                key[0],
                key[1],
                peer,
                consumer.sent_bytes,
                consumer.resyncs,
            )

    def _note_refusal(self, key: StreamKey, status: int, reason: str) -> None:
        if self.refusals.get(key) != (status, reason):  # logged once per camera and reason
            log.warning("camera %d %s refused to players (%d): %s", key[0], key[1], status, reason)
        self.refusals[key] = (status, reason)

    def refused(self) -> list[dict[str, object]]:
        return [
            {"camera": key[0], "kind": str(key[1]), "status": status, "error": reason}
            for key, (status, reason) in sorted(
                self.refusals.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))
            )
        ]

    async def _warm(self, writer: asyncio.StreamWriter, query: dict[str, list[str]]) -> None:
        try:
            numbers = [int(n) for n in ",".join(query.get("cameras", [])).split(",") if n.strip()]
            kind = StreamKind((query.get("kind") or ["sub"])[0])
            ttl = float((query.get("ttl") or ["60"])[0])
        except ValueError as exc:
            raise _BadRequestError(f"warm needs cameras=1,2,… kind=main|sub ttl=seconds ({exc})") from exc
        if not 0 < ttl <= 24 * 3600 or len(numbers) > 1000:
            raise _BadRequestError("ttl must be within 0..86400 s and at most 1000 cameras")
        loop = asyncio.get_running_loop()
        accepted = []
        refused = {}
        for number in numbers:
            try:
                await loop.run_in_executor(None, self._check_stream, (number, kind))
                accepted.append(number)
            except UserFacingError as exc:
                refused[str(number)] = str(exc)
        self.registry.warm([(n, kind) for n in accepted], ttl)
        await _respond(writer, 200, {"warm": accepted, "refused": refused, "kind": str(kind), "ttl_s": ttl})


class _BadRequestError(Exception):
    pass


async def _until_eof(reader: asyncio.StreamReader) -> None:
    """Returns when the player closes its side (players send nothing after their request)."""
    try:
        while await reader.read(4096):
            pass
    except (ConnectionError, OSError):
        pass


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str]]:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError as exc:
        raise _BadRequestError("request header too large") from exc
    if len(head) > MAX_REQUEST_BYTES:
        raise _BadRequestError("request header too large")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise _BadRequestError("malformed request line")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return parts[0], parts[1], headers


async def _respond(writer: asyncio.StreamWriter, status: int, body: dict[str, object]) -> None:
    reasons = {
        200: "OK",
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        502: "Bad Gateway",
        503: "Service Unavailable",
    }
    data = json.dumps(body, ensure_ascii=False).encode()
    writer.write(
        f"HTTP/1.1 {status} {reasons.get(status, 'Error')}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
        + data
    )
    with contextlib.suppress(ConnectionError, OSError):
        await writer.drain()
