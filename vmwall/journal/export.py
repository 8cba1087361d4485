"""Exports of the main courante: CSV (a spreadsheet's), JSON (every field), HTML (printable).

Writers stream: an export of a million entries never holds them all in memory (HTML excepted,
which is for printing a selection). CSV cells that a spreadsheet would run as a formula (starting
with = + - @, tab or carriage return) are prefixed with a quote.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import TextIO

from vmwall.journal.report import FOLLOW_UP_LABELS, STATUS_LABELS, ReportContext, entries_html
from vmwall.model.journal import JournalEntry, entry_to_dict


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    HTML = "html"


CSV_COLUMNS = (
    "uid",
    "heure",
    "commune",
    "categorie",
    "lieu",
    "cameras",
    "description",
    "suites",
    "etat",
    "operateur",
    "poste",
    "revision",
    "modifie_le",
    "modifie_par",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _local(when: datetime, context: ReportContext) -> str:
    return when.astimezone(context.tz).strftime("%d/%m/%Y %H:%M")


def write_csv(entries: Iterable[JournalEntry], out: TextIO, context: ReportContext) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for entry in entries:
        follow_ups = "; ".join(
            f"{FOLLOW_UP_LABELS.get(f.kind, f.kind.value)} {_local(f.at, context)}"
            + (f" ({f.note})" if f.note else "")
            for f in entry.follow_ups
        )
        writer.writerow(
            [
                _cell(v)
                for v in (
                    entry.uid,
                    entry.at.astimezone(context.tz).isoformat(timespec="seconds"),
                    context.communes.get(entry.commune_id, "") if entry.commune_id else "",
                    context.categories.get(entry.category, entry.category),
                    entry.place,
                    " ".join(str(c) for c in entry.cameras),
                    entry.text,
                    follow_ups,
                    STATUS_LABELS.get(entry.status, entry.status.value),
                    entry.operator,
                    entry.workstation,
                    entry.revision,
                    entry.edited_at.astimezone(context.tz).isoformat(timespec="seconds")
                    if entry.edited_at
                    else "",
                    entry.edited_by or "",
                )
            ]
        )
        count += 1
    return count


def write_json(entries: Iterable[JournalEntry], out: TextIO, context: ReportContext) -> int:
    """A JSON array, one entry per line, with commune and category names beside their ids."""
    out.write("[")
    count = 0
    for entry in entries:
        data = entry_to_dict(entry)
        data["commune"] = context.communes.get(entry.commune_id) if entry.commune_id else None
        data["category_label"] = context.categories.get(entry.category)
        out.write(("\n" if count == 0 else ",\n") + json.dumps(data, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_html(entries: Iterable[JournalEntry], out: TextIO, context: ReportContext, *, title: str) -> int:
    listed = list(entries)
    out.write(entries_html(listed, context, title=title))
    return len(listed)


def write_export(
    fmt: ExportFormat,
    entries: Iterable[JournalEntry],
    out: TextIO,
    context: ReportContext,
    *,
    title: str = "Main courante",
) -> int:
    """Write ``entries`` in ``fmt``; the number written."""
    if fmt is ExportFormat.CSV:
        return write_csv(entries, out, context)
    if fmt is ExportFormat.JSON:
        return write_json(entries, out, context)
    return write_html(entries, out, context, title=title)
