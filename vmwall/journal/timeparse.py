"""Times as people type them on the command line: "now", "now-30m", "2025-03-01", "2025-03-01T22:15".

A time without an offset is local time (the centre's clock); the result is always aware (UTC).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

from vmwall.model.errors import ValidationError

_RELATIVE = re.compile(r"^(?:now\s*)?-\s*(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_time(text: str, *, now: datetime | None = None, tz: tzinfo | None = None) -> datetime:
    """``now``; ``now-N{s,m,h,d}`` (or ``-N...``) before now; an ISO 8601 date or date-time (local
    time if it has no offset)."""
    value = text.strip()
    moment = now or datetime.now(UTC)
    if value.lower() in ("now", "maintenant"):
        return moment
    relative = _RELATIVE.match(value.lower())
    if relative:
        return moment - timedelta(**{_UNITS[relative[2]]: int(relative[1])})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"{text!r} is not a time: use now, now-30m, now-2h, now-1d, 2025-03-01"
            " or 2025-03-01T22:15[+01:00]"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz) if tz is not None else parsed.astimezone()
    return parsed.astimezone(UTC)


def parse_month(text: str) -> tuple[int, int]:
    """``2025-03`` -> (2025, 3)."""
    match = re.match(r"^(\d{4})-(\d{2})$", text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValidationError(f"{text!r} is not a month (YYYY-MM)")
    return int(match[1]), int(match[2])
