"""What can go wrong when talking to a camera, in words for the person at the keyboard.

Messages name the camera by HOST:PORT only; they never contain a password, and any URL or device
text in them goes through `vmwall.redact` first.
"""

from __future__ import annotations

from vmwall.errors import UserFacingError
from vmwall.redact import redact_text


class CameraError(UserFacingError):
    """A camera could not be queried. ``address`` is HOST:PORT."""

    def __init__(self, address: str, message: str) -> None:
        super().__init__(message)
        self.address = address


class CameraAuthError(CameraError):
    def __init__(self, address: str) -> None:
        super().__init__(address, f"camera {address} refused the credentials")


class CameraUnreachableError(CameraError):
    def __init__(self, address: str, timeout_s: float, reason: str | None = None) -> None:
        message = f"no answer from {address} within {timeout_s:g} s"
        if reason:
            message += f" ({reason})"
        super().__init__(address, message)
        self.timeout_s = timeout_s
        self.reason = reason


class CameraProtocolError(CameraError):
    """The camera answered, but not in a way we understand (SOAP fault, bad XML, HTTP error...)."""

    def __init__(self, address: str, detail: str, secrets: tuple[str, ...] = ()) -> None:
        detail = " ".join(redact_text(detail, secrets).split()) or "no detail"
        if len(detail) > 300:
            detail = detail[:297] + "..."
        super().__init__(address, f"camera {address} gave an answer vmwall cannot use: {detail}")
        self.detail = detail
