"""Monthly statistics of the main courante per commune: counts by category and by hour of day.

Months and hours are those of the centre's local time (``tz``; None: this machine's zone, daylight
saving included). Deliberately nothing per operator: the journal never ranks people.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Protocol

from vmwall.model.errors import ValidationError
from vmwall.model.journal import MonthlyStats


class CountSource(Protocol):
    def hour_and_category_counts(
        self, start: datetime, end: datetime, commune_id: int | None
    ) -> tuple[dict[str, int], list[datetime]]: ...


def _local_midnight(year: int, month: int, tz: tzinfo | None) -> datetime:
    if tz is not None:
        return datetime(year, month, 1, tzinfo=tz)
    return datetime(year, month, 1).astimezone()  # the machine's zone, with its offset on that day


def month_bounds(year: int, month: int, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) of a local calendar month, in UTC."""
    if not 1 <= month <= 12 or not 2000 <= year <= 9998:
        raise ValidationError(f"{year}-{month:02d} is not a month")
    start = _local_midnight(year, month, tz)
    end = _local_midnight(year + month // 12, month % 12 + 1, tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def monthly_stats(
    source: CountSource, *, commune_id: int | None, year: int, month: int, tz: tzinfo | None = None
) -> MonthlyStats:
    start, end = month_bounds(year, month, tz)
    by_category, times = source.hour_and_category_counts(start, end, commune_id)
    hours = [0] * 24
    for moment in times:
        hours[moment.astimezone(tz).hour] += 1
    ranked = tuple(sorted(by_category.items(), key=lambda item: (-item[1], item[0])))
    return MonthlyStats(
        commune_id=commune_id,
        year=year,
        month=month,
        total=sum(by_category.values()),
        by_category=ranked,
        by_hour=tuple(hours),
    )
