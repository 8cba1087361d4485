"""Camera passwords in the keyring: round trip, missing entries, and every way a keyring fails."""

from __future__ import annotations

import logging

import keyring
import keyring.backend
import keyring.backends.chainer
import keyring.backends.fail
import keyring.errors
import pytest

from tests.fixtures.keyring import MemoryKeyring
from vmwall import credentials
from vmwall.credentials import CredentialNotFoundError, KeyringUnavailableError
from vmwall.errors import UserFacingError

SECRET = "Zx9-secret-ü"


class RaisingKeyring(keyring.backend.KeyringBackend):
    priority = -1  # type: ignore[assignment]

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


class PlaintextFileKeyring(MemoryKeyring):
    """Stands for keyrings.alt's file backends (only the module name matters)."""


PlaintextFileKeyring.__module__ = "keyrings.alt.file"


class EmptyChainer(keyring.backends.chainer.ChainerBackend):
    priority = -1  # type: ignore[assignment]

    @property
    def backends(self) -> list[keyring.backend.KeyringBackend]:  # type: ignore[override]
        return []


def test_round_trip_under_the_vmwall_service(memory_keyring: MemoryKeyring) -> None:
    ref = credentials.new_credential_ref("192.0.2.10", 80, "admin")
    credentials.store_password(ref, SECRET)
    assert memory_keyring.entries == {("vmwall", ref): SECRET}
    assert credentials.load_password(ref) == SECRET
    assert credentials.delete_password(ref) is True
    assert memory_keyring.entries == {}


def test_store_overwrites(memory_keyring: MemoryKeyring) -> None:
    credentials.store_password("camera:x", "old")
    credentials.store_password("camera:x", "new")
    assert credentials.load_password("camera:x") == "new"


def test_delete_of_a_missing_entry_is_not_an_error() -> None:
    assert credentials.delete_password("camera:never-stored") is False


def test_load_of_a_missing_entry_says_so() -> None:
    with pytest.raises(CredentialNotFoundError, match="no password for camera:gone"):
        credentials.load_password("camera:gone")


def test_refs_are_unique_readable_and_carry_no_secret() -> None:
    refs = {credentials.new_credential_ref("192.0.2.10", 80, "admin") for _ in range(200)}
    assert len(refs) == 200
    ref = refs.pop()
    assert ref.startswith("camera:admin@192.0.2.10:80#")
    assert " " not in credentials.new_credential_ref("fe80::1", 8080, "ad min")
    assert "[fe80::1]:8080" in credentials.new_credential_ref("fe80::1", 8080, "op")


@pytest.mark.parametrize("action", ["store", "load", "delete", "check"])
def test_the_fail_backend_gives_the_fix(action: str) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(KeyringUnavailableError) as caught:
        _do(action)
    message = str(caught.value)
    assert "no keyring available" in message
    assert "gnome-keyring" in message and "dbus-run-session" in message
    assert "Credential Manager" in message and "KWallet" in message
    assert isinstance(caught.value, UserFacingError)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (keyring.errors.KeyringLocked("Failed to unlock the collection!"), "locked"),
        (keyring.errors.InitError("Failed to create the collection: Prompt dismissed.."), "InitError"),
        (keyring.errors.NoKeyringError("none"), "no keyring available"),
        (RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown"), "RuntimeError"),
    ],
)
@pytest.mark.parametrize("action", ["store", "load", "delete"])
def test_backend_failures_become_keyring_unavailable(action: str, error: Exception, expected: str) -> None:
    keyring.set_keyring(RaisingKeyring(error))
    with pytest.raises(KeyringUnavailableError, match=expected) as caught:
        _do(action)
    assert SECRET not in str(caught.value)
    assert "gnome-keyring-daemon --replace --unlock" in str(caught.value)


def test_a_plaintext_backend_is_refused() -> None:
    backend = PlaintextFileKeyring()
    keyring.set_keyring(backend)
    with pytest.raises(KeyringUnavailableError, match="plain file"):
        credentials.store_password("camera:x", SECRET)
    assert backend.entries == {}


def test_an_empty_chain_is_no_keyring() -> None:
    keyring.set_keyring(EmptyChainer())
    with pytest.raises(KeyringUnavailableError, match="no keyring available"):
        credentials.check_keyring()


def test_check_names_the_backend(memory_keyring: MemoryKeyring) -> None:
    assert credentials.check_keyring().endswith("MemoryKeyring")


def test_the_password_is_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    credentials.store_password("camera:x", SECRET)
    credentials.load_password("camera:x")
    credentials.delete_password("camera:x")
    keyring.set_keyring(RaisingKeyring(RuntimeError("dbus down")))
    with pytest.raises(KeyringUnavailableError):
        credentials.store_password("camera:x", SECRET)
    assert caplog.records, "expected debug records"
    assert SECRET not in caplog.text


def _do(action: str) -> None:
    if action == "store":
        credentials.store_password("camera:x", SECRET)
    elif action == "load":
        credentials.load_password("camera:x")
    elif action == "delete":
        credentials.delete_password("camera:x")
    else:
        credentials.check_keyring()
