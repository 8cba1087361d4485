"""One camera's connection for one ONVIF service (PTZ, imaging), on one asyncio loop.

What `vmwall.onvif.ptz.OnvifPtzDevice` and `vmwall.onvif.imaging.OnvifImagingDevice` share
(`ServiceDevice`, their base): the camera object made on first use and dropped after a failure,
requests bounded by ``timeout_s``, and every failure turned into a `CameraError` with the password
masked out of its detail (`ServiceSession`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from vmwall.model.device import format_address
from vmwall.onvif.client import _close, _new_camera, _update_addresses
from vmwall.onvif.errors import CameraError, CameraProtocolError
from vmwall.onvif.mapping import map_exception

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TIMEOUT_S = 3.0


class ServiceSession:
    """The camera and one of its services (`service`, set by the device once it has made it)."""

    def __init__(self, host: str, port: int, username: str, password: str, timeout_s: float) -> None:
        self.host = host
        self.port = port
        self.address = format_address(host, port)
        self._username = username
        self._password = password
        self.timeout_s = timeout_s
        self._camera: Any = None
        self.service: Any = None

    async def connect(self) -> Any:
        """The camera (made if there is none yet), its service addresses read."""
        if self._camera is None:
            self._camera = _new_camera(self.host, self.port, self._username, self._password)
        camera = self._camera
        await _update_addresses(camera)
        return camera

    async def opening(self, read: Callable[[], Awaitable[T]]) -> T:
        """``read`` (a few requests in a row) within twice the timeout; if it fails or is cancelled
        the connection is dropped, and a failure is raised as a `CameraError`."""
        try:
            async with asyncio.timeout(self.timeout_s * 2):
                return await read()
        except asyncio.CancelledError:
            await self.drop()
            raise
        except Exception as exc:
            await self.drop()
            raise self.map(exc) from exc

    async def call(self, operation: str, request: dict[str, Any]) -> Any:
        """``operation`` of the service, bounded by ``timeout_s``; failures raised as `CameraError`."""
        method = getattr(self.service, operation)
        try:
            async with asyncio.timeout(self.timeout_s):
                return await method(request)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = self.map(exc)
            log.debug("%s on %s failed: %s (%s)", operation, self.address, error, type(exc).__name__)
            raise error from exc

    async def optional(self, operation: str, request: dict[str, Any]) -> Any:
        """A reading the camera may refuse (a SOAP fault: None); other failures are raised as
        `CameraError`. Not bounded by itself: it runs inside `opening`."""
        try:
            return await getattr(self.service, operation)(request)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = self.map(exc)
            if not isinstance(error, CameraProtocolError):
                raise error from exc
            log.debug("%s refused by %s: %s", operation, self.address, error)
            return None

    def map(self, exc: BaseException) -> CameraError:
        return map_exception(exc, self.address, self.timeout_s, secrets=(self._password,))

    async def drop(self) -> None:
        """Close the connection (the next `connect` makes a new one)."""
        camera, self._camera, self.service = self._camera, None, None
        if camera is not None:
            await _close(camera)


class ServiceDevice:
    """The base of one camera's service: create, `open` (the subclass's), command, `close` — all on
    the same loop. ``profile_token`` names the media profile wanted (None: the first that fits)."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        password: str,
        *,
        profile_token: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._session = ServiceSession(host, port, username, password, timeout_s)
        self.host = host
        self.port = port
        self._wanted_profile = profile_token
        self._open_lock = asyncio.Lock()

    @property
    def address(self) -> str:
        return self._session.address

    @property
    def timeout_s(self) -> float:
        return self._session.timeout_s

    async def close(self) -> None:
        await self._session.drop()

    async def _call(self, operation: str, request: dict[str, Any]) -> Any:
        return await self._session.call(operation, request)


__all__ = ["DEFAULT_TIMEOUT_S", "ServiceDevice", "ServiceSession"]
