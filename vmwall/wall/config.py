"""Where the wall controller is and where this machine keeps its wall keys.

The controller listens on two ZeroMQ endpoints: a ROUTER (snapshots, commands, node status) and a
PUB (state updates, node status and thumbnails for consoles). An address is written one of:

- ``HOST:PORT`` or ``tcp://HOST:PORT``: the ROUTER on PORT, the PUB on PORT + 1;
- ``tcp://HOST:PORT,tcp://HOST:PORT2``: both endpoints given (ROUTER first).

Defaults: ``tcp://127.0.0.1:8494`` and ``:8495``; ``$VMWALL_WALL_CONTROLLER`` overrides them, and
command-line options override that. Keys live in ``$VMWALL_WALL_KEYS`` if set, else ``wall-keys``
in the user config directory (``$VMWALL_CONFIG_DIR`` overrides that one).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

ENV_CONTROLLER = "VMWALL_WALL_CONTROLLER"
ENV_KEYS = "VMWALL_WALL_KEYS"
ENV_CONFIG_DIR = "VMWALL_CONFIG_DIR"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8494

_ENDPOINT = re.compile(r"^tcp://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.*-]+):(\d{1,5})$")


class WallAddressError(ValueError):
    """An address that names no controller endpoint; the message says what is expected."""


def _check_endpoint(text: str) -> str:
    match = _ENDPOINT.match(text)
    if not match or not 0 <= int(match.group(2)) <= 65535:
        raise WallAddressError(f"{text!r} is not a controller endpoint (tcp://HOST:PORT)")
    return text


def parse_controller_address(text: str) -> tuple[str, str]:
    """``(router_endpoint, pub_endpoint)`` for an address written as the module docstring says."""
    text = text.strip()
    if "," in text:
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 2:
            raise WallAddressError(f"{text!r}: give one address, or the ROUTER and PUB endpoints")
        return _check_endpoint(parts[0]), _check_endpoint(parts[1])
    endpoint = text if text.startswith("tcp://") else f"tcp://{text}"
    match = _ENDPOINT.match(endpoint)
    if not match:
        raise WallAddressError(f"{text!r} is not a controller address (HOST:PORT)")
    port = int(match.group(2))
    if not 1 <= port <= 65534:
        raise WallAddressError(f"{text!r}: the port must be 1..65534 (the PUB endpoint takes PORT + 1)")
    host = match.group(1)
    return f"tcp://{host}:{port}", f"tcp://{host}:{port + 1}"


def default_key_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    explicit = env.get(ENV_KEYS, "").strip()
    if explicit:
        return Path(explicit).expanduser().absolute()
    config = env.get(ENV_CONFIG_DIR, "").strip()
    base = Path(config).expanduser().absolute() if config else Path(platformdirs.user_config_dir("vmwall"))
    return base / "wall-keys"


@dataclass(frozen=True, slots=True)
class WallConfig:
    """How a wall process reaches the controller (or, for the controller, where it binds)."""

    router: str = f"tcp://{DEFAULT_HOST}:{DEFAULT_PORT}"
    pub: str = f"tcp://{DEFAULT_HOST}:{DEFAULT_PORT + 1}"
    key_dir: Path = field(default_factory=default_key_dir)
    # A node's own stream hub, overriding the one the controller names (``vmwall wall-node --hub``).
    hub_url: str | None = None

    def __post_init__(self) -> None:
        _check_endpoint(self.router)
        _check_endpoint(self.pub)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WallConfig:
        """Defaults, then ``$VMWALL_WALL_CONTROLLER`` and ``$VMWALL_WALL_KEYS``."""
        env = os.environ if environ is None else environ
        config = cls(key_dir=default_key_dir(env))
        address = env.get(ENV_CONTROLLER, "").strip()
        if address:
            try:
                config = config.with_controller(address)
            except WallAddressError as exc:
                raise WallAddressError(f"${ENV_CONTROLLER}: {exc}") from None
        return config

    def with_controller(self, address: str) -> WallConfig:
        router, pub = parse_controller_address(address)
        return replace(self, router=router, pub=pub)

    def with_key_dir(self, key_dir: Path) -> WallConfig:
        return replace(self, key_dir=key_dir.expanduser().absolute())

    def with_hub(self, url: str | None) -> WallConfig:
        return replace(self, hub_url=url.rstrip("/") if url else None)

    @property
    def address(self) -> str:
        """The controller address as ``parse_controller_address`` reads it back."""
        return f"{self.router},{self.pub}"
