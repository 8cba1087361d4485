"""Camera passwords, kept in the operating system's keyring and nowhere else.

The database stores an opaque ``credential_ref`` per camera; the password lives in the keyring
under service "vmwall" and that ref. Plaintext-file backends (``keyrings.alt``) are refused: on a
machine without a keyring the user is told how to get one, never silently given a file.
"""

from __future__ import annotations

import logging
import re
import secrets

import keyring
import keyring.backend
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.errors

from vmwall.errors import UserFacingError
from vmwall.model.device import format_address

log = logging.getLogger(__name__)

SERVICE = "vmwall"
_REF_PREFIX = "camera:"

_HOW_TO_GET_A_KEYRING = """
vmwall keeps camera passwords in the operating system's keyring. To get one:
  - Windows: the Credential Manager is always there (check the account vmwall runs under);
  - KDE: start KWallet; GNOME: gnome-keyring runs once you are logged in;
  - headless Debian/Ubuntu:
      apt-get install --no-install-recommends gnome-keyring dbus-user-session
    then run vmwall in a D-Bus session with the keyring unlocked, for example:
      dbus-run-session -- sh -c 'printf "%s\\n" "$KEYRING_PASSPHRASE" |
        gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null; vmwall ...'
`python -m keyring diagnose` shows which keyring Python sees.""".rstrip()

# Backends that write secrets to plain or weakly protected files: never acceptable for cameras.
_REFUSED_BACKEND_MODULES = ("keyrings.alt",)


class KeyringUnavailableError(UserFacingError):
    """No usable keyring, or the keyring refused (locked, prompt dismissed, D-Bus error)."""


class CredentialNotFoundError(UserFacingError):
    """The keyring has no password under this ref (deleted by hand, or another user account)."""


def new_credential_ref(host: str, port: int, user: str) -> str:
    """A fresh, unique ref; readable in a keyring browser (seahorse) but carrying no secret."""
    safe = re.sub(r"[^A-Za-z0-9._@:\[\]-]", "_", f"{user}@{format_address(host, port)}")
    return f"{_REF_PREFIX}{safe}#{secrets.token_hex(4)}"


def store_password(ref: str, password: str) -> None:
    backend = _usable_backend()
    try:
        backend.set_password(SERVICE, ref, password)
    except Exception as exc:
        raise _unavailable(exc, "store a password in") from exc
    log.debug("stored a password in the %s keyring under %s", _backend_name(backend), ref)


def load_password(ref: str) -> str:
    backend = _usable_backend()
    try:
        password = backend.get_password(SERVICE, ref)
    except Exception as exc:
        raise _unavailable(exc, "read a password from") from exc
    if password is None:
        raise CredentialNotFoundError(
            f"the keyring has no password for {ref} (service {SERVICE!r}); "
            "it was deleted, or vmwall runs under another account than the one that stored it"
        )
    return password


def delete_password(ref: str) -> bool:
    """Remove the password; False when there was none. Never raises for a missing entry."""
    backend = _usable_backend()
    try:
        backend.delete_password(SERVICE, ref)
    except keyring.errors.PasswordDeleteError:
        return False
    except Exception as exc:
        raise _unavailable(exc, "delete a password from") from exc
    return True


def check_keyring() -> str:
    """The name of the keyring backend in use; raises `KeyringUnavailableError` if none is usable."""
    return _backend_name(_usable_backend())


def _usable_backend() -> keyring.backend.KeyringBackend:
    try:
        backend = keyring.get_keyring()
    except Exception as exc:
        raise _unavailable(exc, "open") from exc
    is_chain = isinstance(backend, keyring.backends.chainer.ChainerBackend)
    chained: list[keyring.backend.KeyringBackend] = []
    if isinstance(backend, keyring.backends.chainer.ChainerBackend):
        chained = list(backend.backends)
    if isinstance(backend, keyring.backends.fail.Keyring | keyring.backends.null.Keyring) or (
        is_chain and not chained
    ):
        raise KeyringUnavailableError(f"no keyring available.{_HOW_TO_GET_A_KEYRING}")
    if any(type(b).__module__.startswith(_REFUSED_BACKEND_MODULES) for b in [backend, *chained]):
        raise KeyringUnavailableError(
            f"the keyring backend {_backend_name(backend)} stores secrets in a plain file, which vmwall "
            "refuses for camera passwords; uninstall keyrings.alt (or set PYTHON_KEYRING_BACKEND)."
            + _HOW_TO_GET_A_KEYRING
        )
    return backend


def _unavailable(exc: Exception, action: str) -> KeyringUnavailableError:
    if isinstance(exc, keyring.errors.KeyringLocked):
        what = "the keyring is locked and could not be unlocked here"
    elif isinstance(exc, keyring.errors.NoKeyringError):
        what = "no keyring available"
    else:
        what = f"the keyring failed ({type(exc).__name__})"
    log.debug("keyring failure: %r", exc)
    return KeyringUnavailableError(f"cannot {action} the keyring: {what}.{_HOW_TO_GET_A_KEYRING}")


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"
