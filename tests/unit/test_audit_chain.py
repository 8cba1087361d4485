"""The audit trail's hash chain: canonical records, and a verifier that names the first broken one."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from vmwall.model.audit import (
    GENESIS_HASH,
    Anchor,
    AuditAction,
    AuditEvent,
    ChainVerifier,
    Head,
    StoredRow,
    audit_event,
    canonical_detail,
    chain,
    purge_mark,
)
from vmwall.model.errors import ValidationError

T0 = datetime(2025, 3, 1, 22, 0, tzinfo=UTC)


def trail(n: int) -> list[StoredRow]:
    events = [
        audit_event(
            AuditAction.PTZ, f"op{i % 3}", at=T0 + timedelta(seconds=i), camera=1 + i % 5, move="preset"
        )
        for i in range(n)
    ]
    return [r.stored() for r in chain(events, after_seq=0, after_hash=GENESIS_HASH, recorded_at=T0)]


def verify(rows: list[StoredRow], head: Head | None = None, anchors: tuple[Anchor, ...] = ()) -> object:
    verifier = ChainVerifier()
    for row in rows:
        if not verifier.feed(row):
            break
    last = rows[-1] if rows else None
    head = head or (Head(last.seq, last.row_hash) if last else Head(0, GENESIS_HASH))
    seen = {r.seq: r.row_hash for r in rows}
    return verifier.finish(head, anchors, seen)


def test_an_intact_chain_verifies_and_reports_its_head() -> None:
    rows = trail(20)
    report = verify(rows)
    assert report.ok and report.records == 20 and (report.first_seq, report.last_seq) == (1, 20)
    assert report.head == Anchor(20, rows[-1].row_hash)
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(rows[i].prev_hash == rows[i - 1].row_hash for i in range(1, 20))


def test_the_hash_covers_every_stored_field() -> None:
    row = trail(1)[0]
    assert row.expected_hash() == row.row_hash
    for field in ("uid", "at", "recorded_at", "actor", "action", "camera", "target", "detail", "workstation"):
        value = getattr(row, field)
        altered = row._replace(**{field: 99 if field == "camera" else f"{value}x"})
        assert altered.expected_hash() != row.row_hash, field


def test_an_altered_record_is_named() -> None:
    rows = trail(10)
    rows[6] = rows[6]._replace(actor="intrus")
    report = verify(rows)
    assert not report.ok and report.broken.seq == 7
    assert "altered" in report.broken.reason and report.records == 6


def test_a_deleted_record_is_named_by_the_gap() -> None:
    rows = trail(10)
    del rows[4]
    report = verify(rows)
    assert report.broken.seq == 6 and "5 missing" in report.broken.reason
    del rows[4:6]
    assert "5..7 missing" in verify(rows).broken.reason


def test_deleting_the_last_records_disagrees_with_the_head() -> None:
    rows = trail(10)
    head = Head(10, rows[-1].row_hash)
    report = verify(rows[:8], head=head)
    assert report.broken.seq == 9 and "head says 10" in report.broken.reason


def test_an_inserted_record_breaks_the_chain_where_it_lands() -> None:
    rows = trail(10)
    forged = rows[9]._replace(seq=11, uid="f" * 32, prev_hash=rows[9].row_hash, row_hash="0" * 64)
    report = verify([*rows, forged], head=Head(10, rows[9].row_hash))
    assert report.broken.seq == 11
    # A forger who computes the hash still disagrees with the head row.
    forged = forged._replace(row_hash=forged.expected_hash())
    report = verify([*rows, forged], head=Head(10, rows[9].row_hash))
    assert report.broken.seq == 11 and "after its head" in report.broken.reason
    # Renumbering everything after an inserted record breaks the previous-hash link.
    shifted = [*rows[:5], forged._replace(seq=6, prev_hash=rows[4].row_hash)]
    shifted[-1] = shifted[-1]._replace(row_hash=shifted[-1].expected_hash())
    shifted += [r._replace(seq=r.seq + 1) for r in rows[5:]]
    assert verify(shifted).broken.seq == 7


def test_a_replaced_record_with_a_recomputed_hash_breaks_the_next_link() -> None:
    rows = trail(10)
    rows[3] = rows[3]._replace(actor="intrus")
    rows[3] = rows[3]._replace(row_hash=rows[3].expected_hash())
    report = verify(rows)
    assert report.broken.seq == 5 and "previous-hash" in report.broken.reason


def test_anchors_kept_outside_catch_a_rewritten_chain() -> None:
    rows = trail(10)
    anchor = Anchor(6, rows[5].row_hash)
    assert verify(rows, anchors=(anchor,)).ok
    rewritten = trail(10)  # same content, other uids: a fully recomputed chain
    report = verify(rewritten, anchors=(anchor,))
    assert report.broken.seq == 6 and "anchor" in report.broken.reason
    assert (
        "not in the trail"
        in verify(rows[:5], head=Head(5, rows[4].row_hash), anchors=(anchor,)).broken.reason
    )


def test_anchor_text_round_trips_and_bad_anchors_are_refused() -> None:
    anchor = Anchor(42, "ab" * 32)
    assert Anchor.parse(str(anchor)) == anchor
    for bad in ("42", "x:" + "ab" * 32, "42:abc", "42:" + "zz" * 32):
        with pytest.raises(ValidationError, match="not an anchor"):
            Anchor.parse(bad)


def test_a_chain_starting_after_a_purge_verifies_from_what_the_purge_vouches_for() -> None:
    rows = trail(10)
    kept = rows[4:]
    verifier = ChainVerifier(5, rows[3].row_hash)
    assert all(verifier.feed(r) for r in kept)
    assert verifier.finish(Head(10, rows[-1].row_hash)).ok
    assert not ChainVerifier(5, GENESIS_HASH).feed(kept[0])


def test_a_purge_record_names_the_first_kept_record() -> None:
    event = audit_event(AuditAction.AUDIT_PURGE, "dpo", first_kept_seq=5, anchor_hash="ab" * 32, removed=4)
    (record,) = chain([event], after_seq=10, after_hash="cd" * 32, recorded_at=T0)
    mark = purge_mark(record.stored())
    assert mark is not None and (mark.seq, mark.first_kept_seq, mark.anchor_hash) == (11, 5, "ab" * 32)
    assert purge_mark(trail(1)[0]) is None


def test_details_are_canonical_and_never_carry_secrets() -> None:
    assert canonical_detail({"b": 1, "a": "é"}) == '{"a":"é","b":1}'
    for key in ("password", "camera_pass", "token", "Secret"):
        with pytest.raises(ValidationError, match="secret"):
            canonical_detail({key: "x"})
    with pytest.raises(ValidationError, match="plain value"):
        canonical_detail({"x": float("nan")})
    with pytest.raises(ValidationError, match="plain value"):
        canonical_detail({"x": {"nested": 1}})  # type: ignore[dict-item]
    with pytest.raises(ValidationError, match="canonical"):
        AuditEvent(AuditAction.LOGIN, "alice", T0, detail='{"b":1, "a":2}')
    with pytest.raises(ValidationError, match="no time zone"):
        AuditEvent(AuditAction.LOGIN, "alice", datetime(2025, 1, 1))


def test_a_tampered_row_is_still_readable() -> None:
    event = AuditEvent.from_storage(
        action="erased", actor="x", at=T0, camera=None, target="", detail="not json", workstation="", uid="z"
    )
    assert event.action == "erased" and event.details == {}
    assert hashlib.sha256(b"").hexdigest() != GENESIS_HASH
