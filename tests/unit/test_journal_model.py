"""The main courante's domain types: validation, folding, JSON form, bookmarks' pre-roll, queries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from vmwall.model.errors import ValidationError
from vmwall.model.journal import (
    DEFAULT_CATEGORIES,
    Bookmark,
    BookmarkQuery,
    Category,
    EntryStatus,
    FollowUp,
    FollowUpKind,
    JournalQuery,
    bookmark_from_dict,
    bookmark_to_dict,
    category_code_from,
    changed_fields,
    entry_from_dict,
    entry_to_dict,
    fold_text,
    new_bookmark,
    new_entry,
)

T0 = datetime(2025, 3, 1, 22, 15, tzinfo=UTC)


def test_a_new_entry_gets_a_uid_and_the_time_it_is_written() -> None:
    before = datetime.now(UTC)
    entry = new_entry("alice", "rixe", "Deux individus se battent")
    assert len(entry.uid) == 32 and int(entry.uid, 16) >= 0
    assert before <= entry.at <= datetime.now(UTC)
    assert entry.status is EntryStatus.OPEN and entry.revision == 1 and entry.id is None
    assert new_entry("alice", "rixe", "x").uid != entry.uid


def test_times_are_kept_in_utc_and_naive_times_are_refused() -> None:
    paris = timezone(timedelta(hours=1))
    entry = new_entry("alice", "vol", "Vol à l'arraché", at=datetime(2025, 3, 1, 23, 15, tzinfo=paris))
    assert entry.at == T0 and entry.at.tzinfo is UTC
    with pytest.raises(ValidationError, match="no time zone"):
        new_entry("alice", "vol", "x", at=datetime(2025, 3, 1, 23, 15))
    with pytest.raises(ValidationError, match="no time zone"):
        FollowUp(FollowUpKind.POLICE_REQUESTED, datetime(2025, 3, 1))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "   "}, "text of the entry is empty"),
        ({"text": "x" * 20_001}, "at most 20000"),
        ({"text": "a\x00b"}, "NUL"),
        ({"category": "Rixe"}, "not a category code"),
        ({"operator": "two words"}, "not a login"),
        ({"cameras": (3, 3)}, "camera twice"),
        ({"cameras": (0,)}, "from 1"),
        ({"cameras": tuple(range(1, 70))}, "at most 64"),
        ({"place": "p" * 301}, "at most 300"),
        ({"commune_id": 0}, "not an id"),
        ({"uid": "not-a-uid"}, "32 hexadecimal"),
    ],
)
def test_entries_refuse_bad_values_with_a_clear_reason(fields: dict[str, object], message: str) -> None:
    entry = new_entry("alice", "rixe", "texte", at=T0)
    with pytest.raises(ValidationError, match=message):
        replace(entry, **fields)  # type: ignore[arg-type]


def test_folding_ignores_case_accents_and_spacing() -> None:
    assert fold_text("Dégradation  Rue de l'ÉGLISE\n") == "degradation rue de l'eglise"
    entry = new_entry("alice", "degradation", "Tags sur l'Église", place="Place Rihour", at=T0)
    assert entry.search_text == "tags sur l'eglise place rihour"


def test_a_category_is_found_by_code_or_label_without_accents() -> None:
    assert category_code_from("Dépôt sauvage", DEFAULT_CATEGORIES) == "depot-sauvage"
    assert category_code_from("depot sauvage", DEFAULT_CATEGORIES) == "depot-sauvage"
    assert category_code_from("ACCIDENT-CIRCULATION", DEFAULT_CATEGORIES) == "accident-circulation"
    with pytest.raises(ValidationError, match="unknown category 'cambriolage': one of rixe, vol"):
        category_code_from("cambriolage", DEFAULT_CATEGORIES)


def test_the_default_typology_has_the_categories_operators_use() -> None:
    labels = {c.label for c in DEFAULT_CATEGORIES}
    for label in (
        "Rixe",
        "Vol",
        "Dégradation",
        "Accident de la circulation",
        "Stationnement gênant",
        "Dépôt sauvage",
        "Personne vulnérable",
        "Rassemblement",
        "Incendie",
        "Appui police",
    ):
        assert label in labels
    assert len({c.code for c in DEFAULT_CATEGORIES}) == len(DEFAULT_CATEGORIES)
    with pytest.raises(ValidationError, match="lower-case"):
        Category("Rodéo", "Rodéo urbain")


def test_entries_survive_their_json_form_and_malformed_json_is_refused() -> None:
    entry = new_entry(
        "alice",
        "rixe",
        "Rixe — « devant » le bar",
        commune_id=3,
        place="12 rue Nationale",
        cameras=[12, 7],
        follow_ups=(FollowUp(FollowUpKind.POLICE_REQUESTED, T0, "appel 17", "bob"),),
        at=T0,
        workstation="poste-2",
    )
    assert entry_from_dict(entry_to_dict(entry)) == entry
    data = entry_to_dict(entry)
    for broken in ({**data, "at": "hier"}, {**data, "cameras": ["12"]}, {**data, "status": "maybe"}, "entry"):
        with pytest.raises(ValidationError):
            entry_from_dict(broken)


def test_changed_fields_names_only_what_the_operator_wrote() -> None:
    entry = new_entry("alice", "rixe", "texte", at=T0)
    edited = replace(entry, text="autre", status=EntryStatus.CLOSED, revision=5, edited_by="bob")
    assert changed_fields(entry, edited) == ("text", "status")


def test_a_bookmark_starts_with_a_30_second_pre_roll() -> None:
    mark = new_bookmark([4, 5], "alice", "Scooter sans plaque", at=T0, tags=["scooter"])
    assert mark.start == T0 - timedelta(seconds=30) and mark.end is None
    assert new_bookmark([4], "alice", "x", at=T0, pre_roll_s=0).start == T0
    assert bookmark_from_dict(bookmark_to_dict(mark)) == mark
    with pytest.raises(ValidationError, match="ends before it starts"):
        replace(mark, end=T0 - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="at least one camera"):
        replace(mark, cameras=())
    with pytest.raises(ValidationError, match="tag twice"):
        replace(mark, tags=("Rouge", "rouge"))
    with pytest.raises(ValidationError, match="pre-roll"):
        new_bookmark([4], "alice", "x", pre_roll_s=-1)
    assert isinstance(mark, Bookmark)


def test_queries_fold_their_words_and_refuse_impossible_ranges() -> None:
    assert JournalQuery(text="Église  église RIXE").words == ("eglise", "rixe")
    with pytest.raises(ValidationError, match="ends before it starts"):
        JournalQuery(start=T0, end=T0)
    with pytest.raises(ValidationError, match="page size"):
        JournalQuery(limit=0)
    with pytest.raises(ValidationError, match="no time zone"):
        BookmarkQuery(start=datetime(2025, 1, 1))
