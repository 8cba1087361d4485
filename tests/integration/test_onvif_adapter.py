"""The ONVIF adapter against real SOAP over HTTP on 127.0.0.1: simulated devices, dead ports, silent
servers, servers that answer nonsense, and WS-Discovery over UDP."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import http.server
import logging
import os
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from typing import ClassVar

import pytest

from tests.fixtures.onvif_sim import SIM_PASSWORDS, SIM_USER, spec_of
from vmwall.model.device import DeviceProbe, ProbeTarget
from vmwall.onvif.client import probe_device, probe_device_sync, probe_devices_sync
from vmwall.onvif.discovery import discover_sync
from vmwall.onvif.errors import CameraAuthError, CameraProtocolError, CameraUnreachableError
from vmwall.sim.discovery import DiscoveryResponder
from vmwall.sim.onvif_device import SimOnvifFarm
from vmwall.sim.spec import SimCameraSpec

USER = SIM_USER
PASSWORD = SIM_PASSWORDS[1]  # camera 1 (PTZ); 2 is PTZ too, 3 fixed
FIXED_PASSWORD = SIM_PASSWORDS[3]


@pytest.fixture
def dead_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A server that accepts TCP connections (the kernel does, from the backlog) and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield sock.getsockname()[1]
    sock.close()


class _CannedHandler(http.server.BaseHTTPRequestHandler):
    replies: ClassVar[dict[int, tuple[int, bytes]]] = {}

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status, body = self.replies[self.server.server_address[1]]  # type: ignore[index]
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def canned_server(status: int, body: bytes) -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CannedHandler)
    port = server.server_address[1]
    _CannedHandler.replies[port] = (status, body)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_ptz_camera_tells_everything(onvif_farm: SimOnvifFarm) -> None:
    spec = spec_of(onvif_farm, 1)
    probe = probe_device_sync(spec.host, spec.onvif_port, USER, PASSWORD, timeout_s=5)
    assert isinstance(probe, DeviceProbe)
    assert (probe.host, probe.port, probe.address) == ("127.0.0.1", spec.onvif_port, spec.onvif_address)
    assert probe.info.manufacturer and probe.info.model and probe.info.serial_number
    assert probe.name == "Parvis de la mairie"
    assert probe.main is not None and probe.sub is not None
    assert probe.main.pixels > probe.sub.pixels
    assert probe.main.stream_uri and probe.main.stream_uri.startswith("rtsp://127.0.0.1:")
    assert probe.sub.stream_uri and probe.sub.stream_uri != probe.main.stream_uri
    assert "@" not in probe.main.stream_uri + probe.sub.stream_uri
    assert probe.snapshot_uri and probe.snapshot_uri.startswith(f"http://{spec.onvif_address}/")
    assert probe.ptz is True
    assert probe.clock_offset_s is not None and abs(probe.clock_offset_s) < 5


def test_a_fixed_camera_has_no_ptz(onvif_farm: SimOnvifFarm) -> None:
    spec = spec_of(onvif_farm, 3)
    probe = probe_device_sync(spec.host, spec.onvif_port, USER, FIXED_PASSWORD)
    assert probe.ptz is False and probe.main is not None and not probe.main.ptz


@pytest.mark.parametrize(("user", "password"), [(USER, "wrong"), ("intruder", PASSWORD), (USER, "")])
def test_wrong_credentials(
    onvif_farm: SimOnvifFarm, user: str, password: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    spec = spec_of(onvif_farm, 1)
    with pytest.raises(CameraAuthError) as caught:
        probe_device_sync(spec.host, spec.onvif_port, user, password)
    assert str(caught.value) == f"camera {spec.onvif_address} refused the credentials"
    assert PASSWORD not in caplog.text and (not password or password not in caplog.text)


def test_nothing_listening(dead_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(CameraUnreachableError) as caught:
        probe_device_sync("127.0.0.1", dead_port, USER, PASSWORD, timeout_s=3)
    assert str(caught.value) == f"no answer from 127.0.0.1:{dead_port} within 3 s (connection refused)"
    assert time.monotonic() - started < 2


def test_a_silent_server_is_given_up_on_time(silent_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(CameraUnreachableError) as caught:
        probe_device_sync("127.0.0.1", silent_port, USER, PASSWORD, timeout_s=1.5)
    elapsed = time.monotonic() - started
    assert str(caught.value) == f"no answer from 127.0.0.1:{silent_port} within 1.5 s"
    assert 1.4 < elapsed < 2.3


def test_an_unknown_host_name() -> None:
    # Unknown at once from the resolver, or (a resolver that never answers) at the deadline.
    expected = r"^no answer from no-such-camera\.invalid:80 within 2 s( \(unknown host name\))?$"
    with pytest.raises(CameraUnreachableError, match=expected):
        probe_device_sync("no-such-camera.invalid", 80, USER, PASSWORD, timeout_s=2)


@pytest.mark.parametrize(
    ("status", "body", "error", "detail"),
    [
        (401, b"", CameraAuthError, "refused the credentials"),
        (200, b"<html>Welcome to the router</html>", CameraProtocolError, "cannot use"),
        (404, b"<html>Not found</html>", CameraProtocolError, "cannot use"),
    ],
)
def test_servers_that_are_no_onvif_device(
    status: int, body: bytes, error: type[Exception], detail: str
) -> None:
    with canned_server(status, body) as port, pytest.raises(error, match=detail) as caught:
        probe_device_sync("127.0.0.1", port, USER, PASSWORD, timeout_s=3)
    assert PASSWORD not in str(caught.value)


def test_many_devices_at_once_keep_their_order(onvif_farm: SimOnvifFarm, dead_port: int) -> None:
    one, three = spec_of(onvif_farm, 1), spec_of(onvif_farm, 3)
    targets = [
        ProbeTarget(one.host, one.onvif_port, USER, PASSWORD),
        ProbeTarget("127.0.0.1", dead_port, USER, PASSWORD),
        ProbeTarget(three.host, three.onvif_port, USER, PASSWORD),  # camera 1's password
        ProbeTarget(three.host, three.onvif_port, USER, FIXED_PASSWORD),
    ]
    results = probe_devices_sync(targets, timeout_s=3, concurrency=2)
    assert isinstance(results[0], DeviceProbe) and results[0].ptz
    assert isinstance(results[1], CameraUnreachableError)
    assert isinstance(results[2], CameraAuthError)
    assert isinstance(results[3], DeviceProbe) and not results[3].ptz


def test_probing_leaves_no_open_session(onvif_farm: SimOnvifFarm, caplog: pytest.LogCaptureFixture) -> None:
    spec = spec_of(onvif_farm, 1)

    async def twice() -> None:
        await probe_device(spec.host, spec.onvif_port, USER, PASSWORD)
        with contextlib.suppress(CameraAuthError):
            await probe_device(spec.host, spec.onvif_port, USER, "wrong")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        asyncio.run(twice())
        gc.collect()
    assert not [w for w in caught if "nclosed" in str(w.message)]
    assert "Unclosed" not in caplog.text
    assert not [t for t in threading.enumerate() if t.name.startswith("asyncio_")]


# --- WS-Discovery over real UDP ---------------------------------------------------------------


@contextlib.contextmanager
def udp_responder(answer: bytes, *, echo_relates_to: bool = True, copies: int = 1) -> Iterator[int]:
    """A minimal device side of WS-Discovery: answers every datagram with ``answer``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            reply = answer
            if echo_relates_to:
                start = data.index(b"<a:MessageID>") + len(b"<a:MessageID>")
                message_id = data[start : data.index(b"</a:MessageID>")]
                reply = answer.replace(b"{relates}", message_id)
            for _ in range(copies):
                sock.sendto(reply, peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        sock.close()


_ANSWER = b"""<?xml version="1.0"?>
<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"
 xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing"
 xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">
<e:Header><w:RelatesTo>{relates}</w:RelatesTo></e:Header>
<e:Body><d:ProbeMatches><d:ProbeMatch>
<w:EndpointReference><w:Address>urn:uuid:sim-7</w:Address></w:EndpointReference>
<d:Types>dn:NetworkVideoTransmitter</d:Types>
<d:Scopes>onvif://www.onvif.org/name/Cam%207 onvif://www.onvif.org/hardware/SimCam</d:Scopes>
<d:XAddrs>http://127.0.0.1:8007/onvif/device_service</d:XAddrs>
</d:ProbeMatch></d:ProbeMatches></e:Body></e:Envelope>"""


def test_discovery_by_unicast() -> None:
    with udp_responder(_ANSWER, copies=2) as port:
        started = time.monotonic()
        devices = discover_sync(target=("127.0.0.1", port), window_s=0.6)
        elapsed = time.monotonic() - started
    (device,) = devices  # two probes, two copies each: one device
    assert (device.endpoint, device.address, device.name, device.hardware) == (
        "urn:uuid:sim-7",
        "127.0.0.1:8007",
        "Cam 7",
        "SimCam",
    )
    assert 0.5 < elapsed < 1.5


def test_discovery_ignores_answers_to_someone_else() -> None:
    stale = _ANSWER.replace(b"{relates}", b"urn:uuid:another-probe")
    with udp_responder(stale, echo_relates_to=False) as port:
        assert discover_sync(target=("127.0.0.1", port), window_s=0.4) == []


def test_discovery_with_nobody_there(dead_port: int) -> None:
    assert discover_sync(target=("127.0.0.1", dead_port), window_s=0.3) == []


def _sim_specs() -> list[SimCameraSpec]:
    return [
        SimCameraSpec(n, f"Caméra {n}", USER, PASSWORD, "127.0.0.1", 8000 + n, 8554, ptz=n != 3)
        for n in (1, 2, 3)
    ]


def test_discovery_of_the_simulated_devices_by_unicast() -> None:
    responder = DiscoveryResponder(_sim_specs(), port=0)
    responder.start()
    try:
        devices = discover_sync(target=("127.0.0.1", responder.port), window_s=0.5)
    finally:
        responder.close()
    assert [(d.address, d.name, d.hardware) for d in devices] == [
        ("127.0.0.1:8001", "Caméra 1", "SimCam"),
        ("127.0.0.1:8002", "Caméra 2", "SimCam"),
        ("127.0.0.1:8003", "Caméra 3", "SimCam"),
    ]
    assert len({d.endpoint for d in devices}) == 3


def test_discovery_by_multicast_on_the_loopback_interface() -> None:
    """The real multicast path: probe to 239.255.255.250:3702, a responder that joined the group."""
    responder = DiscoveryResponder(_sim_specs(), host="127.0.0.1", port=3702, join_multicast=True)
    try:
        responder.start()
    except OSError as exc:
        pytest.skip(f"cannot join the WS-Discovery group on this machine: {exc}")
    try:
        started = time.monotonic()
        devices = discover_sync(window_s=0.6, interface="127.0.0.1")
        elapsed = time.monotonic() - started
    finally:
        responder.close()
    addresses = {d.address for d in devices}
    assert {"127.0.0.1:8001", "127.0.0.1:8002", "127.0.0.1:8003"} <= addresses
    assert elapsed < 1.5


def test_the_library_does_not_take_the_proxy_settings_away(
    onvif_farm: SimOnvifFarm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", "http://proxy.example:3128")
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    spec = spec_of(onvif_farm, 3)
    probe_device_sync(spec.host, spec.onvif_port, USER, FIXED_PASSWORD)  # not through the proxy either
    assert os.environ["http_proxy"] == os.environ["https_proxy"] == "http://proxy.example:3128"


def test_a_device_without_a_usable_utc_clock_is_asked_without_the_offset(
    onvif_farm: SimOnvifFarm, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onvif.client import ONVIFCamera

    original = ONVIFCamera._adjust_time

    async def no_utc_date_time(self: ONVIFCamera, devicemgmt: object) -> object:
        if self.adjust_time:
            raise AttributeError("'NoneType' object has no attribute 'Date'")  # reply without UTCDateTime
        return await original(self, devicemgmt)

    monkeypatch.setattr(ONVIFCamera, "_adjust_time", no_utc_date_time)
    spec = spec_of(onvif_farm, 1)
    probe = probe_device_sync(spec.host, spec.onvif_port, USER, PASSWORD)
    assert probe.main is not None and probe.clock_offset_s is None
