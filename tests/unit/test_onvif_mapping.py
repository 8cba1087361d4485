"""The ONVIF adapter's pure parts: error mapping, conversion, main/sub choice, addresses, discovery XML."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import aiohttp
import pytest
from lxml import etree
from onvif.exceptions import ONVIFAuthError, ONVIFError, ONVIFTimeoutError
from zeep.exceptions import Fault, TransportError

from vmwall.model.device import (
    MediaProfile,
    ProbeTarget,
    choose_main_and_sub,
    format_address,
    parse_address,
    scope_value,
)
from vmwall.onvif.convert import device_info_from, media_profile_from, name_from_scopes, strip_credentials
from vmwall.onvif.discovery import build_probe, merge_devices, parse_probe_matches
from vmwall.onvif.errors import CameraAuthError, CameraProtocolError, CameraUnreachableError
from vmwall.onvif.mapping import map_exception

ADDRESS = "192.0.2.7:80"
SECRET = "hunter2-secret"
TER = "http://www.onvif.org/ver10/error"


def _fault(message: str, *subcodes: str) -> Fault:
    codes = [etree.QName(TER, s) for s in subcodes] or None
    return Fault(message, code="Sender", subcodes=codes)


def _connector_error(cause: OSError) -> aiohttp.ClientConnectorError:
    key = SimpleNamespace(host="192.0.2.7", port=80, ssl=None)
    return aiohttp.ClientConnectorError(key, cause)  # type: ignore[arg-type]


def _wrapped(inner: BaseException) -> ONVIFError:
    try:
        try:
            raise inner
        except Exception as exc:
            raise ONVIFError(exc) from exc
    except ONVIFError as outer:
        return outer


@pytest.mark.parametrize(
    "exc",
    [
        _fault("Sender not authorized", "NotAuthorized"),
        _fault("The security token could not be authenticated or authorized"),
        _fault("wsse:FailedAuthentication"),
        TransportError("Server returned HTTP status 401 (no content available)", status_code=401),
        TransportError("forbidden", status_code=403),
        ONVIFAuthError("Failed to authenticate"),
        _wrapped(_fault("Sender not authorized", "NotAuthorized")),
    ],
)
def test_authentication_failures(exc: BaseException) -> None:
    error = map_exception(exc, ADDRESS, 5.0)
    assert isinstance(error, CameraAuthError)
    assert str(error) == f"camera {ADDRESS} refused the credentials"


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (TimeoutError(), f"no answer from {ADDRESS} within 2.5 s"),
        (ONVIFTimeoutError("late"), f"no answer from {ADDRESS} within 2.5 s"),
        (
            _connector_error(ConnectionRefusedError(111, "Connect call failed")),
            f"no answer from {ADDRESS} within 2.5 s (connection refused)",
        ),
        (
            _wrapped(_connector_error(socket.gaierror(-2, "Name or service not known"))),
            f"no answer from {ADDRESS} within 2.5 s (unknown host name)",
        ),
        (
            _connector_error(OSError(113, "No route to host")),
            f"no answer from {ADDRESS} within 2.5 s (no route to host)",
        ),
        (
            aiohttp.ServerDisconnectedError(),
            f"no answer from {ADDRESS} within 2.5 s (the connection was closed",
        ),
    ],
)
def test_unreachable(exc: BaseException, expected: str) -> None:
    error = map_exception(exc, ADDRESS, 2.5)
    assert isinstance(error, CameraUnreachableError)
    assert str(error).startswith(expected)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (_fault("Optional Action Not Implemented", "ActionNotSupported"), "SOAP fault: Optional Action"),
        (TransportError("bad gateway", status_code=502), "HTTP status 502"),
        (ValueError("weird"), "unexpected ValueError: weird"),
        (
            _fault(f"echoed rtsp://admin:{SECRET}@cam/x and {SECRET}"),
            "SOAP fault: echoed rtsp://***@cam/x and ***",
        ),
    ],
)
def test_protocol_errors_keep_a_redacted_detail(exc: BaseException, expected: str) -> None:
    error = map_exception(exc, ADDRESS, 5.0, secrets=(SECRET,))
    assert isinstance(error, CameraProtocolError)
    assert str(error).startswith(f"camera {ADDRESS} gave an answer vmwall cannot use: ")
    assert expected in str(error)
    assert SECRET not in str(error)


def test_device_replies_are_read_defensively() -> None:
    info = device_info_from(SimpleNamespace(Manufacturer=" Acme ", Model="X1", FirmwareVersion=None))
    assert (info.manufacturer, info.model, info.firmware_version, info.serial_number) == (
        "Acme",
        "X1",
        None,
        None,
    )
    profile = media_profile_from(
        {
            "token": "p0",
            "Name": "mainStream",
            "VideoEncoderConfiguration": {
                "Encoding": "H264",
                "Resolution": {"Width": 2560, "Height": 1440},
                "RateControl": {"FrameRateLimit": 20},
            },
            "PTZConfiguration": {"token": "ptz0"},
        }
    )
    assert profile == MediaProfile("p0", "mainStream", "H264", 2560, 1440, 20.0, True)
    bare = media_profile_from(SimpleNamespace(token="p1", Name=None))
    assert bare == MediaProfile("p1", "", None, None, None, None, False)
    scopes = [
        SimpleNamespace(ScopeItem="onvif://www.onvif.org/type/video_encoder"),
        SimpleNamespace(ScopeItem="onvif://www.onvif.org/name/Entr%C3%A9e%20mairie"),
    ]
    assert name_from_scopes(scopes) == "Entrée mairie"
    assert name_from_scopes(None) is None


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("rtsp://192.0.2.7:554/Streaming/101", "rtsp://192.0.2.7:554/Streaming/101"),
        ("rtsp://admin:pw@192.0.2.7:554/live", "rtsp://192.0.2.7:554/live"),
        ("http://192.0.2.7/snap.cgi?user=admin&pwd=pw&chn=1", "http://192.0.2.7/snap.cgi?chn=1"),
        (None, None),
    ],
)
def test_credentials_are_stripped_from_device_uris(uri: str | None, expected: str | None) -> None:
    assert strip_credentials(uri) == expected


def _profile(token: str, width: int | None, height: int | None) -> MediaProfile:
    return MediaProfile(token, token, "H264", width, height)


def test_main_is_the_largest_and_sub_the_smallest_other() -> None:
    main, sub = choose_main_and_sub(
        (_profile("mid", 1280, 720), _profile("big", 3840, 2160), _profile("small", 640, 360))
    )
    assert (main and main.token, sub and sub.token) == ("big", "small")
    assert choose_main_and_sub(()) == (None, None)
    only = _profile("only", 1920, 1080)
    assert choose_main_and_sub((only,)) == (only, None)
    twins = (_profile("a", 1920, 1080), _profile("b", 1920, 1080))
    assert choose_main_and_sub(twins) == (twins[0], None)
    unknown = (_profile("first", None, None), _profile("second", None, None))
    assert choose_main_and_sub(unknown) == (unknown[0], unknown[1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.0.2.7:8080", ("192.0.2.7", 8080)),
        ("cam-12.mairie.local", ("cam-12.mairie.local", 80)),
        ("[fe80::1]:8000", ("fe80::1", 8000)),
        ("[fe80::1]", ("fe80::1", 80)),
        ("fe80::1", ("fe80::1", 80)),
    ],
)
def test_addresses_parse(text: str, expected: tuple[str, int]) -> None:
    assert parse_address(text) == expected
    assert parse_address(format_address(*expected)) == expected


@pytest.mark.parametrize(
    "text", ["", "host:", "host:0", "host:70000", "host:http", "[fe80::1", "a b:80", "u@h:80"]
)
def test_bad_addresses_say_why(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_address(text)


def test_probe_target_repr_hides_the_password() -> None:
    assert SECRET not in repr(ProbeTarget("h", 80, "admin", SECRET))


_MATCHES = """<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope"
 xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"
 xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"
 xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
<SOAP-ENV:Header>
<wsa:MessageID>urn:uuid:answer</wsa:MessageID>
<wsa:RelatesTo>{relates}</wsa:RelatesTo>
<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action>
</SOAP-ENV:Header>
<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch>
<wsa:EndpointReference><wsa:Address>urn:uuid:cam-1</wsa:Address></wsa:EndpointReference>
<d:Types>dn:NetworkVideoTransmitter</d:Types>
<d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/Parvis%20mairie
 onvif://www.onvif.org/hardware/DS-2DE4425IW</d:Scopes>
<d:XAddrs>{xaddrs}</d:XAddrs>
<d:MetadataVersion>1</d:MetadataVersion>
</d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>"""


def _matches(relates: str = "urn:uuid:mine", xaddrs: str = "http://192.0.2.20/onvif/device_service") -> bytes:
    return _MATCHES.format(relates=relates, xaddrs=xaddrs).encode()


def test_probe_matches_are_parsed() -> None:
    (device,) = parse_probe_matches(_matches(), "urn:uuid:mine")
    assert device.endpoint == "urn:uuid:cam-1"
    assert device.xaddrs == ("http://192.0.2.20/onvif/device_service",)
    assert (device.name, device.hardware, device.address) == (
        "Parvis mairie",
        "DS-2DE4425IW",
        "192.0.2.20:80",
    )
    assert len(device.scopes) == 3


def test_answers_to_other_probes_and_garbage_are_ignored() -> None:
    assert parse_probe_matches(_matches(relates="urn:uuid:theirs"), "urn:uuid:mine") == []
    assert parse_probe_matches(b"\x00\x01not xml", "urn:uuid:mine") == []
    assert parse_probe_matches(b"<a><b/></a>", "urn:uuid:mine") == []
    billion = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><l>&b;</l>'
    assert parse_probe_matches(billion, None) == []


def test_devices_answering_twice_are_merged() -> None:
    first = parse_probe_matches(_matches(), None)
    second = parse_probe_matches(_matches(xaddrs="http://[fe80::5]/onvif/device_service"), None)
    (device,) = merge_devices(first + second + first)
    assert device.xaddrs == (
        "http://192.0.2.20/onvif/device_service",
        "http://[fe80::5]/onvif/device_service",
    )


def test_the_probe_asks_for_video_transmitters() -> None:
    xml = etree.fromstring(build_probe("urn:uuid:x"))
    ns = {
        "d": "http://schemas.xmlsoap.org/ws/2005/04/discovery",
        "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    }
    assert xml.findtext(".//d:Types", namespaces=ns) == "tdn:NetworkVideoTransmitter"
    assert xml.findtext(".//a:MessageID", namespaces=ns) == "urn:uuid:x"
    assert scope_value(("onvif://www.onvif.org/name/A",), "hardware") is None
