"""WS-Discovery responder for the simulated cameras (SOAP-over-UDP, the 2005/04 draft ONVIF uses).

Answers each Probe whose Types and Scopes match with one ProbeMatches datagram per camera (as
separate devices would), sent back to the prober's address. A repeated Probe (same MessageID, as
SOAP-over-UDP senders retransmit) is answered once. Unicast by default; `join_multicast=True` also
joins 239.255.255.250 (then it binds the port on every address and `host` picks the interface).
"""

from __future__ import annotations

import itertools
import logging
import socket
import threading
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from urllib.parse import urlsplit

from vmwall.sim.onvif_context import DEVICE_PATH, device_scopes, endpoint_uuid
from vmwall.sim.soap import Element, etree, safe_fromstring
from vmwall.sim.spec import SimCameraSpec

logger = logging.getLogger(__name__)

MULTICAST_GROUP = "239.255.255.250"
SOAP_ENV = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
NETWORK_NS = "http://www.onvif.org/ver10/network/wsdl"
DEVICE_NS = "http://www.onvif.org/ver10/device/wsdl"
PROBE_ACTION = f"{WSD}/Probe"
PROBE_MATCHES_ACTION = f"{WSD}/ProbeMatches"
ANONYMOUS = f"{WSA}/role/anonymous"
MATCH_RFC3986 = f"{WSD}/rfc3986"
MATCH_STRCMP0 = f"{WSD}/strcmp0"
_TYPES = frozenset({(NETWORK_NS, "NetworkVideoTransmitter"), (DEVICE_NS, "Device")})
_NSMAP = {"s": SOAP_ENV, "a": WSA, "d": WSD, "tdn": NETWORK_NS, "tds": DEVICE_NS}
_MAX_DATAGRAM = 65535
_REMEMBERED_PROBES = 256
_WILDCARD = frozenset({"", "0.0.0.0", "::"})


def _e(namespace: str, name: str, text: str | None = None, **attrib: str) -> Element:
    node: Element = etree.Element(f"{{{namespace}}}{name}", attrib=attrib or None, nsmap=_NSMAP)
    node.text = text
    return node


def _types_match(probe: Element) -> bool:
    types = probe.find(f"{{{WSD}}}Types")
    if types is None or not (types.text or "").strip():
        return True
    wanted = set()
    for item in str(types.text).split():
        prefix, _, local = item.rpartition(":")
        namespace = types.nsmap.get(prefix or None)
        if namespace is None:
            return False
        wanted.add((str(namespace), local))
    return wanted <= _TYPES


def _rfc3986_match(probe_scope: str, scope: str) -> bool:
    wanted, offered = urlsplit(probe_scope), urlsplit(scope)
    if (wanted.scheme.lower(), wanted.netloc.lower()) != (offered.scheme.lower(), offered.netloc.lower()):
        return False
    wanted_segments = [s for s in wanted.path.split("/") if s]
    offered_segments = [s for s in offered.path.split("/") if s]
    return offered_segments[: len(wanted_segments)] == wanted_segments


def _scopes_match(probe: Element, scopes: Sequence[str]) -> bool:
    node = probe.find(f"{{{WSD}}}Scopes")
    if node is None or not (node.text or "").strip():
        return True
    match_by = node.get("MatchBy", MATCH_RFC3986).strip()
    for wanted in str(node.text).split():
        if match_by == MATCH_RFC3986:
            found = any(_rfc3986_match(wanted, scope) for scope in scopes)
        elif match_by == MATCH_STRCMP0:
            found = wanted in scopes
        else:
            return False
        if not found:
            return False
    return True


class DiscoveryResponder:
    """Answers WS-Discovery Probes for a set of simulated cameras."""

    def __init__(
        self,
        specs: Sequence[SimCameraSpec],
        *,
        host: str = "127.0.0.1",
        port: int = 3702,
        join_multicast: bool = False,
    ) -> None:
        self._specs = list(specs)
        self._host = host
        self._requested_port = port
        self._join_multicast = join_multicast
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._instance_id = str(int(uuid.uuid4().int % 2**31))
        self._message_numbers = itertools.count(1)
        self._seen: OrderedDict[str, None] = OrderedDict()

    @property
    def port(self) -> int:
        if self._sock is None:
            return self._requested_port
        return int(self._sock.getsockname()[1])

    def start(self) -> None:
        if self._sock is not None:
            raise RuntimeError("responder already started")
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if self._join_multicast:
                if hasattr(socket, "SO_REUSEPORT"):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                sock.bind(("", self._requested_port))
                interface = self._host if self._host not in _WILDCARD else "0.0.0.0"
                membership = socket.inet_aton(MULTICAST_GROUP) + socket.inet_aton(interface)
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
            else:
                sock.bind((self._host, self._requested_port))
            sock.settimeout(0.2)
        except OSError:
            sock.close()
            raise
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, name="vmwall-sim-discovery", daemon=True)
        self._thread.start()
        logger.info("WS-Discovery responder on %s:%d for %d cameras", self._host, self.port, len(self._specs))

    def close(self) -> None:
        """Stop answering; idempotent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
        if self._sock is not None:
            self._sock.close()

    def _serve(self) -> None:
        sock = self._sock
        assert sock is not None
        while not self._stop.is_set():
            try:
                data, sender = sock.recvfrom(_MAX_DATAGRAM)
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                logger.exception("WS-Discovery receive failed")
                continue
            try:
                for reply in self.answer(data, self._reply_host(sender[0])):
                    sock.sendto(reply, sender)
            except Exception:
                logger.exception("WS-Discovery: could not answer %s", sender[0])

    def _reply_host(self, prober: str) -> str:
        """The address to advertise to `prober`: ours, or the local one routing to it."""
        if self._host not in _WILDCARD:
            return self._host
        with socket.socket(socket.AF_INET6 if ":" in prober else socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((prober, 9))
            return str(probe.getsockname()[0])

    def answer(self, data: bytes, reply_host: str) -> list[bytes]:
        """The ProbeMatches datagrams for one received datagram (none if it is not a matching Probe)."""
        try:
            root = safe_fromstring(data)
        except ValueError:
            logger.debug("WS-Discovery: ignored a datagram that is not XML")
            return []
        action = root.findtext(f"{{{SOAP_ENV}}}Header/{{{WSA}}}Action")
        message_id = root.findtext(f"{{{SOAP_ENV}}}Header/{{{WSA}}}MessageID")
        probe = root.find(f"{{{SOAP_ENV}}}Body/{{{WSD}}}Probe")
        if probe is None or (action is not None and action.strip() != PROBE_ACTION) or not message_id:
            return []
        message_id = str(message_id).strip()
        if message_id in self._seen:
            return []
        self._seen[message_id] = None
        if len(self._seen) > _REMEMBERED_PROBES:
            self._seen.popitem(last=False)
        if not _types_match(probe):
            return []
        return [
            self._probe_match(spec, message_id, reply_host)
            for spec in self._specs
            if _scopes_match(probe, device_scopes(spec))
        ]

    def _probe_match(self, spec: SimCameraSpec, relates_to: str, reply_host: str) -> bytes:
        host = spec.host if spec.host not in _WILDCARD else reply_host
        host = f"[{host}]" if ":" in host else host
        header = _e(SOAP_ENV, "Header")
        header.extend(
            [
                _e(WSA, "MessageID", f"urn:uuid:{uuid.uuid4()}"),
                _e(WSA, "RelatesTo", relates_to),
                _e(WSA, "To", ANONYMOUS),
                _e(WSA, "Action", PROBE_MATCHES_ACTION),
                _e(
                    WSD,
                    "AppSequence",
                    InstanceId=self._instance_id,
                    MessageNumber=str(next(self._message_numbers)),
                ),
            ]
        )
        reference = _e(WSA, "EndpointReference")
        reference.append(_e(WSA, "Address", f"urn:uuid:{endpoint_uuid(spec)}"))
        match = _e(WSD, "ProbeMatch")
        match.extend(
            [
                reference,
                _e(WSD, "Types", "tdn:NetworkVideoTransmitter tds:Device"),
                _e(WSD, "Scopes", " ".join(device_scopes(spec))),
                _e(WSD, "XAddrs", f"http://{host}:{spec.onvif_port}{DEVICE_PATH}"),
                _e(WSD, "MetadataVersion", "1"),
            ]
        )
        matches = _e(WSD, "ProbeMatches")
        matches.append(match)
        body = _e(SOAP_ENV, "Body")
        body.append(matches)
        envelope = _e(SOAP_ENV, "Envelope")
        envelope.extend([header, body])
        data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
        return data
