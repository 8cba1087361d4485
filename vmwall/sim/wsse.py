"""WS-Security UsernameToken checking for the simulated ONVIF devices.

PasswordDigest = Base64(SHA-1(nonce + created + password)) (OASIS UsernameToken Profile 1.0, ONVIF
Core §5.12). A digest token must carry a Created time within the clock-skew window and a nonce not
seen before in that window; PasswordText is accepted too (what `ONVIFCamera(encrypt=False)` sends).
Error messages never contain a password or a digest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from vmwall.sim.soap import Element

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
PASSWORD_DIGEST_TYPE = f"{_PROFILE}#PasswordDigest"
PASSWORD_TEXT_TYPE = f"{_PROFILE}#PasswordText"
_HEX_ENCODING_SUFFIX = "#HexBinary"

DEFAULT_SKEW = timedelta(minutes=5)
DEFAULT_MAX_NONCES = 16384


class WsseError(Exception):
    """The request's credentials are missing, malformed, stale, replayed or wrong."""


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """Base64(SHA-1(nonce + created + password)), the UsernameToken PasswordDigest."""
    digest = hashlib.sha1(nonce + created.encode("utf-8") + password.encode("utf-8")).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True, slots=True)
class UsernameToken:
    username: str
    password: str  # the digest (Base64) or the plaintext, depending on `digest`
    digest: bool
    nonce: bytes | None
    created: str | None


def _child_text(parent: Element, tag: str) -> str | None:
    node = parent.find(tag)
    if node is None:
        return None
    return (node.text or "").strip()


def extract_username_token(header: Element | None) -> UsernameToken | None:
    """The UsernameToken of a SOAP header, None when there is none. Raise WsseError if malformed."""
    if header is None:
        return None
    security = header.find(f"{{{WSSE_NS}}}Security")
    if security is None:
        return None
    token = security.find(f"{{{WSSE_NS}}}UsernameToken")
    if token is None:
        raise WsseError("Security header without UsernameToken")
    username = _child_text(token, f"{{{WSSE_NS}}}Username")
    password_node = token.find(f"{{{WSSE_NS}}}Password")
    if not username or password_node is None:
        raise WsseError("UsernameToken without Username or Password")
    password_type = password_node.get("Type", PASSWORD_TEXT_TYPE).strip()
    password = (password_node.text or "").strip()
    created = _child_text(token, f"{{{WSU_NS}}}Created")
    if created is None:  # a few clients put Created in the wsse namespace
        created = _child_text(token, f"{{{WSSE_NS}}}Created")
    nonce: bytes | None = None
    nonce_node = token.find(f"{{{WSSE_NS}}}Nonce")
    if nonce_node is not None:
        raw = (nonce_node.text or "").strip()
        try:
            if nonce_node.get("EncodingType", "").endswith(_HEX_ENCODING_SUFFIX):
                nonce = bytes.fromhex(raw)
            else:
                nonce = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise WsseError("Nonce is not valid Base64/hex") from None
    if password_type == PASSWORD_DIGEST_TYPE:
        return UsernameToken(username, password, True, nonce, created)
    if password_type == PASSWORD_TEXT_TYPE:
        return UsernameToken(username, password, False, nonce, created)
    raise WsseError("Unsupported password type")


def parse_created(text: str) -> datetime:
    """wsu:Created → aware UTC datetime. Raise WsseError if it is not an xs:dateTime."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise WsseError("Created is not an xs:dateTime") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class NonceCache:
    """Nonces seen within a time window; bounded (the oldest are forgotten first when full)."""

    def __init__(
        self,
        window_s: float,
        max_entries: int = DEFAULT_MAX_NONCES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be ≥ 1")
        self._window_s = window_s
        self._max_entries = max_entries
        self._clock = clock
        self._seen: OrderedDict[bytes, float] = OrderedDict()  # nonce → expiry, in insertion order
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)

    def add(self, nonce: bytes) -> bool:
        """Remember `nonce`; False if it was already seen within the window (a replay)."""
        now = self._clock()
        with self._lock:
            while self._seen:
                oldest, expiry = next(iter(self._seen.items()))
                if expiry > now:
                    break
                del self._seen[oldest]
            if nonce in self._seen:
                return False
            if len(self._seen) >= self._max_entries:
                self._seen.popitem(last=False)
            self._seen[nonce] = now + self._window_s
            return True


class UsernameTokenVerifier:
    """Checks tokens against one device account."""

    def __init__(
        self,
        username: str,
        password: str,
        *,
        skew: timedelta = DEFAULT_SKEW,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        nonces: NonceCache | None = None,
        allow_plaintext: bool = True,
    ) -> None:
        self._username = username
        self._password = password
        self._skew = skew
        self._now = now
        # A nonce must stay remembered as long as a token carrying it could still pass the
        # skew check: Created ± skew, hence twice the skew.
        self._nonces = nonces or NonceCache(2 * skew.total_seconds())
        self._allow_plaintext = allow_plaintext

    def verify(self, token: UsernameToken) -> None:
        """Return if `token` authenticates the account; raise WsseError otherwise."""
        user_ok = hmac.compare_digest(token.username.encode(), self._username.encode())
        if not token.digest:
            if not self._allow_plaintext:
                raise WsseError("PasswordText not accepted")
            password_ok = hmac.compare_digest(token.password.encode(), self._password.encode())
            if not (user_ok and password_ok):
                raise WsseError("Wrong username or password")
            return
        if token.nonce is None or not token.nonce or token.created is None:
            raise WsseError("PasswordDigest without Nonce or Created")
        created = parse_created(token.created)
        if abs(self._now() - created) > self._skew:
            raise WsseError("Created outside the clock-skew window")
        expected = password_digest(token.nonce, token.created, self._password)
        password_ok = hmac.compare_digest(token.password.encode(), expected.encode())
        if not (user_ok and password_ok):
            raise WsseError("Wrong username or password")
        # Only a valid token consumes its nonce: garbage must not evict the genuine ones.
        if not self._nonces.add(token.nonce):
            raise WsseError("Nonce replayed")
