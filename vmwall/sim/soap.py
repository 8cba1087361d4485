"""SOAP 1.2 envelopes for the simulated ONVIF devices: safe parsing, building, faults, XSD values.

Elements are named with the prefixes of `NS` ("tt:Name"); `build_envelope` declares every prefix once
on the envelope, so QName-valued text (fault subcodes, event topics) always resolves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# lxml ships no type hints; with lxml-stubs installed the ignores are simply unused.
from lxml import etree as etree  # type: ignore[import-untyped, unused-ignore]
from lxml.etree import _Element as Element  # type: ignore[import-untyped, unused-ignore]

__all__ = [  # Element and etree are re-exported: the other sim modules get lxml from here
    "NS",
    "SOAP12_CONTENT_TYPE",
    "Element",
    "Envelope",
    "SoapFaultError",
    "build_envelope",
    "build_fault",
    "check_must_understand",
    "el",
    "etree",
    "fault_element",
    "find",
    "find_text",
    "format_bool",
    "format_datetime",
    "format_duration",
    "format_float",
    "invalid_arg",
    "parse_absolute_or_relative",
    "parse_bool",
    "parse_datetime",
    "parse_duration",
    "parse_envelope",
    "qn",
    "receiver_fault",
    "safe_fromstring",
    "sender_fault",
    "utc_now",
]

NS: Mapping[str, str] = {
    "env": "http://www.w3.org/2003/05/soap-envelope",
    "xs": "http://www.w3.org/2001/XMLSchema",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
    "wsnt": "http://docs.oasis-open.org/wsn/b-2",
    "wstop": "http://docs.oasis-open.org/wsn/t-1",
    "wsrf-r": "http://docs.oasis-open.org/wsrf/r-2",
    "wsrf-bf": "http://docs.oasis-open.org/wsrf/bf-2",
    "tt": "http://www.onvif.org/ver10/schema",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tptz": "http://www.onvif.org/ver20/ptz/wsdl",
    "tev": "http://www.onvif.org/ver10/events/wsdl",
    "ter": "http://www.onvif.org/ver10/error",
    "tns1": "http://www.onvif.org/ver10/topics",
}
SOAP12_CONTENT_TYPE = "application/soap+xml; charset=utf-8"
_SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def qn(prefixed: str) -> str:
    """'tt:Name' → '{http://www.onvif.org/ver10/schema}Name' (Clark notation)."""
    prefix, _, local = prefixed.partition(":")
    return f"{{{NS[prefix]}}}{local}"


def el(
    prefixed: str,
    text: str | None = None,
    children: Iterable[Element | None] = (),
    **attrib: str,
) -> Element:
    """Build one element; `None` children are skipped so optional parts read naturally."""
    node = etree.Element(qn(prefixed), attrib=attrib or None)
    if text is not None:
        node.text = text
    for child in children:
        if child is not None:
            node.append(child)
    return node


def find(parent: Element, prefixed: str) -> Element | None:
    found: Element | None = parent.find(qn(prefixed))
    return found


def find_text(parent: Element, prefixed: str) -> str | None:
    node = find(parent, prefixed)
    if node is None or node.text is None:
        return None
    return str(node.text).strip()


class SoapFaultError(Exception):
    """A SOAP 1.2 fault; raised by handlers, turned into a fault envelope by the server.

    `code` is the env:Code value ("Sender", "Receiver", "MustUnderstand", "VersionMismatch");
    `subcodes` are prefixed QNames, outermost first (e.g. "ter:InvalidArgVal", "ter:NoProfile").
    """

    def __init__(
        self,
        code: str,
        subcodes: tuple[str, ...],
        reason: str,
        *,
        detail: Element | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.subcodes = subcodes
        self.reason = reason
        self.detail = detail
        # SOAP 1.2 HTTP binding: Sender faults are 400, all the others 500.
        self.http_status = http_status or (400 if code == "Sender" else 500)


def sender_fault(*subcodes: str, reason: str) -> SoapFaultError:
    return SoapFaultError("Sender", subcodes, reason)


def receiver_fault(*subcodes: str, reason: str) -> SoapFaultError:
    return SoapFaultError("Receiver", subcodes, reason)


def invalid_arg(subcode: str, reason: str) -> SoapFaultError:
    return SoapFaultError("Sender", ("ter:InvalidArgVal", subcode), reason)


@dataclass(frozen=True, slots=True)
class Envelope:
    header: Element | None
    operation: Element  # first element child of env:Body

    @property
    def operation_name(self) -> str:
        return str(etree.QName(self.operation).localname)


def _make_parser() -> etree.XMLParser:
    # No DTD, no entities, no network: a device must not be a billion-laughs or XXE target.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


_PARSER = _make_parser()


def safe_fromstring(data: bytes) -> Element:
    """Parse untrusted XML: no DTD, no entity expansion, no network. Raise ValueError if not XML."""
    try:
        root: Element = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"malformed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise ValueError("DTDs are not allowed")
    return root


def parse_envelope(data: bytes) -> Envelope:
    """Parse and check a SOAP 1.2 request; raise `SoapFaultError` for anything malformed."""
    if not data.strip():
        raise sender_fault(reason="Empty request body")
    try:
        root = safe_fromstring(data)
    except ValueError as exc:
        raise sender_fault("ter:WellFormed", reason=str(exc)) from None
    if root.tag == f"{{{_SOAP11_ENV}}}Envelope":
        raise SoapFaultError("VersionMismatch", (), "Only SOAP 1.2 is supported")
    if root.tag != qn("env:Envelope"):
        raise sender_fault(reason="Root element is not a SOAP 1.2 Envelope")
    header = find(root, "env:Header")
    body = find(root, "env:Body")
    if body is None:
        raise sender_fault(reason="SOAP Body missing")
    operation = next((child for child in body if isinstance(child.tag, str)), None)
    if operation is None:
        raise sender_fault(reason="SOAP Body is empty")
    return Envelope(header=header, operation=operation)


def check_must_understand(header: Element | None, understood: Iterable[str]) -> None:
    """SOAP 1.2: a header block marked mustUnderstand that we do not process is a fault."""
    if header is None:
        return
    namespaces = set(understood)
    for block in header:
        if not isinstance(block.tag, str):
            continue
        flag = block.get(qn("env:mustUnderstand"), "false").strip()
        if flag in ("true", "1") and etree.QName(block).namespace not in namespaces:
            raise SoapFaultError(
                "MustUnderstand", (), f"Header {etree.QName(block).localname} not understood"
            )


def build_envelope(body_child: Element, header_children: Iterable[Element] = ()) -> bytes:
    envelope = etree.Element(qn("env:Envelope"), nsmap=dict(NS))
    headers = list(header_children)
    if headers:
        header = etree.SubElement(envelope, qn("env:Header"))
        header.extend(headers)
    body = etree.SubElement(envelope, qn("env:Body"))
    body.append(body_child)
    # Children built without an nsmap carry ns0-style declarations: fold them into the top prefixes.
    etree.cleanup_namespaces(envelope, top_nsmap=dict(NS), keep_ns_prefixes=list(NS))
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
    return data


def fault_element(fault: SoapFaultError) -> Element:
    code = el("env:Code", children=[el("env:Value", f"env:{fault.code}")])
    parent = code
    for subcode in fault.subcodes:
        node = el("env:Subcode", children=[el("env:Value", subcode)])
        parent.append(node)
        parent = node
    reason = el("env:Reason")
    text = el("env:Text", fault.reason)
    text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    reason.append(text)
    detail = el("env:Detail", children=[fault.detail]) if fault.detail is not None else None
    return el("env:Fault", children=[code, reason, detail])


def build_fault(fault: SoapFaultError) -> bytes:
    return build_envelope(fault_element(fault))


# --- XSD values -----------------------------------------------------------------------------------

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> float:
    """xs:duration → seconds (years as 365 days, months as 30). Raise ValueError if invalid."""
    value = text.strip()
    match = _DURATION.match(value)
    if match is None or value in ("P", "-P") or value.endswith("T"):
        raise ValueError(f"invalid xs:duration {text!r}")
    parts = match.groupdict()
    seconds = (
        int(parts["years"] or 0) * 365 * 86400
        + int(parts["months"] or 0) * 30 * 86400
        + int(parts["days"] or 0) * 86400
        + int(parts["hours"] or 0) * 3600
        + int(parts["minutes"] or 0) * 60
        + float(parts["seconds"] or 0)
    )
    return -seconds if parts["sign"] else seconds


def format_duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        raise ValueError("duration must be finite")
    text = f"{abs(seconds):.3f}".rstrip("0").rstrip(".")
    return f"{'-' if seconds < 0 else ''}PT{text}S"


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_datetime(moment: datetime) -> str:
    """xs:dateTime in UTC with a Z suffix, second precision (what cameras send)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(text: str) -> datetime:
    """xs:dateTime → aware datetime; a value without offset is taken as UTC. Raise ValueError."""
    moment = datetime.fromisoformat(text.strip())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def parse_absolute_or_relative(text: str, now: datetime) -> float:
    """wsnt:AbsoluteOrRelativeTimeType → seconds from `now` (may be ≤ 0). Raise ValueError."""
    value = text.strip()
    if value.startswith(("P", "-P")):
        return parse_duration(value)
    return (parse_datetime(value) - now) / timedelta(seconds=1)


def parse_bool(text: str | None, default: bool) -> bool:
    if text is None:
        return default
    value = text.strip()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ValueError(f"invalid xs:boolean {text!r}")


def format_bool(value: bool) -> str:
    return "true" if value else "false"


def format_float(value: float) -> str:
    return repr(float(value))
