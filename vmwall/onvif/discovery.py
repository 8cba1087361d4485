"""WS-Discovery client: find ONVIF video devices on the local network (SOAP-over-UDP).

A Probe for ``tdn:NetworkVideoTransmitter`` goes to the multicast group 239.255.255.250:3702
(or to one unicast HOST:PORT, e.g. a discovery proxy or a simulated device); every ProbeMatches
that comes back within the window is parsed, and devices are de-duplicated by endpoint.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import Iterable
from xml.etree import ElementTree

from vmwall.errors import UserFacingError
from vmwall.model.device import DiscoveredDevice, scope_value

log = logging.getLogger(__name__)

MULTICAST_GROUP = "239.255.255.250"
DISCOVERY_PORT = 3702
DEFAULT_WINDOW_S = 3.0
_MAX_DATAGRAM = 65_535
_RESEND_AFTER_S = 0.2  # SOAP-over-UDP: a second copy, in case the first datagram is lost

_PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
 xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"
 xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"
 xmlns:tdn="http://www.onvif.org/ver10/network/wsdl">
<s:Header>
<a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>
<a:MessageID>{message_id}</a:MessageID>
<a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>
<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>
</s:Header>
<s:Body><d:Probe><d:Types>tdn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body>
</s:Envelope>"""


class DiscoveryError(UserFacingError):
    """The probe could not be sent (no route to the network, unknown host name...)."""


def build_probe(message_id: str) -> bytes:
    return _PROBE.format(message_id=message_id).encode("utf-8")


def parse_probe_matches(data: bytes, message_id: str | None = None) -> list[DiscoveredDevice]:
    """The devices in one ProbeMatches datagram; [] for anything else (or an answer to another probe).

    Elements are matched by local name, so both the 2005/04 (ONVIF) and 2009/01 WS-Discovery
    namespaces are understood.
    """
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        log.debug("ignored a discovery datagram that is not XML: %s", exc)
        return []
    if message_id is not None:
        relates_to = _first_text(root, "RelatesTo")
        if relates_to is not None and relates_to != message_id:
            return []
    devices = []
    for match in _descendants(root, "ProbeMatch"):
        xaddrs = tuple(_split(_first_text(match, "XAddrs")))
        scopes = tuple(_split(_first_text(match, "Scopes")))
        reference = next(iter(_descendants(match, "EndpointReference")), None)
        endpoint = _first_text(reference, "Address") if reference is not None else None
        endpoint = endpoint or (xaddrs[0] if xaddrs else None)
        if endpoint is None:
            continue
        devices.append(
            DiscoveredDevice(
                endpoint=endpoint,
                xaddrs=xaddrs,
                scopes=scopes,
                name=scope_value(scopes, "name"),
                hardware=scope_value(scopes, "hardware"),
            )
        )
    return devices


def merge_devices(devices: Iterable[DiscoveredDevice]) -> list[DiscoveredDevice]:
    """One entry per endpoint, in order of first answer; addresses and scopes are united."""
    merged: dict[str, DiscoveredDevice] = {}
    for device in devices:
        known = merged.get(device.endpoint)
        if known is None:
            merged[device.endpoint] = device
            continue
        scopes = _union(known.scopes, device.scopes)
        merged[device.endpoint] = DiscoveredDevice(
            endpoint=known.endpoint,
            xaddrs=_union(known.xaddrs, device.xaddrs),
            scopes=scopes,
            name=known.name or device.name,
            hardware=known.hardware or device.hardware,
        )
    return list(merged.values())


async def discover(
    *,
    target: tuple[str, int] | None = None,
    window_s: float = DEFAULT_WINDOW_S,
    interface: str | None = None,
) -> list[DiscoveredDevice]:
    """Probe, listen for ``window_s`` seconds, return the devices that answered.

    ``target`` None means the multicast group (IPv4, TTL 1: the local segment only); ``interface``
    is the local IPv4 address whose network the multicast probe goes out on (default: the system's
    choice, usually the default route).
    """
    message_id = f"urn:uuid:{uuid.uuid4()}"
    where = f"{target[0]}:{target[1]}" if target else f"{MULTICAST_GROUP}:{DISCOVERY_PORT}"
    try:
        return await _probe_and_listen(message_id, target, window_s, interface)
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise DiscoveryError(f"cannot send a discovery probe to {where}: {reason}") from exc


async def _probe_and_listen(
    message_id: str, target: tuple[str, int] | None, window_s: float, interface: str | None
) -> list[DiscoveredDevice]:
    destination, family = await _destination(target)
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        if target is None:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
            if interface:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface))
        sock.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", 0))
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    received: list[DiscoveredDevice] = []
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: _Collector(message_id, received), sock=sock)
    try:
        probe = build_probe(message_id)
        transport.sendto(probe, destination)
        await asyncio.sleep(min(_RESEND_AFTER_S, window_s))
        transport.sendto(probe, destination)
        await asyncio.sleep(max(0.0, window_s - _RESEND_AFTER_S))
    finally:
        transport.close()
    return merge_devices(received)


def discover_sync(
    *,
    target: tuple[str, int] | None = None,
    window_s: float = DEFAULT_WINDOW_S,
    interface: str | None = None,
) -> list[DiscoveredDevice]:
    return asyncio.run(discover(target=target, window_s=window_s, interface=interface))


class _Collector(asyncio.DatagramProtocol):
    def __init__(self, message_id: str, sink: list[DiscoveredDevice]) -> None:
        self._message_id = message_id
        self._sink = sink

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        if len(data) >= _MAX_DATAGRAM:
            return
        self._sink.extend(parse_probe_matches(data, self._message_id))

    def error_received(self, exc: Exception) -> None:
        # e.g. ICMP port unreachable after a unicast probe to a port with nothing listening
        log.debug("discovery socket error: %s", exc)


async def _destination(target: tuple[str, int] | None) -> tuple[tuple[str, int], socket.AddressFamily]:
    if target is None:
        return (MULTICAST_GROUP, DISCOVERY_PORT), socket.AF_INET
    host, port = target
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    family, _, _, _, sockaddr = infos[0]
    return (str(sockaddr[0]), int(sockaddr[1])), family


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _descendants(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [e for e in element.iter() if _local(e.tag) == name]


def _first_text(element: ElementTree.Element | None, name: str) -> str | None:
    if element is None:
        return None
    for found in _descendants(element, name):
        text = (found.text or "").strip()
        if text:
            return text
    return None


def _split(text: str | None) -> list[str]:
    return text.split() if text else []


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(first + second))
