"""CurveZMQ keys of the wall: this machine's own key pairs and the allow-list of registered peers.

Layout of the key directory (``WallConfig.key_dir``, mode 0700)::

    own/<role>-<name>.key_secret     this machine's key pair for that role and name (mode 0600)
    own/<role>-<name>.key            its public half
    allowed/<role>/<name>.key        public keys the controller accepts (node, console), and the
                                     controller's public key its peers trust (controller)
    revoked/<role>/<name>.key        keys taken off the allow-list; never registered again by themselves

Files use ZeroMQ's certificate format (``public-key = "…"``), so ``zmq.auth`` tools read them.
A process makes its key pair on first start and registers its public half under ``allowed/``:
on one machine, the controller, nodes and consoles of the same user find each other with no
manual step. Across machines, ``vmwall wall keys --export`` writes public keys to a file and
``vmwall wall keys --register FILE`` adds them on the other side. A peer is known by the name it
is registered under here, never by what it says about itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import stat
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import zmq
from zmq.utils import z85

from vmwall.atomic_file import write_atomic
from vmwall.errors import UserFacingError
from vmwall.model.errors import ValidationError
from vmwall.model.wall import check_node_name

EXPORT_FORMAT = "vmwall-wall-keys"
EXPORT_VERSION = 1
MAX_KEY_FILE_BYTES = 4096
MAX_EXPORT_BYTES = 1024 * 1024
_Z85_KEY = re.compile(r"^[0-9A-Za-z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}$")
_SECRET_NOTICE = "DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions."


class KeyRole(StrEnum):
    CONTROLLER = "controller"
    NODE = "node"
    CONSOLE = "console"


class WallKeyError(UserFacingError):
    """A key cannot be made, read or registered; the message says which file and why."""


@dataclass(frozen=True, slots=True)
class KeyPair:
    public: bytes  # Z85, 40 bytes
    secret: bytes  # Z85, 40 bytes

    def __repr__(self) -> str:  # the secret half never reaches a log line through repr()
        return f"KeyPair(public={self.public.decode()!r}, secret=<hidden>)"


@dataclass(frozen=True, slots=True)
class RegisteredKey:
    role: KeyRole
    name: str
    public: str  # Z85 text

    @property
    def peer(self) -> str:
        """``role/name``: how logs and the push log name this peer."""
        return f"{self.role}/{self.name}"


def check_public_key(text: str) -> str:
    """A Z85 CurveZMQ public key (40 characters), or WallKeyError."""
    if not _Z85_KEY.match(text):
        raise WallKeyError("not a CurveZMQ public key (40 Z85 characters)")
    try:
        decoded = z85.decode(text.encode("ascii"))
    except (ValueError, KeyError):
        raise WallKeyError("not a CurveZMQ public key (bad Z85)") from None
    if len(decoded) != 32:
        raise WallKeyError("not a CurveZMQ public key (wrong length)")
    return text


def check_key_name(name: str) -> str:
    try:
        return check_node_name(name)
    except ValidationError as exc:
        raise WallKeyError(f"key name {exc}") from None


def _certificate(public: bytes, secret: bytes | None, role: KeyRole, name: str) -> str:
    kind = "Secret" if secret is not None else "Public"
    lines = [
        f"#   ****  Generated on {time.strftime('%Y-%m-%d %H:%M:%S')} by vmwall  ****",
        f"#   ZeroMQ CURVE **{kind}** Certificate",
    ]
    if secret is not None:
        lines.append(f"#   {_SECRET_NOTICE}")
    lines += ["", "metadata", f'    role = "{role}"', f'    name = "{name}"', "curve"]
    lines.append(f'    public-key = "{public.decode("ascii")}"')
    if secret is not None:
        lines.append(f'    secret-key = "{secret.decode("ascii")}"')
    return "\n".join(lines) + "\n"


def read_certificate(path: Path) -> tuple[str, str | None]:
    """``(public, secret or None)`` from a certificate file; WallKeyError if unreadable or broken."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise WallKeyError(f"cannot read the key file {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise WallKeyError(f"{path} is too large to be a key file")
    public: str | None = None
    secret: str | None = None
    for raw in data.decode("ascii", "replace").splitlines():
        line = raw.strip()
        for label in ("public-key", "secret-key"):
            if line.startswith(label) and "=" in line:
                value = line.split("=", 1)[1].strip().strip("'\"")
                if label == "public-key":
                    public = value
                else:
                    secret = value
    if public is None:
        raise WallKeyError(f"{path} holds no public key")
    try:
        check_public_key(public)
        if secret is not None:
            check_public_key(secret)
            if zmq.curve_public(secret.encode("ascii")) != public.encode("ascii"):
                raise WallKeyError("its secret and public halves do not match")
    except WallKeyError as exc:
        raise WallKeyError(f"{path}: {exc}") from None
    return public, secret


def _write_exclusive(path: Path, text: str, mode: int) -> bool:
    """Write ``path`` atomically unless it exists; True if this call created it."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            os.chmod(path, 0o700)
    return path


class KeyStore:
    """The key directory of this machine (see the module docstring)."""

    def __init__(self, key_dir: Path) -> None:
        self.root = key_dir

    # --- own key pairs ---------------------------------------------------------------------------

    def _own_path(self, role: KeyRole, name: str) -> Path:
        return self.root / "own" / f"{role}-{name}.key_secret"

    def own(self, role: KeyRole, name: str, *, register: bool = True) -> KeyPair:
        """This machine's key pair for ``role``/``name``, made on first use; its public half is put
        on the local allow-list unless revoked there (``register``)."""
        check_key_name(name)
        try:
            _private_dir(self.root)
            own_dir = _private_dir(self.root / "own")
            path = self._own_path(role, name)
            if not path.exists():
                public, secret = zmq.curve_keypair()
                _write_exclusive(path, _certificate(public, secret, role, name), 0o600)
                _write_exclusive(
                    own_dir / f"{role}-{name}.key", _certificate(public, None, role, name), 0o644
                )
        except OSError as exc:
            raise WallKeyError(
                f"cannot make the wall key pair in {self.root}: {exc.strerror or exc} "
                "(set $VMWALL_WALL_KEYS to a writable directory)"
            ) from None
        public_text, secret_text = read_certificate(path)
        if secret_text is None:
            raise WallKeyError(f"{path} holds no secret key")
        if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
            raise WallKeyError(f"{path} is readable by other users: run `chmod 600 {path}`")
        pair = KeyPair(public_text.encode("ascii"), secret_text.encode("ascii"))
        if register:
            self.register_own(role, name, public_text)
        return pair

    def own_keys(self) -> list[RegisteredKey]:
        """Every key pair this machine has made, as (role, name, public key)."""
        found = []
        for path in sorted((self.root / "own").glob("*.key_secret")):
            role_text, _, name = path.name.removesuffix(".key_secret").partition("-")
            try:
                role = KeyRole(role_text)
                public, _ = read_certificate(path)
            except (ValueError, WallKeyError):
                continue
            found.append(RegisteredKey(role, name, public))
        return found

    def register_own(self, role: KeyRole, name: str, public: str) -> RegisteredKey | None:
        """Put a key of this machine on the local allow-list, unless it is there already or revoked.

        A console whose name is taken by another key gets ``name-2``, ``name-3``…; a node or the
        controller must own its name, so a clash is an error (two wall PCs under one name).
        """
        existing = self.find(public)
        if existing is not None and existing.role is role:
            return existing
        if self.is_revoked(public):
            return None
        candidates = (
            [name] if role is not KeyRole.CONSOLE else [name, *(f"{name}-{i}" for i in range(2, 100))]
        )
        for candidate in candidates:
            registered = self._try_register(role, candidate, public)
            if registered is not None:
                return registered
        raise WallKeyError(
            f"another key is already registered as {role} {name!r} in {self.root / 'allowed' / role}: "
            f"revoke it (`vmwall wall keys --revoke {name}`) or choose another name"
        )

    # --- allow-list ------------------------------------------------------------------------------

    def _allowed_path(self, role: KeyRole, name: str) -> Path:
        return self.root / "allowed" / str(role) / f"{name}.key"

    def _try_register(self, role: KeyRole, name: str, public: str) -> RegisteredKey | None:
        """Register under ``name`` if free (or already this key); None if another key holds it."""
        path = self._allowed_path(role, name)
        try:
            _private_dir(path.parent)
            if _write_exclusive(path, _certificate(public.encode("ascii"), None, role, name), 0o644):
                return RegisteredKey(role, name, public)
        except OSError as exc:
            raise WallKeyError(f"cannot write {path}: {exc.strerror or exc}") from None
        current, _ = read_certificate(path)
        return RegisteredKey(role, name, public) if current == public else None

    def register(self, role: KeyRole, name: str, public: str, *, replace: bool = False) -> RegisteredKey:
        """Register another machine's public key under ``role``/``name`` (``vmwall wall keys``).

        The name must be free unless ``replace``; a key revoked before is taken off the revoked list.
        """
        check_key_name(name)
        check_public_key(public)
        path = self._allowed_path(role, name)
        if path.exists() and not replace:
            current, _ = read_certificate(path)
            if current == public:
                self._unrevoke(public)
                return RegisteredKey(role, name, public)
            raise WallKeyError(f"{role} {name!r} is already registered with another key (use --replace)")
        if role is KeyRole.CONTROLLER:
            for other in self.allowed(KeyRole.CONTROLLER):
                if other.name != name:
                    raise WallKeyError(
                        f"controller {other.name!r} is already registered: this machine follows one "
                        f"controller (revoke {other.name!r} first)"
                    )
        try:
            _private_dir(path.parent)
            certificate = _certificate(public.encode("ascii"), None, role, name)
            write_atomic(path, certificate.encode("ascii"), mode=0o644)
        except OSError as exc:
            raise WallKeyError(f"cannot write {path}: {exc.strerror or exc}") from None
        self._unrevoke(public)
        return RegisteredKey(role, name, public)

    def allowed(self, role: KeyRole | None = None) -> list[RegisteredKey]:
        """Registered keys (of one role, or all), by role then name. Broken files are skipped."""
        roles = [role] if role is not None else list(KeyRole)
        found = []
        for r in roles:
            for path in sorted((self.root / "allowed" / str(r)).glob("*.key")):
                try:
                    public, _ = read_certificate(path)
                    name = check_key_name(path.stem)
                except WallKeyError:
                    continue
                found.append(RegisteredKey(r, name, public))
        return found

    def find(self, public: str) -> RegisteredKey | None:
        return next((k for k in self.allowed() if k.public == public), None)

    def revoke(self, name: str, role: KeyRole | None = None) -> list[RegisteredKey]:
        """Take ``name`` off the allow-list (every role, or one); the keys are kept under revoked/ so
        a process of this machine does not register them again by itself."""
        done = []
        for key in self.allowed(role):
            if key.name != name:
                continue
            source = self._allowed_path(key.role, key.name)
            target = self.root / "revoked" / str(key.role) / f"{key.name}.key"
            try:
                _private_dir(target.parent)
                os.replace(source, target)
            except OSError as exc:
                raise WallKeyError(f"cannot revoke {key.peer}: {exc.strerror or exc}") from None
            done.append(key)
        return done

    def is_revoked(self, public: str) -> bool:
        for path in (self.root / "revoked").glob("*/*.key"):
            with contextlib.suppress(WallKeyError):
                if read_certificate(path)[0] == public:
                    return True
        return False

    def _unrevoke(self, public: str) -> None:
        for path in (self.root / "revoked").glob("*/*.key"):
            with contextlib.suppress(WallKeyError, OSError):
                if read_certificate(path)[0] == public:
                    path.unlink()

    def controller_public(self) -> bytes:
        """The public key of the controller this machine follows, or WallKeyError saying what to do."""
        controllers = self.allowed(KeyRole.CONTROLLER)
        if not controllers:
            raise WallKeyError(
                f"no wall controller key in {self.root / 'allowed' / 'controller'}: start "
                "`vmwall wall-controller` on this machine once, or register the controller's key "
                "(`vmwall wall keys --register FILE`, FILE made by `vmwall wall keys --export` there)"
            )
        if len(controllers) > 1:
            names = ", ".join(k.name for k in controllers)
            raise WallKeyError(f"several controller keys are registered ({names}): revoke all but one")
        return controllers[0].public.encode("ascii")

    # --- export / import -------------------------------------------------------------------------

    @staticmethod
    def export_document(keys: Iterable[RegisteredKey]) -> dict[str, Any]:
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "keys": [{"role": str(k.role), "name": k.name, "public_key": k.public} for k in keys],
        }


@dataclass(frozen=True, slots=True)
class KeyFileEntry:
    """A public key read from a file; a certificate file gives no role or name (the caller does)."""

    role: KeyRole | None
    name: str | None
    public: str


def read_key_file(path: Path) -> list[KeyFileEntry]:
    """Keys from an export file (JSON) or a certificate (``.key``) file."""
    try:
        size = path.stat().st_size
        if size > MAX_EXPORT_BYTES:
            raise WallKeyError(f"{path} is too large to be a key file")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WallKeyError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise WallKeyError(f"{path} is not a text file") from None
    if text.lstrip().startswith("{"):
        return [KeyFileEntry(k.role, k.name, k.public) for k in _parse_export(path, text)]
    public, _ = read_certificate(path)
    return [KeyFileEntry(None, None, public)]


def _parse_export(path: Path, text: str) -> Iterable[RegisteredKey]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise WallKeyError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise WallKeyError(f"{path}: not a vmwall wall key export")
    if data.get("version") != EXPORT_VERSION:
        raise WallKeyError(f"{path}: key export version {data.get('version')!r}; this vmwall reads 1")
    unknown = set(data) - {"format", "version", "keys"}
    keys = data.get("keys")
    if unknown or not isinstance(keys, list):
        raise WallKeyError(f"{path}: unexpected content ({', '.join(sorted(unknown)) or 'keys'})")
    for index, item in enumerate(keys):
        where = f"{path}: keys[{index}]"
        if not isinstance(item, dict) or set(item) != {"role", "name", "public_key"}:
            raise WallKeyError(f"{where}: needs exactly role, name and public_key")
        try:
            role = KeyRole(item["role"])
        except ValueError:
            raise WallKeyError(f"{where}: unknown role {item['role']!r}") from None
        if not isinstance(item["name"], str) or not isinstance(item["public_key"], str):
            raise WallKeyError(f"{where}: name and public_key are text")
        try:
            yield RegisteredKey(role, check_key_name(item["name"]), check_public_key(item["public_key"]))
        except WallKeyError as exc:
            raise WallKeyError(f"{where}: {exc}") from None


class AllowList:
    """Which public key belongs to which registered node or console, re-read when the directory
    changes (a key registered or revoked while the controller runs counts at once). Thread-safe."""

    def __init__(self, store: KeyStore, roles: Iterable[KeyRole] = (KeyRole.NODE, KeyRole.CONSOLE)) -> None:
        self._store = store
        self._roles = tuple(roles)
        self._lock = threading.Lock()
        self._stamp: tuple[object, ...] = ()
        self._keys: dict[str, RegisteredKey] = {}
        self._removed: set[str] = set()
        self._checked_at = 0.0

    def _dir_stamp(self) -> tuple[object, ...]:
        """Changes whenever a key file is added, removed or replaced (names and directory times)."""
        stamp: list[object] = []
        for role in self._roles:
            folder = self._store.root / "allowed" / str(role)
            try:
                stamp.append(folder.stat().st_mtime_ns)
                stamp.append(tuple(sorted(os.listdir(folder))))
            except OSError:
                stamp.append(None)
        return tuple(stamp)

    def lookup(self, public: str) -> RegisteredKey | None:
        """The registered key, or None. The directory is looked at again when the cached answer
        is over 0.2 s old, or at once for an unknown key (one just registered)."""
        with self._lock:
            now = time.monotonic()
            if now - self._checked_at > 0.2 or public not in self._keys:
                self._checked_at = now
                stamp = self._dir_stamp()
                if stamp != self._stamp:
                    self._stamp = stamp
                    keys = {k.public: k for role in self._roles for k in self._store.allowed(role)}
                    self._removed |= set(self._keys) - set(keys)
                    self._keys = keys
            return self._keys.get(public)

    def take_removed(self) -> set[str]:
        """Keys taken off the list since the last call (revoked while perhaps connected)."""
        self.lookup("")
        with self._lock:
            removed, self._removed = self._removed, set()
        return removed
