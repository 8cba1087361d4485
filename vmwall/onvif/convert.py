"""zeep reply objects → vmwall values. Devices leave many optional elements out: read defensively."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from vmwall.model.device import DeviceInfo, MediaProfile, scope_value
from vmwall.redact import SECRET_QUERY_PARAMS, redact_url

log = logging.getLogger(__name__)

# Query parameters that carry an account or a secret in stream and snapshot URIs (those that
# `vmwall.redact` masks, plus the user name that goes with them).
_SECRET_QUERY_KEYS = SECRET_QUERY_PARAMS | {"user", "username"}


def text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def device_info_from(reply: Any) -> DeviceInfo:
    return DeviceInfo(
        manufacturer=text_or_none(_get(reply, "Manufacturer")),
        model=text_or_none(_get(reply, "Model")),
        firmware_version=text_or_none(_get(reply, "FirmwareVersion")),
        serial_number=text_or_none(_get(reply, "SerialNumber")),
        hardware_id=text_or_none(_get(reply, "HardwareId")),
    )


def media_profile_from(profile: Any) -> MediaProfile:
    encoder = _get(profile, "VideoEncoderConfiguration")
    resolution = _get(encoder, "Resolution")
    rate_control = _get(encoder, "RateControl")
    return MediaProfile(
        token=text_or_none(_get(profile, "token")) or "",
        name=text_or_none(_get(profile, "Name")) or "",
        encoding=text_or_none(_get(encoder, "Encoding")),
        width=_int(_get(resolution, "Width")),
        height=_int(_get(resolution, "Height")),
        frame_rate=_float(_get(rate_control, "FrameRateLimit")),
        ptz=_get(profile, "PTZConfiguration") is not None,
    )


def name_from_scopes(reply: Any) -> str | None:
    """The device's name from a GetScopes reply (a list of Scope with ScopeItem)."""
    if not reply:
        return None
    items: list[str] = []
    for scope in reply:
        item = text_or_none(_get(scope, "ScopeItem"))
        if item:
            items.append(item)
    return scope_value(tuple(items), "name")


def strip_credentials(uri: str | None) -> str | None:
    """``uri`` without user:password@ and without credential query parameters.

    Some devices put the account in the URIs they return; the catalogue must never store it. The
    video layer adds credentials from the keyring when it opens a stream.
    """
    if uri is None:
        return None
    try:
        parts = urlsplit(uri)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        log.warning("the device returned an unparsable URI: %s", redact_url(uri))
        return None
    kept = [(k, v) for k, v in pairs if k.lower() not in _SECRET_QUERY_KEYS]
    query = urlencode(kept) if len(kept) != len(pairs) else parts.query
    if netloc != parts.netloc or query != parts.query:
        log.info("removed credentials from a URI returned by the device: %s", redact_url(uri))
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, parts.fragment))


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    try:
        return getattr(obj, name, None)
    except (AttributeError, KeyError):  # zeep objects raise on unknown names in some versions
        return None


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
