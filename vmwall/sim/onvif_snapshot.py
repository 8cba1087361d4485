"""The snapshot URL of a simulated camera: HTTP Digest authentication (RFC 7616) and a default JPEG.

Digest is what cameras ask for and what onvif-zeep-async's `get_snapshot()` answers by default
(MD5, qop=auth; nonces are stateless HMACs valid for 5 minutes, a stale one is flagged so the
client retries). Basic authentication is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
import time
from collections.abc import Callable

from PIL import Image, ImageDraw

from vmwall.sim.spec import SimCameraSpec

REALM = "vmwall-sim"
NONCE_LIFETIME_S = 300.0
_PAIR = re.compile(r'(\w+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)')
_HASHES: dict[str, Callable[[bytes], str]] = {
    "MD5": lambda data: hashlib.md5(data).hexdigest(),
    "SHA-256": lambda data: hashlib.sha256(data).hexdigest(),
}


def parse_digest_header(value: str) -> dict[str, str] | None:
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    fields: dict[str, str] = {}
    for key, raw in _PAIR.findall(rest):
        if raw.startswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        fields[key.lower()] = raw
    return fields


class DigestAuthenticator:
    """Checks `Authorization: Digest …` headers for one account."""

    def __init__(self, username: str, password: str, clock: Callable[[], float] = time.time) -> None:
        self._username = username
        self._password = password
        self._clock = clock
        self._secret = secrets.token_bytes(32)
        self._opaque = secrets.token_hex(8)

    def _nonce(self, issued: int) -> str:
        stamp = f"{issued:x}"
        mac = hmac.new(self._secret, stamp.encode(), hashlib.sha256).hexdigest()[:32]
        return f"{stamp}.{mac}"

    def _nonce_state(self, nonce: str) -> str:
        """'valid', 'stale' or 'invalid'."""
        stamp, _, _ = nonce.partition(".")
        try:
            issued = int(stamp, 16)
        except ValueError:
            return "invalid"
        if not hmac.compare_digest(self._nonce(issued), nonce):
            return "invalid"
        return "valid" if self._clock() - issued <= NONCE_LIFETIME_S else "stale"

    def challenge(self, stale: bool = False) -> str:
        nonce = self._nonce(int(self._clock()))
        value = f'Digest realm="{REALM}", qop="auth", algorithm=MD5, nonce="{nonce}", opaque="{self._opaque}"'
        return value + (", stale=true" if stale else "")

    def check(self, method: str, authorization: str | None) -> str:
        """'ok', 'stale' (retry with a fresh nonce) or 'denied'."""
        fields = parse_digest_header(authorization) if authorization else None
        if not fields:
            return "denied"
        hash_fn = _HASHES.get(fields.get("algorithm", "MD5").upper())
        needed = ("username", "realm", "nonce", "uri", "response")
        if hash_fn is None or any(key not in fields for key in needed) or fields["realm"] != REALM:
            return "denied"
        nonce_state = self._nonce_state(fields["nonce"])
        if nonce_state == "invalid":
            return "denied"
        ha1 = hash_fn(f"{fields['username']}:{REALM}:{self._password}".encode())
        ha2 = hash_fn(f"{method}:{fields['uri']}".encode())
        qop = fields.get("qop")
        if qop == "auth":
            material = f"{ha1}:{fields['nonce']}:{fields.get('nc', '')}:{fields.get('cnonce', '')}:auth:{ha2}"
        elif qop is None:
            material = f"{ha1}:{fields['nonce']}:{ha2}"
        else:
            return "denied"
        expected = hash_fn(material.encode())
        user_ok = hmac.compare_digest(fields["username"].encode(), self._username.encode())
        if not (user_ok and hmac.compare_digest(fields["response"].encode(), expected.encode())):
            return "denied"
        return "ok" if nonce_state == "valid" else "stale"


def default_snapshot(spec: SimCameraSpec, size: tuple[int, int] = (640, 360)) -> bytes:
    """A small JPEG in the camera's colour with its number, for farms without a frame source."""
    image = Image.new("RGB", size, spec.colour)
    draw = ImageDraw.Draw(image)
    draw.text((16, 16), f"CAM {spec.number}  {spec.name}", fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()
