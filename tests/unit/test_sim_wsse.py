"""WS-Security UsernameToken checks of the simulated devices: digest vectors, skew, replay, interop."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree
from zeep.wsse.username import UsernameToken as ZeepUsernameToken

from vmwall.sim.wsse import (
    PASSWORD_DIGEST_TYPE,
    PASSWORD_TEXT_TYPE,
    WSSE_NS,
    WSU_NS,
    NonceCache,
    UsernameToken,
    UsernameTokenVerifier,
    WsseError,
    extract_username_token,
    password_digest,
)

NOW = datetime(2026, 3, 2, 9, 30, 0, tzinfo=UTC)
SOAP_ENV = "http://www.w3.org/2003/05/soap-envelope"


# Published vectors, not computed by the code under test.
@pytest.mark.parametrize(
    ("nonce_b64", "created", "password", "expected"),
    [
        # ONVIF Application Programmer's Guide, §6.1.1.3 (WS-UsernameToken example)
        ("LKqI6G/AikKCQrN0zqZFlg==", "2010-09-16T07:50:45Z", "userpassword", "tuOSpGlFlIXsozq4HFNeeGeFLEI="),
    ],
)
def test_password_digest_known_vectors(nonce_b64: str, created: str, password: str, expected: str) -> None:
    assert password_digest(base64.b64decode(nonce_b64), created, password) == expected


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def digest_token(
    password: str, created: datetime, nonce: bytes = b"0123456789abcdef", user: str = "admin"
) -> UsernameToken:
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return UsernameToken(user, password_digest(nonce, stamp, password), True, nonce, stamp)


@pytest.fixture
def verifier() -> UsernameTokenVerifier:
    return UsernameTokenVerifier("admin", "s3cret", now=lambda: NOW)


def test_a_good_digest_passes(verifier: UsernameTokenVerifier) -> None:
    verifier.verify(digest_token("s3cret", NOW))


@pytest.mark.parametrize("token", [digest_token("wrong", NOW), digest_token("s3cret", NOW, user="root")])
def test_wrong_password_or_user_is_refused(verifier: UsernameTokenVerifier, token: UsernameToken) -> None:
    with pytest.raises(WsseError) as caught:
        verifier.verify(token)
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize("offset_s", [-299, 299])
def test_created_within_five_minutes_passes(verifier: UsernameTokenVerifier, offset_s: int) -> None:
    verifier.verify(digest_token("s3cret", NOW + timedelta(seconds=offset_s)))


@pytest.mark.parametrize("offset_s", [-301, 301, -86400])
def test_created_outside_the_skew_window_is_refused(verifier: UsernameTokenVerifier, offset_s: int) -> None:
    with pytest.raises(WsseError, match="skew"):
        verifier.verify(digest_token("s3cret", NOW + timedelta(seconds=offset_s)))


def test_a_replayed_nonce_is_refused(verifier: UsernameTokenVerifier) -> None:
    token = digest_token("s3cret", NOW, nonce=b"once only please")
    verifier.verify(token)
    with pytest.raises(WsseError, match="replayed"):
        verifier.verify(token)
    verifier.verify(digest_token("s3cret", NOW, nonce=b"another nonce"))


def test_a_failed_attempt_does_not_burn_the_nonce(verifier: UsernameTokenVerifier) -> None:
    with pytest.raises(WsseError):
        verifier.verify(digest_token("guess", NOW, nonce=b"shared"))
    verifier.verify(digest_token("s3cret", NOW, nonce=b"shared"))


def test_digest_without_nonce_or_created_is_refused(verifier: UsernameTokenVerifier) -> None:
    good = digest_token("s3cret", NOW)
    for token in (
        UsernameToken("admin", good.password, True, None, good.created),
        UsernameToken("admin", good.password, True, good.nonce, None),
    ):
        with pytest.raises(WsseError):
            verifier.verify(token)


def test_password_text_is_accepted_unless_disabled() -> None:
    token = UsernameToken("admin", "s3cret", False, None, None)
    UsernameTokenVerifier("admin", "s3cret").verify(token)
    with pytest.raises(WsseError):
        UsernameTokenVerifier("admin", "other").verify(token)
    with pytest.raises(WsseError):
        UsernameTokenVerifier("admin", "s3cret", allow_plaintext=False).verify(token)


def test_nonce_cache_forgets_after_its_window_and_stays_bounded() -> None:
    ticker = Ticker()
    cache = NonceCache(window_s=600, max_entries=3, clock=ticker)
    assert cache.add(b"a") and not cache.add(b"a")
    ticker.now = 601
    assert cache.add(b"a")  # expired, so acceptable again (its Created is stale by now anyway)
    for nonce in (b"b", b"c", b"d", b"e"):
        assert cache.add(nonce)
    assert len(cache) == 3


def _header(token_xml: str) -> etree._Element:
    return etree.fromstring(
        f'<s:Header xmlns:s="{SOAP_ENV}" xmlns:wsse="{WSSE_NS}" xmlns:wsu="{WSU_NS}">'
        f"<wsse:Security><wsse:UsernameToken>{token_xml}</wsse:UsernameToken></wsse:Security></s:Header>"
    )


def test_extract_a_digest_token() -> None:
    header = _header(
        "<wsse:Username>admin</wsse:Username>"
        f'<wsse:Password Type="{PASSWORD_DIGEST_TYPE}">abc=</wsse:Password>'
        "<wsse:Nonce>LKqI6G/AikKCQrN0zqZFlg==</wsse:Nonce><wsu:Created>2010-09-16T07:50:45Z</wsu:Created>"
    )
    token = extract_username_token(header)
    assert token == UsernameToken(
        "admin", "abc=", True, base64.b64decode("LKqI6G/AikKCQrN0zqZFlg=="), "2010-09-16T07:50:45Z"
    )


def test_extract_plaintext_and_absent_tokens() -> None:
    header = _header(
        f'<wsse:Username>u</wsse:Username><wsse:Password Type="{PASSWORD_TEXT_TYPE}">p</wsse:Password>'
    )
    assert extract_username_token(header) == UsernameToken("u", "p", False, None, None)
    assert extract_username_token(None) is None
    assert extract_username_token(etree.fromstring(f'<s:Header xmlns:s="{SOAP_ENV}"/>')) is None


@pytest.mark.parametrize(
    "token_xml",
    [
        "<wsse:Username>admin</wsse:Username>",  # no password
        '<wsse:Username>a</wsse:Username><wsse:Password Type="urn:x">p</wsse:Password>',  # unknown type
        f'<wsse:Username>a</wsse:Username><wsse:Password Type="{PASSWORD_DIGEST_TYPE}">p</wsse:Password>'
        "<wsse:Nonce>%%%not-base64%%%</wsse:Nonce>",
    ],
)
def test_malformed_tokens_raise(token_xml: str) -> None:
    with pytest.raises(WsseError):
        extract_username_token(_header(token_xml))


def test_interoperates_with_zeep_username_token() -> None:
    """What onvif-zeep-async sends (zeep's UsernameToken, digest, Zulu time) verifies; a replay does not."""
    envelope = etree.fromstring(f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Header/><s:Body/></s:Envelope>')
    ZeepUsernameToken("admin", "s3cret", use_digest=True, zulu_timestamp=True).apply(envelope, {})
    token = extract_username_token(envelope.find(f"{{{SOAP_ENV}}}Header"))
    assert token is not None and token.digest
    verifier = UsernameTokenVerifier("admin", "s3cret")
    verifier.verify(token)
    with pytest.raises(WsseError):
        verifier.verify(token)
