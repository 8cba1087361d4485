"""HTTP front of the simulated ONVIF devices: one aiohttp application per device.

SOAP requests are dispatched on the Body's first element (not SOAPAction) to the operation
registry, after the WS-Security check the operation's access class asks for. Bodies are capped at
1 MiB (413), non-XML content types get 415, anything malformed a SOAP fault; a handler bug is a
500 Receiver fault, never a dead connection. `TCP_NODELAY` is set on every connection (FACTS:
about 44 ms → 1.6 ms per call). GET /snapshot.jpg answers with HTTP Digest (see onvif_snapshot).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable

from aiohttp import web

from vmwall.sim import onvif_devicemgmt, onvif_events, onvif_imaging, onvif_media, onvif_ptz
from vmwall.sim.onvif_context import SNAPSHOT_PATH, Access, Call, Operation, SimDevice
from vmwall.sim.onvif_snapshot import DigestAuthenticator, default_snapshot
from vmwall.sim.soap import (
    NS,
    SOAP12_CONTENT_TYPE,
    Envelope,
    SoapFaultError,
    build_envelope,
    build_fault,
    check_must_understand,
    parse_envelope,
    receiver_fault,
)
from vmwall.sim.wsse import WsseError, extract_username_token

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
# An oversized body is read to its end (up to this much) before the 413, so that a client still
# sending gets the answer rather than a reset; a bigger one is answered at once.
DRAIN_LIMIT_BYTES = 16 * MAX_BODY_BYTES
BODY_READ_TIMEOUT_S = 30.0
SNAPSHOT_TIMEOUT_S = 10.0
_XML_MEDIA_TYPES = frozenset({"application/soap+xml", "text/xml", "application/xml"})
_UNDERSTOOD_HEADERS = (NS["wsse"], NS["wsa"])
OPERATIONS: dict[str, Operation] = {
    **onvif_devicemgmt.OPERATIONS,
    **onvif_media.OPERATIONS,
    **onvif_ptz.OPERATIONS,
    **onvif_events.OPERATIONS,
    **onvif_imaging.OPERATIONS,
}
_DEVICE_KEY = web.AppKey("device", SimDevice)


def _not_authorized() -> SoapFaultError:
    # Real cameras give no reason: the precise one is logged on the device side only.
    return SoapFaultError("Sender", ("ter:NotAuthorized",), "Sender not authorized", http_status=400)


def _soap_response(payload: bytes, status: int = 200) -> web.Response:
    return web.Response(body=payload, status=status, headers={"Content-Type": SOAP12_CONTENT_TYPE})


def _fault_response(fault: SoapFaultError) -> web.Response:
    return _soap_response(build_fault(fault), fault.http_status)


def _authenticate(device: SimDevice, envelope: Envelope, operation: Operation) -> None:
    if operation.access is Access.OPEN:
        return
    try:
        token = extract_username_token(envelope.header)
        if token is None:
            if operation.access is Access.PRE_AUTH:
                return
            raise WsseError("no credentials")
        device.verifier.verify(token)
    except WsseError as exc:
        logger.info("cam%d: %s refused: %s", device.spec.number, envelope.operation_name, exc)
        raise _not_authorized() from None


class DeviceHttp:
    """Serves the devices' SOAP services and snapshots (one instance for the whole farm)."""

    def __init__(self, snapshot_provider: Callable[[int], bytes] | None) -> None:
        self._snapshot_provider = snapshot_provider
        self._snapshot_auth: dict[int, DigestAuthenticator] = {}
        self._default_snapshots: dict[int, bytes] = {}

    def application(self, device: SimDevice) -> web.Application:
        spec = device.spec
        self._snapshot_auth[spec.number] = DigestAuthenticator(spec.username, spec.password)
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app[_DEVICE_KEY] = device
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        sock = request.transport.get_extra_info("socket") if request.transport else None
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        device = request.app[_DEVICE_KEY]
        if request.path == SNAPSHOT_PATH and request.method in ("GET", "HEAD"):
            return await self._snapshot(device, request)
        if request.method != "POST":
            return web.Response(
                status=405, headers={"Allow": "POST"}, text="ONVIF services take SOAP over POST\n"
            )
        if request.content_type not in _XML_MEDIA_TYPES:
            fault = SoapFaultError(
                "Sender", (), f"Unsupported Content-Type {request.content_type!r}", http_status=415
            )
            return _fault_response(fault)
        try:
            body = await self._read_body(request)
        except TimeoutError:
            return web.Response(status=408, text="Request body too slow\n", headers={"Connection": "close"})
        if body is None:
            response = _fault_response(
                SoapFaultError("Sender", (), "Request body too large", http_status=413)
            )
            response.force_close()
            return response
        return await self._soap(device, request, body)

    @staticmethod
    async def _read_body(request: web.Request) -> bytes | None:
        """The body, or None if it is over the cap (then read to its end, up to the drain limit)."""
        declared = request.content_length
        if declared is not None and declared > DRAIN_LIMIT_BYTES:
            return None  # not worth reading: aiohttp lingers (bounded) and closes after the 413
        chunks: list[bytes] = []
        total = 0
        async with asyncio.timeout(BODY_READ_TIMEOUT_S):
            while total <= DRAIN_LIMIT_BYTES and (chunk := await request.content.readany()):
                total += len(chunk)
                if total <= MAX_BODY_BYTES:
                    chunks.append(chunk)
        return b"".join(chunks) if total <= MAX_BODY_BYTES else None

    @staticmethod
    async def _soap(device: SimDevice, request: web.Request, body: bytes) -> web.Response:
        number = device.spec.number
        try:
            envelope = parse_envelope(body)
            device.count(envelope.operation_name)
            check_must_understand(envelope.header, _UNDERSTOOD_HEADERS)
            operation = OPERATIONS.get(str(envelope.operation.tag))
            if operation is None:
                raise receiver_fault(
                    "ter:ActionNotSupported", reason=f"{envelope.operation_name} is not supported"
                )
            _authenticate(device, envelope, operation)
            call = Call(device=device, body=envelope.operation, path=request.path, request_host=request.host)
            return _soap_response(build_envelope(await operation.handler(call)))
        except SoapFaultError as fault:
            logger.debug("cam%d %s: fault %s %s", number, request.path, fault.code, fault.subcodes)
            return _fault_response(fault)
        except Exception:
            logger.exception("cam%d %s: internal error", number, request.path)
            return _fault_response(receiver_fault(reason="Internal error"))

    async def _snapshot(self, device: SimDevice, request: web.Request) -> web.Response:
        number = device.spec.number
        auth = self._snapshot_auth[number]
        verdict = auth.check(request.method, request.headers.get("Authorization"))
        if verdict != "ok":
            challenge = auth.challenge(stale=verdict == "stale")
            return web.Response(status=401, headers={"WWW-Authenticate": challenge}, text="Unauthorized\n")
        loop = asyncio.get_running_loop()
        try:
            if self._snapshot_provider is not None:
                job = loop.run_in_executor(None, self._snapshot_provider, number)
                data = await asyncio.wait_for(job, SNAPSHOT_TIMEOUT_S)
            else:
                if number not in self._default_snapshots:
                    image = await loop.run_in_executor(None, default_snapshot, device.spec)
                    self._default_snapshots[number] = image
                data = self._default_snapshots[number]
        except Exception:
            logger.exception("cam%d: snapshot failed", number)
            return web.Response(status=503, text="Snapshot unavailable\n")
        return web.Response(body=data, content_type="image/jpeg")
