"""Password hashing: scrypt with a per-user salt, its parameters stored beside the hash.

An encoded hash reads ``$scrypt$ln=17,r=8,p=1$<salt>$<key>`` (salt and key in unpadded base64), so
the cost can be raised later without invalidating stored passwords: each one is checked with the
parameters it was made with. Comparison is constant-time. Nothing here logs or keeps a password.

Defaults follow OWASP's minimum for scrypt (N = 2^17, r = 8, p = 1: 128 MiB, about 0.7 s on the
reference machine). Tests may create accounts with a lower cost through ``ScryptParams``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from vmwall.errors import UserFacingError

SALT_BYTES = 16
KEY_BYTES = 32
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # a longer "password" is a mistake or an attack on the KDF's time
_PREFIX = "$scrypt$"
_MAX_LOG_N = 20  # refuse absurd stored parameters (a tampered row must not hang a login)
_MIN_LOG_N = 10


class PasswordPolicyError(UserFacingError):
    """A new password breaks the policy; the message says why (never the password itself).
    ``rule``: which rule, for a translated message ("too-short", "too-long", "line-break",
    "contains-name", "repeated", "kinds")."""

    def __init__(self, message: str, rule: str = "") -> None:
        super().__init__(message)
        self.rule = rule


@dataclass(frozen=True, slots=True)
class ScryptParams:
    log_n: int = 17
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        if not (_MIN_LOG_N <= self.log_n <= _MAX_LOG_N and 1 <= self.r <= 32 and 1 <= self.p <= 16):
            raise ValueError(f"scrypt parameters out of range: {self}")

    @property
    def memory_bytes(self) -> int:
        return 128 * self.r * (1 << self.log_n)


DEFAULT_PARAMS = ScryptParams()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _derive(password: str, salt: bytes, params: ScryptParams) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=1 << params.log_n,
        r=params.r,
        p=params.p,
        maxmem=params.memory_bytes + (16 << 20),
        dklen=KEY_BYTES,
    )


def hash_password(password: str, params: ScryptParams = DEFAULT_PARAMS) -> str:
    """The encoded hash of ``password`` with a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, params)
    return f"{_PREFIX}ln={params.log_n},r={params.r},p={params.p}${_b64(salt)}${_b64(key)}"


def _parse(encoded: str) -> tuple[ScryptParams, bytes, bytes] | None:
    if not encoded.startswith(_PREFIX):
        return None
    parts = encoded[len(_PREFIX) :].split("$")
    if len(parts) != 3:
        return None
    try:
        fields = dict(item.split("=", 1) for item in parts[0].split(","))
        params = ScryptParams(int(fields["ln"]), int(fields["r"]), int(fields["p"]))
        salt, key = _unb64(parts[1]), _unb64(parts[2])
    except (ValueError, KeyError, binascii.Error):
        return None
    if len(salt) < 8 or len(key) != KEY_BYTES:
        return None
    return params, salt, key


def is_valid_hash(encoded: str) -> bool:
    return _parse(encoded) is not None


def verify_password(password: str, encoded: str | None) -> bool:
    """Whether ``password`` matches ``encoded``. A missing or malformed hash matches nothing, after the
    same work as a real check (a caller cannot tell an account without a password by the time taken)."""
    parsed = _parse(encoded) if encoded else None
    if parsed is None or len(password) > MAX_PASSWORD_LENGTH:
        burn_time()
        return False
    params, salt, key = parsed
    return hmac.compare_digest(_derive(password, salt, params), key)


_DUMMY_SALT = secrets.token_bytes(SALT_BYTES)


def burn_time(params: ScryptParams = DEFAULT_PARAMS) -> None:
    """The work of one check, for unknown logins: the answer takes as long as for a real account."""
    _derive("not a password", _DUMMY_SALT, params)


def check_policy(password: str, login: str, full_name: str = "") -> None:
    """PasswordPolicyError unless ``password`` is acceptable for the account ``login``.

    The CNIL's recommendation for a password alone: at least 12 characters mixing kinds; here at least
    12 characters, three kinds among lower case, upper case, digits and others (or 16 characters of
    any kinds, a passphrase), not the login or the name, not one repeated character.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters", "too-short"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"the password must have at most {MAX_PASSWORD_LENGTH} characters", "too-long"
        )
    if any(ch in "\r\n\x00" for ch in password):
        raise PasswordPolicyError("the password must not contain line breaks or NUL characters", "line-break")
    folded = password.casefold()
    for word in (login, *full_name.split()):
        if len(word) >= 4 and word.casefold() in folded:
            raise PasswordPolicyError(
                "the password must not contain the login or the user's name", "contains-name"
            )
    if len(set(password)) < 4:
        raise PasswordPolicyError(
            "the password must not be made of one or two repeated characters", "repeated"
        )
    kinds = sum(
        (
            any(ch.islower() for ch in password),
            any(ch.isupper() for ch in password),
            any(ch.isdigit() for ch in password),
            any(not ch.isalnum() for ch in password),
        )
    )
    if kinds < 3 and len(password) < 16:
        raise PasswordPolicyError(
            "the password needs three kinds of characters (lower case, upper case, digits, others),"
            " or at least 16 characters",
            "kinds",
        )
