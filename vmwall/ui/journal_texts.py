"""The main courante's words on screen (French, translated) and how its values are shown.

Times are shown in the workstation's local time; the database keeps UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from PySide6.QtCore import QCoreApplication

from vmwall.model.journal import EntryStatus, FollowUp, FollowUpKind, JournalEntry


def follow_up_label(kind: FollowUpKind) -> str:
    # Literal calls: lupdate finds them (context "JournalTexts").
    return {
        FollowUpKind.POLICE_REQUESTED: QCoreApplication.translate("JournalTexts", "Police demandée"),
        FollowUpKind.POLICE_ON_SITE: QCoreApplication.translate("JournalTexts", "Police sur place"),
        FollowUpKind.POLICE_GONE: QCoreApplication.translate("JournalTexts", "Police repartie"),
    }[kind]


def status_label(status: EntryStatus) -> str:
    return {
        EntryStatus.OPEN: QCoreApplication.translate("JournalTexts", "En cours"),
        EntryStatus.CLOSED: QCoreApplication.translate("JournalTexts", "Clos"),
    }[status]


def local_time(when: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    return "" if when is None else when.astimezone().strftime(fmt)


def cameras_text(cameras: Iterable[int]) -> str:
    return ", ".join(str(number) for number in cameras)


def parse_cameras(text: str) -> tuple[int, ...]:
    """``"12, 14 15"`` -> (12, 14, 15); ValueError naming the part that is not a camera number."""
    numbers: list[int] = []
    for part in text.replace(";", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) < 1:
            raise ValueError(part)
        if int(part) not in numbers:
            numbers.append(int(part))
    return tuple(numbers)


def follow_ups_text(follow_ups: Iterable[FollowUp]) -> str:
    """``Police demandée 22:15 · Police sur place 22:31``."""
    return " · ".join(f"{follow_up_label(f.kind)} {local_time(f.at, '%H:%M')}" for f in follow_ups)


def entry_summary(entry: JournalEntry, communes: Mapping[int, str], categories: Mapping[str, str]) -> str:
    """One line naming an entry (menus, bookmark links): time, category, commune, start of the text."""
    parts = [local_time(entry.at, "%d/%m %H:%M"), categories.get(entry.category, entry.category)]
    if entry.commune_id is not None:
        parts.append(communes.get(entry.commune_id, "?"))
    first_line = entry.text.strip().splitlines()[0] if entry.text.strip() else ""
    if len(first_line) > 60:
        first_line = first_line[:59] + "…"
    return " — ".join(p for p in (" · ".join(parts), first_line) if p)
