"""`vmwall journal` and `vmwall bookmarks` on real databases, as signed-in users with real rights."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures.accounts import create_account, sign_in
from vmwall.cli import main
from vmwall.model import Camera, Commune
from vmwall.model.journal import JournalQuery
from vmwall.model.user import Role
from vmwall.store import AuditRepository, CameraRepository, CommuneRepository, Database, JournalRepository
from vmwall.store.repositories.audit import AuditFilter


@pytest.fixture
def centre(database: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, int]:
    """Two communes with two cameras each; an operator, a municipal police officer of Roubaix, a DPO."""
    monkeypatch.setenv("VMWALL_DATA_DIR", str(tmp_path / "data"))
    communes = CommuneRepository(database)
    lille = communes.add(Commune("Lille", "59350")).id
    roubaix = communes.add(Commune("Roubaix", "59512")).id
    assert lille is not None and roubaix is not None
    cameras = CameraRepository(database)
    for number, commune in ((1, lille), (2, lille), (11, roubaix), (12, roubaix)):
        cameras.add(Camera(number, f"Caméra {number}", commune))
    create_account(database, "op1", Role.OPERATEUR)
    create_account(database, "pm1", Role.POLICIER_MUNICIPAL, communes=frozenset({roubaix}))
    create_account(database, "dpo1", Role.DPO)
    return {"lille": lille, "roubaix": roubaix}


@dataclass
class JournalCli:
    """`vmwall` on the test database, as a signed-in user of the `centre`."""

    database: Database
    centre: dict[str, int]
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]

    def sign_in(self, login: str) -> None:
        sign_in(self.monkeypatch, login)

    def __call__(self, *args: str) -> tuple[int, str, str]:
        """(exit code, stdout, stderr) of ``vmwall --db URL ARGS...``."""
        code = main(["--db", self.database.url, *args])
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(
    database: Database,
    centre: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> JournalCli:
    return JournalCli(database, centre, monkeypatch, capsys)


def test_an_operator_writes_lists_shows_and_closes_entries(
    cli: JournalCli,
) -> None:
    cli.sign_in("op1")
    code, out, err = cli(
        "journal", "add", "--category", "Rixe", "--commune", "Lille", "--camera", "2,1",
        "--place", "Place Rihour", "--text", "Deux individus se battent devant le bar",
        "--police", "police-requested", "--json",
    )  # fmt: skip
    assert code == 0, err
    entry = json.loads(out)
    assert entry["operator"] == "op1" and entry["category"] == "rixe" and entry["cameras"] == [1, 2]
    assert entry["commune_id"] == cli.centre["lille"] and entry["follow_ups"][0]["kind"] == "police-requested"
    uid = entry["uid"]

    code, out, _ = cli("journal", "list", "--text", "BAR", "--count", "--json")
    listed = json.loads(out)
    assert code == 0 and [e["uid"] for e in listed["entries"]] == [uid] and listed["count"] == 1
    code, out, _ = cli("journal", "list", "--camera", "1")
    assert code == 0 and uid[:8] in out and "Lille" in out and "rixe" in out

    assert cli("journal", "follow-up", uid, "police-on-site", "--note", "BAC")[0] == 0
    assert cli("journal", "close", uid)[0] == 0
    code, out, _ = cli("journal", "show", uid, "--json")
    shown = json.loads(out)
    assert shown["status"] == "closed" and shown["revision"] == 3
    assert [f["kind"] for f in shown["follow_ups"]] == ["police-requested", "police-on-site"]
    assert [h["changed"] for h in shown["history"]] == [["follow_ups"], ["status"]]
    code, out, _ = cli("journal", "show", uid)
    assert code == 0 and "revision 2 replaced" in out

    # The journal writes are in the audit trail, attributed to op1.
    adds = AuditRepository(cli.database).records(AuditFilter(actions=frozenset({"journal-add"})))
    assert [(r.event.actor, r.event.target) for r in adds] == [("op1", uid)]


def test_pages_and_exports(
    cli: JournalCli,
    tmp_path: Path,
) -> None:
    cli.sign_in("op1")
    for i in range(5):
        written = cli(
            "journal",
            "add",
            "--category",
            "vol",
            "--text",
            f"Vol n°{i}",
            "--at",
            f"now-{10 - i}m",
        )
        assert written[0] == 0, written
    code, out, _ = cli("journal", "list", "--limit", "2")
    assert code == 0 and "Vol n°4" in out and "Vol n°3" in out and "more: --after " in out
    cursor = out.split("more: --after ")[1].strip()
    code, out, _ = cli("journal", "list", "--limit", "2", "--after", cursor)
    assert "Vol n°2" in out and "Vol n°1" in out and "Vol n°4" not in out
    assert cli("journal", "list", "--after", "garbage")[0] == 1

    target = tmp_path / "export.csv"
    code, _, err = cli("journal", "export", "--format", "csv", "--output", str(target))
    assert code == 0 and "exported 5 entries" in err
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["description"] for r in rows] == [f"Vol n°{i}" for i in (4, 3, 2, 1, 0)]
    code, out, _ = cli("journal", "export", "--format", "json", "--text", "n°2")
    assert code == 0 and [e["text"] for e in json.loads(out)] == ["Vol n°2"]
    code, out, _ = cli("journal", "export", "--format", "html")
    assert code == 0 and out.startswith("<!DOCTYPE html>") and "Vol n°0" in out


def test_a_municipal_police_officer_sees_and_writes_only_their_commune(
    cli: JournalCli,
) -> None:
    cli.sign_in("op1")
    assert cli("journal", "add", "--category", "vol", "--commune", "Lille", "--text", "à Lille")[0] == 0
    cli.sign_in("pm1")
    code, out, err = cli("journal", "add", "--category", "vol", "--text", "à Roubaix", "--camera", "11")
    assert code == 0, err
    code, _, err = cli("journal", "add", "--category", "vol", "--commune", "Lille", "--text", "x")
    assert code == 77 and "scope" in err
    code, _, err = cli("journal", "add", "--category", "vol", "--text", "x", "--camera", "1")
    assert code == 77 and "camera 1 is outside your scope" in err
    code, out, _ = cli("journal", "list", "--json")
    assert [e["text"] for e in json.loads(out)["entries"]] == ["à Roubaix"]
    assert cli("journal", "list", "--commune", "Lille")[0] == 77
    cli.sign_in("dpo1")
    code, _, err = cli("journal", "list")
    assert code == 77 and "journal-write" in err


def test_mistakes_get_clear_messages(
    cli: JournalCli,
) -> None:
    cli.sign_in("op1")
    code, _, err = cli("journal", "add", "--category", "cambriolage", "--text", "x")
    assert code == 1 and "unknown category 'cambriolage'" in err
    code, _, err = cli("journal", "add", "--category", "vol", "--text", "x", "--camera", "99")
    assert code == 1 and "camera 99 is not in the catalogue" in err
    code, _, err = cli("journal", "add", "--category", "vol", "--text", "x", "--at", "hier")
    assert code == 1 and "not a time" in err
    code, _, err = cli("journal", "add", "--category", "vol", "--text", "  ")
    assert code == 1 and "empty" in err
    code, _, err = cli("journal", "show", "0" * 32)
    assert code == 3 and "no entry" in err
    assert JournalRepository(cli.database).count(JournalQuery()) == 0


def test_bookmarks_from_the_command_line(
    cli: JournalCli,
) -> None:
    cli.sign_in("op1")
    code, out, err = cli(
        "bookmarks", "add", "--camera", "1", "--camera", "2",
        "--title", "Scooter sans plaque", "--tag", "scooter", "--at", "2025-03-01T22:15:00+01:00", "--json",
    )  # fmt: skip
    assert code == 0, err
    mark = json.loads(out)
    assert (
        mark["start"] == "2025-03-01T21:14:30.000000+00:00"
        and mark["end"] is None
        and mark["cameras"] == [1, 2]
    )
    assert cli("bookmarks", "end", mark["uid"], "--at", "2025-03-01T22:20:00+01:00")[0] == 0
    code, out, _ = cli("bookmarks", "list", "--camera", "2", "--json")
    (listed,) = json.loads(out)
    assert listed["uid"] == mark["uid"] and listed["end"] == "2025-03-01T21:20:00.000000+00:00"
    code, out, _ = cli("bookmarks", "list", "--text", "plaque")
    assert code == 0 and "Scooter sans plaque [scooter]" in out
    code, _, err = cli("bookmarks", "add", "--camera", "99", "--title", "x")
    assert code == 1 and "not in the catalogue" in err
    cli.sign_in("pm1")
    code, out, _ = cli("bookmarks", "list")
    assert code == 0 and "no bookmarks" in out  # cameras 1 and 2 are Lille's


def test_report_statistics_and_typology(
    cli: JournalCli,
) -> None:
    cli.sign_in("op1")
    assert cli("journal", "category", "rodeo", "Rodéo urbain")[0] == 0
    code, out, _ = cli("journal", "categories")
    assert code == 0 and "rodeo" in out and "Rodéo urbain" in out and "appui-police" in out
    assert (
        cli(
            "journal",
            "add",
            "--category",
            "Rodéo urbain",
            "--commune",
            "Roubaix",
            "--text",
            "Motos",
        )[0]
        == 0
    )
    assert cli("bookmarks", "add", "--camera", "1", "--title", "Signet lillois")[0] == 0
    assert (
        cli(
            "journal",
            "add",
            "--category",
            "vol",
            "--commune",
            "Lille",
            "--text",
            "Vol lillois",
        )[0]
        == 0
    )
    code, out, _ = cli("journal", "report", "--from", "now-1h")
    assert code == 0 and "<h1>Main courante" in out and "Motos" in out and "Signet lillois" in out
    # A municipal police officer's report holds only their commune: no Lille entry, no Lille bookmark.
    cli.sign_in("pm1")
    code, out, _ = cli("journal", "report", "--from", "now-1h")
    assert code == 0 and "Motos" in out and "Vol lillois" not in out and "Signet lillois" not in out
    cli.sign_in("op1")
    from datetime import datetime

    month = datetime.now().astimezone().strftime("%Y-%m")
    code, out, _ = cli("journal", "stats", "--month", month, "--commune", "Roubaix", "--json")
    (stats,) = json.loads(out)
    assert (
        code == 0
        and stats["commune"] == "Roubaix"
        and stats["by_category"] == {"rodeo": 1}
        and sum(stats["by_hour"]) == 1
    )
    assert cli("journal", "category", "rodeo", "Rodéo urbain", "--inactive")[0] == 0
    code, _, err = cli("journal", "add", "--category", "rodeo", "--text", "x")
    assert code == 1 and "unknown category" in err
    assert cli("journal", "report", "--from", "now", "--to", "now-1h")[0] == 1
