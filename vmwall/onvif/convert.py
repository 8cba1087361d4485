"""zeep reply objects → vmwall values. Devices leave many optional elements out: read defensively."""

from __future__ import annotations

import logging
import math
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from vmwall.model.device import DeviceInfo, MediaProfile, scope_value
from vmwall.model.ptz import Range
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
        manufacturer=text_or_none(get_field(reply, "Manufacturer")),
        model=text_or_none(get_field(reply, "Model")),
        firmware_version=text_or_none(get_field(reply, "FirmwareVersion")),
        serial_number=text_or_none(get_field(reply, "SerialNumber")),
        hardware_id=text_or_none(get_field(reply, "HardwareId")),
    )


def media_profile_from(profile: Any) -> MediaProfile:
    encoder = get_field(profile, "VideoEncoderConfiguration")
    resolution = get_field(encoder, "Resolution")
    rate_control = get_field(encoder, "RateControl")
    return MediaProfile(
        token=text_or_none(get_field(profile, "token")) or "",
        name=text_or_none(get_field(profile, "Name")) or "",
        encoding=text_or_none(get_field(encoder, "Encoding")),
        width=_int(get_field(resolution, "Width")),
        height=_int(get_field(resolution, "Height")),
        frame_rate=_float(get_field(rate_control, "FrameRateLimit")),
        ptz=get_field(profile, "PTZConfiguration") is not None,
    )


def name_from_scopes(reply: Any) -> str | None:
    """The device's name from a GetScopes reply (a list of Scope with ScopeItem)."""
    if not reply:
        return None
    items: list[str] = []
    for scope in reply:
        item = text_or_none(get_field(scope, "ScopeItem"))
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


def get_field(obj: Any, name: str) -> Any:
    """``obj``'s element ``name`` (a zeep object or a dict), None when it is missing."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    try:
        return getattr(obj, name, None)
    except (AttributeError, KeyError):  # zeep objects raise on unknown names in some versions
        return None


def as_list(value: Any) -> list[Any]:
    """A repeated element as a list (zeep gives one item alone, or None for none)."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def range_from(value: Any) -> Range | None:
    """A FloatRange (Min, Max) with finite ends in order, or None."""
    try:
        low, high = float(get_field(value, "Min")), float(get_field(value, "Max"))
    except (TypeError, ValueError):
        return None
    return (low, high) if math.isfinite(low) and math.isfinite(high) and low <= high else None


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
