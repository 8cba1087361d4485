"""What a camera says about itself when asked over ONVIF: pure values, no library types."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """GetDeviceInformation, as the device reports it (any field may be empty)."""

    manufacturer: str | None = None
    model: str | None = None
    firmware_version: str | None = None
    serial_number: str | None = None
    hardware_id: str | None = None


@dataclass(frozen=True, slots=True)
class MediaProfile:
    """One media profile: a video encoder configuration and, when asked for, its RTSP URI."""

    token: str
    name: str
    encoding: str | None = None  # "H264", "H265", "JPEG"...
    width: int | None = None
    height: int | None = None
    frame_rate: float | None = None
    ptz: bool = False  # the profile carries a PTZ configuration
    stream_uri: str | None = None  # never carries credentials

    @property
    def pixels(self) -> int:
        return (self.width or 0) * (self.height or 0)

    @property
    def resolution(self) -> str | None:
        if self.width and self.height:
            return f"{self.width}x{self.height}"
        return None


@dataclass(frozen=True, slots=True)
class DeviceProbe:
    """Everything learnt from one ONVIF device: identity, profiles, chosen main and sub streams."""

    host: str
    port: int
    info: DeviceInfo
    profiles: tuple[MediaProfile, ...]
    main: MediaProfile | None  # the largest video profile (with its stream URI)
    sub: MediaProfile | None  # the smallest other video profile, None when there is only one
    snapshot_uri: str | None = None
    ptz: bool = False  # the device has a PTZ service and the main profile a PTZ configuration
    name: str | None = None  # from the device's onvif://www.onvif.org/name/ scope
    clock_offset_s: float | None = None  # device clock minus ours, when the device told its time

    @property
    def address(self) -> str:
        return format_address(self.host, self.port)


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    """A device to query and the account to query it with. The password never shows in its repr."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)

    @property
    def address(self) -> str:
        return format_address(self.host, self.port)


@dataclass(frozen=True, slots=True)
class DiscoveredDevice:
    """One answer to a WS-Discovery Probe."""

    endpoint: str  # the device's stable identity (usually urn:uuid:...)
    xaddrs: tuple[str, ...]  # device service URLs, e.g. http://192.0.2.10/onvif/device_service
    scopes: tuple[str, ...]
    name: str | None = None
    hardware: str | None = None

    @property
    def address(self) -> str | None:
        """HOST:PORT of the first service URL, as `vmwall cameras add --onvif` takes it."""
        for xaddr in self.xaddrs:
            parsed = _host_port(xaddr)
            if parsed is not None:
                return format_address(*parsed)
        return None


def choose_main_and_sub(
    profiles: tuple[MediaProfile, ...],
) -> tuple[MediaProfile | None, MediaProfile | None]:
    """Main = the profile with the most pixels, sub = the one with the fewest among the others.

    Ties keep the device's order (devices list their main profile first). A single profile gives
    no sub stream: the grid then plays the main stream.
    """
    if not profiles:
        return None, None
    main = max(profiles, key=lambda p: p.pixels)  # max() keeps the first of equals
    others = [p for p in profiles if p is not main]
    if not others:
        return main, None
    sub = min(reversed(others), key=lambda p: p.pixels)  # the last of equals: usually the sub profile
    if sub.pixels == main.pixels and main.pixels:
        return main, None
    return main, sub


def format_address(host: str, port: int) -> str:
    """HOST:PORT, with IPv6 literals in brackets."""
    if ":" in host and not host.startswith("["):
        return f"[{host}]:{port}"
    return f"{host}:{port}"


def parse_address(text: str, default_port: int = 80) -> tuple[str, int]:
    """Parse HOST, HOST:PORT, [IPv6] or [IPv6]:PORT; raises ValueError with a plain reason."""
    text = text.strip()
    port_text: str | None = None
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep:
            raise ValueError(f"{text!r}: unclosed [ in an IPv6 address")
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"{text!r}: expected :PORT after ]")
            port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host = text  # a name, an IPv4 address or a bare IPv6 literal
    if not host or any(ch.isspace() or ch in "/@?#[]" for ch in host):
        raise ValueError(f"{text!r} is not a host name or address")
    if port_text is None:
        return host, default_port
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"{text!r}: port {port_text!r} is not a number in 1..65535")
    return host, int(port_text)


def _host_port(url: str) -> tuple[str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return parts.hostname, port


ONVIF_SCOPE_PREFIX = "onvif://www.onvif.org/"


def scope_value(scopes: tuple[str, ...], category: str) -> str | None:
    """The decoded value of the first ``onvif://www.onvif.org/<category>/<value>`` scope.

    Devices percent-encode spaces (``Entr%C3%A9e%20mairie``); the value comes back decoded.
    """
    prefix = f"{ONVIF_SCOPE_PREFIX}{category}/"
    for scope in scopes:
        if scope.startswith(prefix):
            value = unquote(scope[len(prefix) :]).strip()
            if value:
                return value
    return None
