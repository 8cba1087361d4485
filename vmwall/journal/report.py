"""Printable documents of the main courante: the shift report and HTML exports (French, A4).

`shift_report_html` builds one self-contained HTML page (inline CSS, no script, no external
resource) that a browser or Qt's QTextDocument prints as is: the shift's entries with their
follow-ups, its bookmarks, and the audit trail's head at printing time (an anchor to check the trail
against later). Every value is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from vmwall.model.audit import Anchor
from vmwall.model.journal import Bookmark, EntryStatus, FollowUpKind, JournalEntry

FOLLOW_UP_LABELS = {
    FollowUpKind.POLICE_REQUESTED: "Police demandée",
    FollowUpKind.POLICE_ON_SITE: "Police sur place",
    FollowUpKind.POLICE_GONE: "Police repartie",
}
STATUS_LABELS = {EntryStatus.OPEN: "En cours", EntryStatus.CLOSED: "Clos"}

_CSS = """
@page { size: A4; margin: 15mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #000; }
h1 { font-size: 16pt; margin: 0 0 4pt 0; }
h2 { font-size: 12pt; margin: 14pt 0 4pt 0; border-bottom: 1px solid #000; }
p.meta { margin: 0 0 2pt 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #555; padding: 3pt; vertical-align: top; text-align: left; }
th { background: #e6e6e6; }
tr { page-break-inside: avoid; }
td.time { white-space: nowrap; }
.small { font-size: 8pt; color: #333; }
"""


@dataclass(frozen=True, slots=True)
class ReportContext:
    """Names to print instead of ids, and where the report is printed."""

    communes: Mapping[int, str]
    categories: Mapping[str, str]  # code -> label
    tz: tzinfo | None = None  # local time zone of the centre (None: this machine's)
    centre: str = ""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _local(when: datetime | None, context: ReportContext, fmt: str = "%d/%m/%Y %H:%M") -> str:
    if when is None:
        return ""
    return when.astimezone(context.tz).strftime(fmt)


def _cameras(numbers: Iterable[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _follow_ups(entry: JournalEntry, context: ReportContext) -> str:
    lines = []
    for follow_up in entry.follow_ups:
        label = FOLLOW_UP_LABELS.get(follow_up.kind, follow_up.kind.value)
        note = f" — {_e(follow_up.note)}" if follow_up.note else ""
        lines.append(f"{_e(label)} {_e(_local(follow_up.at, context, '%H:%M'))}{note}")
    return "<br>".join(lines)


def entries_table(entries: Sequence[JournalEntry], context: ReportContext) -> str:
    if not entries:
        return "<p>Aucune entrée.</p>"
    rows = []
    for entry in entries:
        edited = (
            f'<div class="small">modifiée (rév. {entry.revision}) par {_e(entry.edited_by)}'
            f" le {_e(_local(entry.edited_at, context))}</div>"
            if entry.revision > 1
            else ""
        )
        rows.append(
            "<tr>"
            f'<td class="time">{_e(_local(entry.at, context))}</td>'
            f"<td>{_e(context.communes.get(entry.commune_id, '') if entry.commune_id else '')}</td>"
            f"<td>{_e(context.categories.get(entry.category, entry.category))}</td>"
            f"<td>{_e(entry.place)}</td>"
            f"<td>{_e(_cameras(entry.cameras))}</td>"
            f"<td>{_e(entry.text)}{edited}</td>"
            f"<td>{_follow_ups(entry, context)}</td>"
            f"<td>{_e(STATUS_LABELS.get(entry.status, entry.status.value))}</td>"
            f"<td>{_e(entry.operator)}</td>"
            "</tr>"
        )
    head = (
        "<tr><th>Heure</th><th>Commune</th><th>Catégorie</th><th>Lieu</th><th>Caméras</th><th>Description</th>"
        "<th>Suites</th><th>État</th><th>Opérateur</th></tr>"
    )
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def bookmarks_table(bookmarks: Sequence[Bookmark], context: ReportContext) -> str:
    if not bookmarks:
        return "<p>Aucun signet.</p>"
    rows = [
        "<tr>"
        f'<td class="time">{_e(_local(b.start, context, "%d/%m/%Y %H:%M:%S"))}</td>'
        f'<td class="time">{_e(_local(b.end, context, "%H:%M:%S") if b.end else "en cours")}</td>'
        f"<td>{_e(_cameras(b.cameras))}</td>"
        f"<td>{_e(b.title)}</td>"
        f"<td>{_e(', '.join(b.tags))}</td>"
        f"<td>{_e(b.created_by)}</td>"
        "</tr>"
        for b in bookmarks
    ]
    head = (
        "<tr><th>Début</th><th>Fin</th><th>Caméras</th><th>Titre</th><th>Étiquettes</th><th>Auteur</th></tr>"
    )
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _document(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def shift_report_html(
    *,
    start: datetime,
    end: datetime,
    entries: Sequence[JournalEntry],
    bookmarks: Sequence[Bookmark],
    context: ReportContext,
    printed_by: str,
    printed_at: datetime,
    operators: Sequence[str] = (),
    audit_head: Anchor | None = None,
    queued: int = 0,
) -> str:
    """The report of a shift [start, end): entries (oldest first), follow-ups, bookmarks."""
    ordered = sorted(entries, key=lambda e: (e.at, e.id or 0))
    open_count = sum(1 for e in ordered if e.status is EntryStatus.OPEN)
    requested = sum(1 for e in ordered if e.follow_up(FollowUpKind.POLICE_REQUESTED))
    title = f"Main courante — poste du {_local(start, context)} au {_local(end, context)}"
    meta = [
        f'<p class="meta">{_e(context.centre)}</p>' if context.centre else "",
        f'<p class="meta">Opérateurs : {_e(", ".join(operators))}</p>' if operators else "",
        f'<p class="meta">{len(ordered)} entrées, dont {open_count} en cours ;'
        f" police demandée {requested} fois ; {len(bookmarks)} signets.</p>",
        (
            f'<p class="meta"><strong>Attention : {queued} écriture(s) en attente'
            " d'envoi à la base de données ne figurent pas dans ce rapport.</strong></p>"
            if queued
            else ""
        ),
    ]
    footer = (
        f'<p class="small">Imprimé le {_e(_local(printed_at, context, "%d/%m/%Y à %H:%M"))}'
        f" par {_e(printed_by)}."
        + (
            f" Empreinte du journal d'audit à l'impression : {_e(str(audit_head))}"
            " (à conserver : <code>vmwall audit verify --anchor</code>)."
            if audit_head
            else ""
        )
        + "</p>"
    )
    body = (
        f"<h1>{_e(title)}</h1>{''.join(meta)}"
        f"<h2>Entrées</h2>{entries_table(ordered, context)}"
        f"<h2>Signets vidéo</h2>{bookmarks_table(sorted(bookmarks, key=lambda b: b.start), context)}"
        f"{footer}"
    )
    return _document(title, body)


def entries_html(entries: Iterable[JournalEntry], context: ReportContext, *, title: str) -> str:
    """An HTML export of entries (any number; the order given)."""
    return _document(title, f"<h1>{_e(title)}</h1>{entries_table(list(entries), context)}")
