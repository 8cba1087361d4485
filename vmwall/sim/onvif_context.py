"""What the ONVIF operation handlers of one simulated camera share: the device, the call, the registry."""

from __future__ import annotations

import enum
import threading
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from vmwall.sim.events import EventHub
from vmwall.sim.ptz_state import PtzState
from vmwall.sim.soap import NS, Element
from vmwall.sim.spec import SimCameraSpec
from vmwall.sim.wsse import UsernameTokenVerifier

DEVICE_PATH = "/onvif/device_service"
MEDIA_PATH = "/onvif/media_service"
PTZ_PATH = "/onvif/ptz_service"
EVENTS_PATH = "/onvif/events_service"
SUBSCRIPTION_PATH_PREFIX = "/onvif/subscription/"
SNAPSHOT_PATH = "/snapshot.jpg"

MANUFACTURER = "vmwall"
MODEL = "SimCam"
FIRMWARE_VERSION = "1.0.0-sim"

VIDEO_SOURCE_TOKEN = "vs_1"
VIDEO_SOURCE_CONFIG_TOKEN = "vsc_1"
PTZ_NODE_TOKEN = "ptz_node_1"
PTZ_CONFIG_TOKEN = "ptz_cfg_1"

_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})


@dataclass(frozen=True, slots=True)
class StreamProfile:
    token: str
    name: str
    encoder_token: str
    width: int
    height: int
    fps: int
    bitrate_kbps: int
    gov_length: int


PROFILES: tuple[StreamProfile, ...] = (
    StreamProfile("main", "main", "venc_main", 1920, 1080, 25, 4096, 25),
    StreamProfile("sub", "sub", "venc_sub", 640, 360, 25, 512, 25),
)


def device_scopes(spec: SimCameraSpec) -> list[str]:
    """ONVIF scopes of a camera (GetScopes and WS-Discovery)."""
    scopes = [
        "onvif://www.onvif.org/type/video_encoder",
        "onvif://www.onvif.org/type/Network_Video_Transmitter",
        "onvif://www.onvif.org/Profile/Streaming",
        f"onvif://www.onvif.org/hardware/{MODEL}",
        f"onvif://www.onvif.org/name/{quote(spec.name, safe='')}",
        "onvif://www.onvif.org/location/country/france",
        f"onvif://www.onvif.org/location/vmwall-sim/camera-{spec.number}",
    ]
    if spec.ptz:
        scopes.insert(1, "onvif://www.onvif.org/type/ptz")
    return scopes


def endpoint_uuid(spec: SimCameraSpec) -> str:
    """Stable per camera (not per port), as a real device's WS-Discovery endpoint reference."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:vmwall:sim:{spec.number}:{spec.name}"))


class SimDevice:
    """One simulated camera as its ONVIF handlers see it."""

    def __init__(
        self,
        spec: SimCameraSpec,
        *,
        ptz: PtzState | None,
        events: EventHub,
        verifier: UsernameTokenVerifier,
    ) -> None:
        self.spec = spec
        self.ptz = ptz
        self.events = events
        self.verifier = verifier
        self.uuid = endpoint_uuid(spec)
        self.serial_number = f"SIM-{spec.number:04d}-{self.uuid[:8].upper()}"
        self.hardware_id = f"SIMCAM-{'PTZ' if spec.ptz else 'FIX'}"
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()

    def count(self, operation: str) -> None:
        with self._counts_lock:
            self._counts[operation] += 1

    def request_count(self, operation: str) -> int:
        with self._counts_lock:
            return self._counts[operation]

    def advertised_host(self, request_host: str | None) -> str:
        """The host to put in URLs: the spec's, or the one the client used if we bind a wildcard."""
        if self.spec.host not in _WILDCARD_HOSTS or not request_host:
            return self.spec.host
        return urlsplit(f"//{request_host}").hostname or self.spec.host

    def base_url(self, request_host: str | None) -> str:
        host = self.advertised_host(request_host)
        if ":" in host:  # IPv6 literal
            host = f"[{host}]"
        return f"http://{host}:{self.spec.onvif_port}"

    def rewrite_host(self, uri: str, request_host: str | None) -> str:
        """Swap a wildcard host in a spec URI for the advertised one."""
        if self.spec.host not in _WILDCARD_HOSTS:
            return uri
        parts = urlsplit(uri)
        host = self.advertised_host(request_host)
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit(parts._replace(netloc=netloc))


@dataclass(frozen=True, slots=True)
class Call:
    device: SimDevice
    body: Element  # the operation element, first child of env:Body
    path: str
    request_host: str | None

    def url(self, path: str) -> str:
        return self.device.base_url(self.request_host) + path


Handler = Callable[[Call], Awaitable[Element]]


class Access(enum.Enum):
    USER = "user"  # valid credentials required
    PRE_AUTH = "pre_auth"  # ONVIF PRE_AUTH class: no credentials needed, but wrong ones are refused
    OPEN = "open"  # credentials ignored (GetSystemDateAndTime: clients call it to fix their clock)


@dataclass(frozen=True, slots=True)
class Operation:
    handler: Handler
    access: Access = Access.USER


def operation_key(prefix: str, name: str) -> str:
    """Registry key of an operation: the Clark name of its request element."""
    return f"{{{NS[prefix]}}}{name}"
