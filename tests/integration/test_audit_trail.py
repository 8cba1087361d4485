"""The audit trail in real databases (SQLite and PostgreSQL): rows altered, inserted or deleted with
SQL behind the application's back are named by `vmwall audit verify`; purges keep it verifiable."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.fixtures.accounts import create_account, sign_in
from vmwall.cli import main
from vmwall.model.audit import GENESIS_HASH, Anchor, AuditAction, AuditRecord, audit_event
from vmwall.model.errors import ValidationError
from vmwall.model.user import Role
from vmwall.store import AuditRepository, Database
from vmwall.store.repositories.audit import AuditFilter

NOW = datetime.now(UTC).replace(microsecond=0)


def fill(database: Database, n: int, *, start: datetime | None = None) -> list[AuditRecord]:
    base = start or NOW - timedelta(hours=1)
    events = [
        audit_event(
            AuditAction.LIVE_VIEW_START if i % 2 else AuditAction.PTZ,
            f"op{i % 3}",
            at=base + timedelta(seconds=i),
            camera=1 + i % 4,
            workstation="poste-1",
            stream="sub",
        )
        for i in range(n)
    ]
    return AuditRepository(database).append(events)


def execute(database: Database, statement: str, **params: object) -> None:
    with database.engine.begin() as connection:
        connection.execute(sa.text(statement), params)


def alter(database: Database) -> int:
    execute(database, "UPDATE audit_log SET actor = 'intrus' WHERE seq = 6")
    return 6


def delete(database: Database) -> int:
    execute(database, "DELETE FROM audit_log WHERE seq = 4")
    return 5


def insert(database: Database) -> int:
    """A forged record after the last one, with a plausible previous hash."""
    with database.engine.connect() as connection:
        last = connection.execute(
            sa.text("SELECT seq, row_hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        ).one()
    execute(
        database,
        "INSERT INTO audit_log (seq, uid, at, recorded_at, actor, action, camera, target, detail,"
        " workstation, prev_hash, row_hash)"
        " VALUES (:seq, :uid, :at, :at, 'intrus', 'snapshot', 2, '', '{}', '', :prev, :hash)",
        seq=last.seq + 1,
        uid="f" * 32,
        at=NOW.replace(tzinfo=None) if database.dialect == "sqlite" else NOW,
        prev=last.row_hash,
        hash="e" * 64,
    )
    return int(last.seq) + 1


TAMPERING: dict[str, Callable[[Database], int]] = {"altered": alter, "deleted": delete, "inserted": insert}


def test_an_intact_trail_verifies_and_its_head_is_the_last_record(database: Database) -> None:
    records = fill(database, 10)
    repository = AuditRepository(database)
    report = repository.verify()
    assert report.ok and report.records == 10 and report.head == Anchor(10, records[-1].row_hash)
    assert repository.head().seq == 10 and records[0].prev_hash == GENESIS_HASH
    assert repository.verify([Anchor(3, records[2].row_hash)]).ok


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_tampering_with_sql_is_named_by_verify(database: Database, kind: str) -> None:
    fill(database, 10)
    first_broken = TAMPERING[kind](database)
    report = AuditRepository(database).verify()
    assert not report.ok and report.broken is not None
    assert report.broken.seq == first_broken, report.broken


def test_deleting_the_last_records_is_caught_by_the_head(database: Database) -> None:
    fill(database, 10)
    execute(database, "DELETE FROM audit_log WHERE seq >= 9")
    report = AuditRepository(database).verify()
    assert report.broken is not None and report.broken.seq == 9 and "head says 10" in report.broken.reason


def test_a_record_replaced_by_a_forgery_with_its_own_valid_hash_breaks_the_next_link(
    database: Database,
) -> None:
    records = fill(database, 8)
    forged = records[3].event.__class__(
        action=AuditAction.SNAPSHOT, actor="intrus", at=records[3].event.at, detail="{}", uid="a" * 32
    )
    from vmwall.model.audit import record_hash

    digest = record_hash(4, forged, records[3].recorded_at, records[2].row_hash)
    execute(
        database,
        "UPDATE audit_log SET actor = 'intrus', action = 'snapshot', camera = NULL, detail = '{}',"
        " uid = :uid, row_hash = :hash, workstation = '', target = '' WHERE seq = 4",
        uid="a" * 32,
        hash=digest,
    )
    report = AuditRepository(database).verify()
    assert report.broken is not None and report.broken.seq == 5 and "previous-hash" in report.broken.reason


def test_appending_goes_on_after_rows_inserted_behind_vmwalls_back(database: Database) -> None:
    """A forged row must not stop the trail (nor the journal writes sharing its transactions)."""
    fill(database, 5)
    forged = insert(database)
    (after,) = AuditRepository(database).append([audit_event(AuditAction.LOGIN, "alice")])
    assert after.seq == forged + 1
    report = AuditRepository(database).verify()
    assert report.broken is not None and report.broken.seq == forged


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_the_cli_verify_exits_non_zero_and_names_the_first_broken_record(
    database: Database, kind: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    create_account(database, "dpo1", Role.DPO)
    sign_in(monkeypatch, "dpo1")
    fill(database, 12)
    assert main(["--db", database.url, "audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "audit trail intact" in out and "head: " in out
    first_broken = TAMPERING[kind](database)
    assert main(["--db", database.url, "audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"BROKEN: audit record {first_broken}:" in err
    assert main(["--db", database.url, "audit", "verify", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["broken_seq"] == first_broken


def test_an_anchor_kept_outside_catches_a_rewritten_trail(
    database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    create_account(database, "dpo1", Role.DPO)
    sign_in(monkeypatch, "dpo1")
    records = fill(database, 6)
    anchor = str(Anchor(6, records[-1].row_hash))
    assert main(["--db", database.url, "audit", "verify", "--anchor", anchor]) == 0
    capsys.readouterr()
    # Someone rewrites record 6 and recomputes the hashes from there on, head row included.
    execute(database, "UPDATE audit_log SET row_hash = :h WHERE seq = 6", h="d" * 64)
    assert main(["--db", database.url, "audit", "verify", "--anchor", anchor]) == 1
    assert "audit record 6" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:
        main(["--db", database.url, "audit", "verify", "--anchor", "6:nothex"])
    assert refused.value.code == 2 and "not an anchor" in capsys.readouterr().err


def test_a_purge_removes_old_records_and_the_trail_still_verifies(database: Database) -> None:
    old = fill(database, 5, start=NOW - timedelta(days=4 * 365))
    recent = fill(database, 5)
    repository = AuditRepository(database)
    result = repository.purge(retention_days=3 * 365 + 1, actor="dpo1")
    assert result.removed == 5 and result.first_kept_seq == 6 and result.anchor_hash == old[-1].row_hash
    assert result.record is not None and result.record.seq == 11
    assert (
        result.record.event.action is AuditAction.AUDIT_PURGE and result.record.event.details["removed"] == 5
    )
    report = repository.verify()
    assert report.ok and (report.first_seq, report.last_seq) == (6, 11)
    # Anchors older than the purge are vouched for by the purge record.
    assert repository.verify([Anchor(2, old[1].row_hash), Anchor(7, recent[1].row_hash)]).ok
    # Deleting the first kept record now is still caught.
    execute(database, "DELETE FROM audit_log WHERE seq = 6")
    broken = repository.verify().broken
    assert broken is not None and broken.seq == 7


def test_deleting_the_oldest_records_without_a_purge_is_caught(database: Database) -> None:
    fill(database, 6)
    execute(database, "DELETE FROM audit_log WHERE seq <= 2")
    broken = AuditRepository(database).verify().broken
    assert broken is not None and broken.seq == 3 and "no purge record vouches" in broken.reason


def test_a_purge_with_nothing_old_enough_is_still_recorded_and_short_retentions_are_refused(
    database: Database,
) -> None:
    fill(database, 3)
    repository = AuditRepository(database)
    result = repository.purge(retention_days=1096, actor="dpo1")
    assert result.removed == 0 and repository.count() == 4 and repository.verify().ok
    with pytest.raises(ValidationError, match="minimum of 365"):
        repository.purge(retention_days=30, actor="dpo1")


def test_the_cli_purge_needs_confirmation_and_is_recorded(
    database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    create_account(database, "dpo1", Role.DPO)
    create_account(database, "admin1", Role.ADMINISTRATEUR)
    fill(database, 4, start=NOW - timedelta(days=5 * 365))
    sign_in(monkeypatch, "dpo1")  # reads the trail, does not decide retention
    assert main(["--db", database.url, "audit", "purge", "--yes"]) == 77
    assert "retention" in capsys.readouterr().err
    sign_in(monkeypatch, "admin1")
    assert main(["--db", database.url, "audit", "purge"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert main(["--db", database.url, "audit", "purge", "--yes"]) == 0
    assert "removed 4 audit records" in capsys.readouterr().out
    purges = AuditRepository(database).records(AuditFilter(actions=frozenset({"audit-purge"})))
    assert len(purges) == 1 and purges[0].event.actor == "admin1"
    assert AuditRepository(database).verify().ok


def test_listing_the_trail_is_itself_recorded_and_needs_the_right(
    database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    create_account(database, "dpo1", Role.DPO)
    create_account(database, "op1", Role.OPERATEUR)
    fill(database, 8)
    sign_in(monkeypatch, "op1")
    assert main(["--db", database.url, "audit", "list"]) == 77
    assert "audit-read" in capsys.readouterr().err
    sign_in(monkeypatch, "dpo1")
    assert main(["--db", database.url, "audit", "list", "--camera", "2", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed and {r["camera"] for r in listed} == {2}
    assert [r["seq"] for r in listed] == sorted((r["seq"] for r in listed), reverse=True)
    consulted = AuditRepository(database).records(AuditFilter(actions=frozenset({"audit-consulted"})))
    assert len(consulted) == 1 and consulted[0].event.actor == "dpo1"
    assert consulted[0].event.details["results"] == len(listed)
    # The CLI sessions themselves are in the trail (op1 signed in, then was refused the command).
    logins = AuditRepository(database).records(AuditFilter(actions=frozenset({"login"})))
    assert {r.event.actor for r in logins} >= {"dpo1", "op1"}
    assert AuditRepository(database).verify().ok
