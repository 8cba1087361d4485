"""Password hashing and policy (vmwall.accounts.passwords)."""

from __future__ import annotations

import time

import pytest

from tests.fixtures.accounts import FAST
from vmwall.accounts.passwords import (
    DEFAULT_PARAMS,
    PasswordPolicyError,
    ScryptParams,
    check_policy,
    hash_password,
    is_valid_hash,
    verify_password,
)

GOOD = "Bonne-phrase-2025"


def test_hash_round_trip_with_salt_and_parameters_stored() -> None:
    first, second = hash_password(GOOD, FAST), hash_password(GOOD, FAST)
    assert first != second  # a fresh salt each time
    assert first.startswith("$scrypt$ln=10,r=8,p=1$")
    assert GOOD not in first
    assert verify_password(GOOD, first) and verify_password(GOOD, second)
    assert not verify_password(GOOD + "x", first)
    assert not verify_password(GOOD.lower(), first)
    assert not verify_password("", first)


def test_default_cost_is_owasp_minimum_and_is_really_slow() -> None:
    assert (DEFAULT_PARAMS.log_n, DEFAULT_PARAMS.r, DEFAULT_PARAMS.p) == (17, 8, 1)
    encoded = hash_password(GOOD)
    started = time.perf_counter()
    assert verify_password(GOOD, encoded)
    assert time.perf_counter() - started > 0.1  # a KDF, not a fast hash


@pytest.mark.parametrize(
    "encoded",
    [
        None,
        "",
        "plain text password",
        "$scrypt$ln=10,r=8,p=1$c2FsdA$",
        "$scrypt$ln=99,r=8,p=1$c2FsdHNhbHRzYWx0$" + "A" * 43,  # absurd cost: refused, not run
        "$scrypt$ln=10,r=8$c2FsdHNhbHRzYWx0$" + "A" * 43,
        "$scrypt$ln=10,r=8,p=1$!!!$" + "A" * 43,
        "$argon2id$v=19$m=65536,t=3,p=4$abc$def",
    ],
)
def test_malformed_hashes_match_nothing(encoded: str | None) -> None:
    assert not verify_password(GOOD, encoded)
    if encoded:
        assert not is_valid_hash(encoded)


def test_parameters_are_bounded() -> None:
    with pytest.raises(ValueError):
        ScryptParams(log_n=25)
    with pytest.raises(ValueError):
        ScryptParams(log_n=4)


def test_an_overlong_password_is_refused_without_hashing() -> None:
    encoded = hash_password(GOOD, FAST)
    assert not verify_password("x" * 5000, encoded)


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("Court-1", "at least 12"),
        ("mdupont-Secret-1", "login"),
        ("Dupont-Secret-19", "name"),
        ("aaaaaaaaaaaaaaaaaaaaa", "repeated"),
        ("abcdefghijkl", "three kinds"),
        ("ligne\nbreak-Secret1", "line breaks"),
    ],
)
def test_policy_refuses_weak_passwords(password: str, words: str) -> None:
    with pytest.raises(PasswordPolicyError, match=words) as refused:
        check_policy(password, "mdupont", "Marie Dupont")
    assert password not in str(refused.value)


@pytest.mark.parametrize("password", [GOOD, "une phrase de passe assez longue", "Abcdef123456"])
def test_policy_accepts_strong_passwords(password: str) -> None:
    check_policy(password, "mdupont", "Marie Dupont")
