"""Turn whatever the ONVIF library, zeep or aiohttp raised into a `CameraError`.

What the library raises, measured against real SOAP servers (onvif-zeep-async 4.3, zeep 4.3):
- wrong password: the device answers a SOAP Fault (HTTP 400 or 500) whose Subcode is
  ``ter:NotAuthorized`` (or whose text mentions authentication, e.g. ``wsse:FailedAuthentication``);
  zeep raises ``zeep.exceptions.Fault`` directly from the awaited call (the library's ``safe_func``
  only wraps the synchronous part). Devices that check HTTP auth answer 401/403 with or without a
  body: ``zeep.exceptions.TransportError`` with ``status_code``, or a Fault.
- nothing listening / host down / bad name: ``aiohttp.ClientConnectorError`` (an ``OSError``).
- a device that accepts and never answers: only our own deadline ends it (``TimeoutError``); the
  library's own timeouts are 30 s to connect and 90 s in total.
- any of these may come wrapped in ``onvif.exceptions.ONVIFError`` (``__cause__`` holds the original).
"""

from __future__ import annotations

import asyncio
import socket

import aiohttp

from vmwall.onvif._library import (
    Fault,
    ONVIFAuthError,
    ONVIFError,
    ONVIFTimeoutError,
    TransportError,
    XMLParseError,
    XMLSyntaxError,
    is_auth_error,
    stringify_onvif_error,
)
from vmwall.onvif.errors import CameraAuthError, CameraError, CameraProtocolError, CameraUnreachableError

_AUTH_HTTP_STATUSES = frozenset({401, 403})


def map_exception(
    exc: BaseException, address: str, timeout_s: float, secrets: tuple[str, ...] = ()
) -> CameraError:
    """The `CameraError` that explains ``exc``; ``secrets`` are masked out of any detail kept."""
    chain = _causes(exc)
    for item in chain:
        if isinstance(item, CameraError):
            return item
        if _is_auth_failure(item):
            return CameraAuthError(address)
    for item in chain:
        if isinstance(item, TimeoutError | asyncio.TimeoutError | ONVIFTimeoutError):
            return CameraUnreachableError(address, timeout_s)
        if isinstance(item, aiohttp.ClientConnectorError | ConnectionError | socket.gaierror):
            return CameraUnreachableError(address, timeout_s, _connect_reason(item))
        if isinstance(item, aiohttp.ServerDisconnectedError):
            return CameraUnreachableError(address, timeout_s, "the connection was closed without an answer")
    for item in chain:
        if isinstance(item, Fault):
            return CameraProtocolError(address, f"SOAP fault: {stringify_onvif_error(item)}", secrets)
        if isinstance(item, TransportError):
            status = getattr(item, "status_code", None)
            return CameraProtocolError(address, f"HTTP status {status}", secrets)
        if isinstance(item, XMLSyntaxError | XMLParseError):
            return CameraProtocolError(
                address, f"not a SOAP answer; is this its ONVIF port? ({item})", secrets
            )
        if isinstance(item, aiohttp.ClientError | OSError):
            return CameraProtocolError(address, f"{type(item).__name__}: {item}", secrets)
    return CameraProtocolError(address, f"unexpected {type(exc).__name__}: {exc}", secrets)


def _is_auth_failure(exc: BaseException) -> bool:
    if isinstance(exc, ONVIFAuthError):
        return True
    if isinstance(exc, Fault):
        return bool(is_auth_error(exc))
    if isinstance(exc, TransportError):
        return getattr(exc, "status_code", None) in _AUTH_HTTP_STATUSES
    if isinstance(exc, aiohttp.ClientResponseError):
        return exc.status in _AUTH_HTTP_STATUSES
    return False


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps (cause or context, and ONVIFError's argument), outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 20:
        chain.append(current)
        wrapped = current.__cause__ or current.__context__
        if wrapped is None and isinstance(current, ONVIFError) and current.args:
            first = current.args[0]
            wrapped = first if isinstance(first, BaseException) else None
        current = wrapped
    return chain


def _connect_reason(exc: BaseException) -> str:
    chain = _causes(exc)
    if isinstance(exc, aiohttp.ClientConnectorError):
        chain.append(exc.os_error)
    if any(isinstance(item, ConnectionRefusedError) for item in chain):
        return "connection refused"
    if any(isinstance(item, socket.gaierror) for item in chain):
        return "unknown host name"
    for item in reversed(chain):
        if isinstance(item, OSError) and item.strerror:
            return item.strerror.lower()
    return "cannot connect"
