"""The *main courante* (the operators' journal), its typology, and incident bookmarks: pure types.

An **entry** is one event of the shift: when (``at``, automatic: the moment it is written unless the
operator says otherwise), who wrote it (``operator``), the commune, a category from the centre's
typology, the place, the cameras, free text, follow-ups (police requested / on site / gone, each
with its time) and a status (open / closed). Every entry carries a ``uid``, chosen when it is
written: it identifies the entry before the database gives it an id (an entry queued while the
database is unreachable) and makes each write idempotent. Edits never overwrite silently: each one
raises ``revision`` and the store keeps the superseded content (``EntryRevision``).

A **bookmark** marks a span of video on one or more cameras (start = now minus a 30 s pre-roll by
default; end set later or at once), with a title, tags and optionally the entry it illustrates.

Times are timezone-aware (UTC in storage); naive datetimes are refused.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from vmwall.model.errors import ValidationError

DEFAULT_PRE_ROLL_S = 30.0
MAX_TEXT_LENGTH = 20_000
MAX_PLACE_LENGTH = 300
MAX_TITLE_LENGTH = 200
MAX_TAG_LENGTH = 40
MAX_TAGS = 20
MAX_CAMERAS = 64
MAX_OPERATOR_LENGTH = 64
MAX_FOLLOW_UPS = 50
MAX_CATEGORY_LABEL = 80
MAX_PAGE_SIZE = 1_000
DEFAULT_PAGE_SIZE = 50

_CATEGORY_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_UID = re.compile(r"^[0-9a-f]{32}$")


def new_uid() -> str:
    """A fresh identifier for an entry, a bookmark, an edit or an audit event (32 hex digits)."""
    return uuid.uuid4().hex


def check_uid(uid: str) -> str:
    if not _UID.match(uid):
        raise ValidationError(f"{uid!r} is not an identifier (32 hexadecimal digits)")
    return uid


def utc_now() -> datetime:
    return datetime.now(UTC)


def check_aware(when: datetime, what: str) -> datetime:
    """``when`` in UTC; ValidationError for a naive datetime (its zone would be a guess)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValidationError(f"{what} {when.isoformat()} has no time zone")
    return when.astimezone(UTC)


def fold_text(text: str) -> str:
    """Lower case without accents, whitespace collapsed: how the journal matches text.

    "Dégradation  Rue de l'Église" -> "degradation rue de l'eglise". Used for the stored search
    column and for the words searched, so a search ignores case and accents on every database.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


def _check_text(value: str, what: str, limit: int, *, required: bool = False) -> str:
    if required and not value.strip():
        raise ValidationError(f"{what} is empty")
    if len(value) > limit:
        raise ValidationError(f"{what} is {len(value)} characters long; at most {limit}")
    if "\x00" in value:
        raise ValidationError(f"{what} contains a NUL character")
    return value


def _check_cameras(cameras: tuple[int, ...], what: str, *, required: bool = False) -> None:
    if required and not cameras:
        raise ValidationError(f"{what} needs at least one camera")
    if len(cameras) > MAX_CAMERAS:
        raise ValidationError(f"{what} names {len(cameras)} cameras; at most {MAX_CAMERAS}")
    if any(not isinstance(c, int) or isinstance(c, bool) or c < 1 for c in cameras):
        raise ValidationError(f"{what}: camera numbers are whole numbers from 1")
    if len(set(cameras)) != len(cameras):
        raise ValidationError(f"{what} names a camera twice")


def _check_operator(login: str, what: str) -> None:
    if not login.strip() or len(login) > MAX_OPERATOR_LENGTH or any(ch.isspace() for ch in login):
        raise ValidationError(f"{what} {login[:40]!r} is not a login")


# --- typology --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Category:
    """One kind of event of the centre's typology. ``code`` is stable; ``label`` is what people read.

    A category is never deleted once used: it is deactivated (``active=False``), kept for old entries
    and no longer offered for new ones.
    """

    code: str
    label: str
    active: bool = True
    position: int = 0
    id: int | None = None

    def __post_init__(self) -> None:
        if not _CATEGORY_CODE.match(self.code):
            raise ValidationError(
                f"category code {self.code!r}: lower-case letters, digits and '-', at most 40, e.g. 'rixe'"
            )
        _check_text(self.label, f"the label of category {self.code!r}", MAX_CATEGORY_LABEL, required=True)


# The typology a new centre starts with (stored in the database by the migration, then editable).
DEFAULT_CATEGORIES: tuple[Category, ...] = tuple(
    Category(code, label, position=index)
    for index, (code, label) in enumerate(
        (
            ("rixe", "Rixe"),
            ("vol", "Vol"),
            ("degradation", "Dégradation"),
            ("accident-circulation", "Accident de la circulation"),
            ("stationnement-genant", "Stationnement gênant"),
            ("depot-sauvage", "Dépôt sauvage"),
            ("personne-vulnerable", "Personne vulnérable"),
            ("rassemblement", "Rassemblement"),
            ("incendie", "Incendie"),
            ("appui-police", "Appui police"),
            ("levee-de-doute", "Levée de doute"),
            ("objet-suspect", "Objet suspect"),
            ("malaise", "Malaise / secours à personne"),
            ("incivilite", "Incivilité"),
            ("autre", "Autre"),
        )
    )
)


def category_code_from(text: str, categories: tuple[Category, ...] | list[Category]) -> str:
    """The code of the category named ``text`` (its code or its label, case and accents ignored)."""
    wanted = fold_text(text).replace(" ", "-")
    for category in categories:
        if wanted in (category.code, fold_text(category.label).replace(" ", "-")):
            return category.code
    known = ", ".join(c.code for c in categories if c.active)
    raise ValidationError(f"unknown category {text!r}: one of {known}")


# --- entries ---------------------------------------------------------------------------------------


class EntryStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class FollowUpKind(StrEnum):
    """What happened after the event was seen (the police side of the main courante)."""

    POLICE_REQUESTED = "police-requested"  # police requested (called or asked to come)
    POLICE_ON_SITE = "police-on-site"  # police on site
    POLICE_GONE = "police-gone"  # police left


@dataclass(frozen=True, slots=True)
class FollowUp:
    kind: FollowUpKind
    at: datetime
    note: str = ""
    by: str = ""  # login of who recorded it ("" = the entry's operator)

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", check_aware(self.at, f"follow-up {self.kind.value}"))
        _check_text(self.note, "a follow-up note", MAX_PLACE_LENGTH)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One event of the main courante. Create new ones with `new_entry` (it picks uid and time)."""

    uid: str
    at: datetime  # when the event happened (default: when it was written)
    operator: str  # login of who wrote it
    category: str  # Category.code
    text: str
    commune_id: int | None = None
    place: str = ""
    cameras: tuple[int, ...] = ()  # camera numbers, kept sorted
    follow_ups: tuple[FollowUp, ...] = ()
    status: EntryStatus = EntryStatus.OPEN
    workstation: str = ""  # the console (or "cli@host") it was written from
    revision: int = 1  # 1 as written, +1 per edit
    recorded_at: datetime | None = None  # when the database stored it (None: not stored yet)
    edited_at: datetime | None = None
    edited_by: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        check_uid(self.uid)
        object.__setattr__(self, "at", check_aware(self.at, "the time of an entry"))
        for name in ("recorded_at", "edited_at"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check_aware(value, name))
        _check_operator(self.operator, "the operator")
        if not _CATEGORY_CODE.match(self.category):
            raise ValidationError(f"{self.category!r} is not a category code")
        _check_text(self.text, "the text of the entry", MAX_TEXT_LENGTH, required=True)
        _check_text(self.place, "the place", MAX_PLACE_LENGTH)
        _check_text(self.workstation, "the workstation name", MAX_OPERATOR_LENGTH)
        _check_cameras(self.cameras, "an entry")
        object.__setattr__(self, "cameras", tuple(sorted(self.cameras)))
        if len(self.follow_ups) > MAX_FOLLOW_UPS:
            raise ValidationError(f"an entry holds at most {MAX_FOLLOW_UPS} follow-ups")
        if self.commune_id is not None and self.commune_id < 1:
            raise ValidationError(f"commune id {self.commune_id} is not an id")
        if self.revision < 1:
            raise ValidationError("revisions count from 1")

    def follow_up(self, kind: FollowUpKind) -> FollowUp | None:
        """The latest follow-up of that kind, if any."""
        return next((f for f in reversed(self.follow_ups) if f.kind is kind), None)

    @property
    def search_text(self) -> str:
        """What a text search looks in: text and place, folded (see `fold_text`)."""
        return fold_text(f"{self.text}\n{self.place}")


# The fields an edit may change (everything the operator wrote); the rest is bookkeeping.
EDITABLE_ENTRY_FIELDS = ("at", "category", "text", "commune_id", "place", "cameras", "follow_ups", "status")


def new_entry(
    operator: str,
    category: str,
    text: str,
    *,
    commune_id: int | None = None,
    place: str = "",
    cameras: tuple[int, ...] | list[int] = (),
    follow_ups: tuple[FollowUp, ...] = (),
    status: EntryStatus = EntryStatus.OPEN,
    at: datetime | None = None,
    workstation: str = "",
) -> JournalEntry:
    """A new entry, its time now unless given, with a fresh uid."""
    return JournalEntry(
        uid=new_uid(),
        at=utc_now() if at is None else at,
        operator=operator,
        category=category,
        text=text,
        commune_id=commune_id,
        place=place,
        cameras=tuple(cameras),
        follow_ups=follow_ups,
        status=status,
        workstation=workstation,
    )


def changed_fields(before: JournalEntry, after: JournalEntry) -> tuple[str, ...]:
    """The editable fields whose value differs between two versions of an entry."""
    return tuple(name for name in EDITABLE_ENTRY_FIELDS if getattr(before, name) != getattr(after, name))


@dataclass(frozen=True, slots=True)
class EntryRevision:
    """A superseded version of an entry: ``entry`` is the content as it was at ``entry.revision``,
    replaced at ``replaced_at`` by ``replaced_by`` (who changed ``changed``)."""

    entry: JournalEntry
    replaced_at: datetime
    replaced_by: str
    changed: tuple[str, ...]


# --- search ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class PageCursor:
    """Where the next page starts: entries strictly before (at, id) in newest-first order."""

    at: datetime
    id: int


@dataclass(frozen=True, slots=True)
class JournalQuery:
    """Filters of a journal search; every one optional. Results come newest first.

    ``communes`` None means every commune (entries without commune included); a set restricts to
    those communes (a user's scope). ``text``: every word must appear in the text or the place,
    case and accents ignored, anywhere in a word ("ixe" finds "rixe").
    """

    start: datetime | None = None  # at >= start
    end: datetime | None = None  # at < end
    communes: frozenset[int] | None = None
    categories: frozenset[str] = frozenset()
    camera: int | None = None
    text: str = ""
    status: EntryStatus | None = None
    operator: str | None = None
    limit: int = DEFAULT_PAGE_SIZE
    after: PageCursor | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check_aware(value, f"the search's {name}"))
        if self.start and self.end and self.end <= self.start:
            raise ValidationError("the search's time range ends before it starts")
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise ValidationError(f"page size {self.limit} is outside 1..{MAX_PAGE_SIZE}")
        if self.camera is not None and self.camera < 1:
            raise ValidationError("camera numbers start at 1")
        _check_text(self.text, "the searched text", MAX_PLACE_LENGTH)

    @property
    def words(self) -> tuple[str, ...]:
        """The searched words, folded, without duplicates."""
        return tuple(dict.fromkeys(fold_text(self.text).split()))


@dataclass(frozen=True, slots=True)
class JournalPage:
    entries: tuple[JournalEntry, ...]
    next: PageCursor | None  # None: this is the last page


# --- bookmarks -------------------------------------------------------------------------------------


def _check_tag(tag: str) -> None:
    if not tag.strip() or len(tag) > MAX_TAG_LENGTH or tag != tag.strip() or "\n" in tag:
        raise ValidationError(f"tag {tag[:50]!r}: one short label, at most {MAX_TAG_LENGTH} characters")


@dataclass(frozen=True, slots=True)
class Bookmark:
    """A span of video worth finding again, on one or more cameras. ``end`` None: still running."""

    uid: str
    cameras: tuple[int, ...]  # kept sorted
    start: datetime
    title: str
    created_by: str
    end: datetime | None = None
    tags: tuple[str, ...] = ()
    entry_uid: str | None = None  # the journal entry it illustrates
    workstation: str = ""
    revision: int = 1
    created_at: datetime | None = None  # when the database stored it
    id: int | None = None

    def __post_init__(self) -> None:
        check_uid(self.uid)
        _check_cameras(self.cameras, "a bookmark", required=True)
        object.__setattr__(self, "cameras", tuple(sorted(self.cameras)))
        object.__setattr__(self, "start", check_aware(self.start, "the start of a bookmark"))
        if self.end is not None:
            object.__setattr__(self, "end", check_aware(self.end, "the end of a bookmark"))
            if self.end < self.start:
                raise ValidationError("a bookmark ends before it starts")
        if self.created_at is not None:
            object.__setattr__(self, "created_at", check_aware(self.created_at, "created_at"))
        _check_text(self.title, "the title of a bookmark", MAX_TITLE_LENGTH, required=True)
        _check_operator(self.created_by, "the author of a bookmark")
        if len(self.tags) > MAX_TAGS:
            raise ValidationError(f"a bookmark holds at most {MAX_TAGS} tags")
        for tag in self.tags:
            _check_tag(tag)
        if len({fold_text(t) for t in self.tags}) != len(self.tags):
            raise ValidationError("a bookmark names a tag twice")
        if self.entry_uid is not None:
            check_uid(self.entry_uid)

    @property
    def search_text(self) -> str:
        return fold_text(" ".join((self.title, *self.tags)))


def new_bookmark(
    cameras: tuple[int, ...] | list[int],
    created_by: str,
    title: str,
    *,
    at: datetime | None = None,
    pre_roll_s: float = DEFAULT_PRE_ROLL_S,
    end: datetime | None = None,
    tags: tuple[str, ...] | list[str] = (),
    entry_uid: str | None = None,
    workstation: str = "",
) -> Bookmark:
    """A bookmark starting ``pre_roll_s`` before ``at`` (default now): what led to the keystroke."""
    if not 0 <= pre_roll_s <= 3600:
        raise ValidationError(f"pre-roll {pre_roll_s} s is outside 0..3600 s")
    moment = utc_now() if at is None else check_aware(at, "the time of a bookmark")
    return Bookmark(
        uid=new_uid(),
        cameras=tuple(cameras),
        start=moment - timedelta(seconds=pre_roll_s),
        end=end,
        title=title,
        tags=tuple(tags),
        entry_uid=entry_uid,
        created_by=created_by,
        workstation=workstation,
    )


@dataclass(frozen=True, slots=True)
class BookmarkQuery:
    """Bookmarks overlapping [start, end) on ``camera``, with ``text`` in title or tags, ``tag``."""

    camera: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    text: str = ""
    tag: str | None = None
    entry_uid: str | None = None
    limit: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check_aware(value, f"the search's {name}"))
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise ValidationError(f"page size {self.limit} is outside 1..{MAX_PAGE_SIZE}")


# --- statistics ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthlyStats:
    """Entries of one commune in one calendar month (local time): by category and by hour of day.

    Deliberately nothing per operator: the journal is never used to rank people.
    """

    commune_id: int | None  # None: every commune
    year: int
    month: int
    total: int
    by_category: tuple[tuple[str, int], ...]  # (code, count), most frequent first
    by_hour: tuple[int, ...] = field(default=(0,) * 24)  # 24 counts, local hour 0..23


# --- JSON form (revisions, the local queue, exports) ---------------------------------------------


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).isoformat(timespec="microseconds")


def _when(value: object, what: str) -> datetime:
    if not isinstance(value, str):
        raise ValidationError(f"{what}: expected an ISO 8601 time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{what}: {value!r} is not an ISO 8601 time") from None
    return check_aware(parsed, what)


def _maybe_when(value: object, what: str) -> datetime | None:
    return None if value is None else _when(value, what)


def _str(data: dict[str, object], key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ValidationError(f"{key}: expected text")
    return value


def _int_or_none(data: dict[str, object], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(f"{key}: expected a whole number")
    return value


def _ints(data: dict[str, object], key: str) -> tuple[int, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or any(not isinstance(v, int) or isinstance(v, bool) for v in value):
        raise ValidationError(f"{key}: expected a list of whole numbers")
    return tuple(value)


def follow_up_to_dict(follow_up: FollowUp) -> dict[str, object]:
    return {
        "kind": follow_up.kind.value,
        "at": _iso(follow_up.at),
        "note": follow_up.note,
        "by": follow_up.by,
    }


def follow_up_from_dict(data: object) -> FollowUp:
    if not isinstance(data, dict):
        raise ValidationError("a follow-up is an object")
    try:
        kind = FollowUpKind(_str(data, "kind"))
    except ValueError:
        raise ValidationError(f"unknown follow-up {data.get('kind')!r}") from None
    return FollowUp(
        kind, _when(data.get("at"), "follow-up time"), _str(data, "note", ""), _str(data, "by", "")
    )


def entry_to_dict(entry: JournalEntry) -> dict[str, object]:
    """Every field of an entry as JSON-ready values (times in ISO 8601 UTC)."""
    return {
        "uid": entry.uid,
        "at": _iso(entry.at),
        "operator": entry.operator,
        "category": entry.category,
        "text": entry.text,
        "commune_id": entry.commune_id,
        "place": entry.place,
        "cameras": list(entry.cameras),
        "follow_ups": [follow_up_to_dict(f) for f in entry.follow_ups],
        "status": entry.status.value,
        "workstation": entry.workstation,
        "revision": entry.revision,
        "recorded_at": _iso(entry.recorded_at),
        "edited_at": _iso(entry.edited_at),
        "edited_by": entry.edited_by,
        "id": entry.id,
    }


def entry_from_dict(data: object) -> JournalEntry:
    """The inverse of `entry_to_dict`; ValidationError for anything malformed."""
    if not isinstance(data, dict):
        raise ValidationError("an entry is an object")
    follow_ups = data.get("follow_ups", [])
    if not isinstance(follow_ups, list):
        raise ValidationError("follow_ups: expected a list")
    try:
        status = EntryStatus(_str(data, "status", EntryStatus.OPEN.value))
    except ValueError:
        raise ValidationError(f"unknown status {data.get('status')!r}") from None
    edited_by = data.get("edited_by")
    revision = _int_or_none(data, "revision")
    return JournalEntry(
        uid=_str(data, "uid"),
        at=_when(data.get("at"), "the time of an entry"),
        operator=_str(data, "operator"),
        category=_str(data, "category"),
        text=_str(data, "text"),
        commune_id=_int_or_none(data, "commune_id"),
        place=_str(data, "place", ""),
        cameras=_ints(data, "cameras"),
        follow_ups=tuple(follow_up_from_dict(f) for f in follow_ups),
        status=status,
        workstation=_str(data, "workstation", ""),
        revision=1 if revision is None else revision,
        recorded_at=_maybe_when(data.get("recorded_at"), "recorded_at"),
        edited_at=_maybe_when(data.get("edited_at"), "edited_at"),
        edited_by=edited_by if isinstance(edited_by, str) else None,
        id=_int_or_none(data, "id"),
    )


def bookmark_to_dict(bookmark: Bookmark) -> dict[str, object]:
    return {
        "uid": bookmark.uid,
        "cameras": list(bookmark.cameras),
        "start": _iso(bookmark.start),
        "end": _iso(bookmark.end),
        "title": bookmark.title,
        "tags": list(bookmark.tags),
        "entry_uid": bookmark.entry_uid,
        "created_by": bookmark.created_by,
        "workstation": bookmark.workstation,
        "revision": bookmark.revision,
        "created_at": _iso(bookmark.created_at),
        "id": bookmark.id,
    }


def bookmark_from_dict(data: object) -> Bookmark:
    if not isinstance(data, dict):
        raise ValidationError("a bookmark is an object")
    tags = data.get("tags", [])
    if not isinstance(tags, list) or any(not isinstance(t, str) for t in tags):
        raise ValidationError("tags: expected a list of text")
    entry_uid = data.get("entry_uid")
    revision = _int_or_none(data, "revision")
    return Bookmark(
        uid=_str(data, "uid"),
        cameras=_ints(data, "cameras"),
        start=_when(data.get("start"), "the start of a bookmark"),
        end=_maybe_when(data.get("end"), "the end of a bookmark"),
        title=_str(data, "title"),
        tags=tuple(tags),
        entry_uid=entry_uid if isinstance(entry_uid, str) else None,
        created_by=_str(data, "created_by"),
        workstation=_str(data, "workstation", ""),
        revision=1 if revision is None else revision,
        created_at=_maybe_when(data.get("created_at"), "created_at"),
        id=_int_or_none(data, "id"),
    )
