"""The camera CSV: format checks (pure) and the all-or-nothing import (with a database)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.fixtures.keyring import MemoryKeyring
from tests.fixtures.secret_scan import assert_secret_not_stored
from vmwall.catalogue import Catalogue, CsvImportError, import_csv
from vmwall.catalogue.csv_format import NO_SECRETS_REASON, parse_camera_csv
from vmwall.errors import UserFacingError
from vmwall.model import Commune, Forfait
from vmwall.model.device import DeviceInfo, DeviceProbe, MediaProfile, ProbeTarget
from vmwall.onvif.errors import CameraAuthError
from vmwall.store import Database, StoreError

HEADER = "number,name,commune,insee_code,forfait,onvif,user,main_uri,sub_uri,ptz,latitude,longitude,address"
GOOD = f"""{HEADER}
1,Mairie - parvis,Roubaix,59512,live-24-7,192.0.2.11:80,admin,rtsp://192.0.2.11:554/main,rtsp://192.0.2.11:554/sub,yes,50.6942,3.1746,"Grand-Place"
2,Gare,Roubaix,,,192.0.2.12,admin,rtsp://192.0.2.12:554/main,,non,,,
3,Église Saint-Maurice,Lille,59350,storage-only,,,rtsp://198.51.100.3/live,,,50.6365,3.0635,"1 place
Saint-Maurice"
"""
SECRET = "Pa55-w0rd!"


def parse(text: str, source: str = "cams.csv") -> list:  # type: ignore[type-arg]
    return parse_camera_csv(text.encode("utf-8"), source)


def problems_of(text: str | bytes) -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(CsvImportError) as caught:
        parse_camera_csv(data, "cams.csv")
    assert str(caught.value).startswith("cams.csv: nothing imported")
    return [str(p) for p in caught.value.problems]


# --- format ---------------------------------------------------------------------------------


def test_a_good_file_parses_row_by_row() -> None:
    drafts = parse(GOOD)
    assert [d.number for d in drafts] == [1, 2, 3]
    first, second, third = drafts
    assert (first.onvif_host, first.onvif_port, first.username, first.ptz) == (
        "192.0.2.11",
        80,
        "admin",
        True,
    )
    assert first.forfait is Forfait.LIVE_24_7 and first.insee_code == "59512"
    assert (first.latitude, first.longitude, first.address) == (50.6942, 3.1746, "Grand-Place")
    assert second.onvif_port == 80 and second.ptz is False and second.sub_uri is None
    assert third.name == "Église Saint-Maurice" and third.address == "1 place\nSaint-Maurice"
    assert third.line == 4 and third.ptz is None


def test_french_spreadsheet_export_semicolons_bom_decimal_commas() -> None:
    text = "\ufeffNumber;Name;Commune;INSEE_code;main_uri;latitude;longitude\r\n7;Parc;Metz;57463;rtsp://h/x;49,1193;6,1757\r\n"
    (draft,) = parse(text)
    assert (draft.number, draft.commune, draft.latitude, draft.longitude) == (7, "Metz", 49.1193, 6.1757)


def test_a_password_column_is_rejected_with_the_reason() -> None:
    problems = problems_of("number,name,commune,main_uri,password\n1,A,B,rtsp://h/x,secret\n")
    assert problems == [f"cams.csv:1: column 'password': {NO_SECRETS_REASON}"]
    assert NO_SECRETS_REASON == "passwords never go in files; use --password-stdin"


def test_unknown_missing_and_repeated_columns_are_named() -> None:
    problems = problems_of("number,name,nom,main_uri,main_uri\n1,A,B,rtsp://h/x,rtsp://h/y\n")
    assert any(p.startswith("cams.csv:1: unknown column 'nom'") for p in problems)
    assert "cams.csv:1: column 'main_uri' appears twice" in problems
    assert "cams.csv:1: missing column 'commune'" in problems


def test_every_bad_row_is_listed_with_its_line() -> None:
    text = (
        "number,name,commune,insee_code,forfait,onvif,main_uri,ptz,latitude\n"  # 1
        "1,OK,Lille,59350,,,rtsp://h/1,,\n"  # 2
        "\n"  # 3 blank: skipped, still counted
        "x,Bad number,Lille,,,,rtsp://h/2,,\n"  # 4
        "3,,Lille,,,,rtsp://h/3,,\n"  # 5 no name
        '4,"Multi\nline",Lille,,,,rtsp://h/4,,\n'  # 6-7 fine
        "5,Bad port,Lille,,,host:99999,rtsp://h/5,,\n"  # 8
        "6,Bad forfait,Lille,,gratuit,,rtsp://h/6,,\n"  # 9
        "7,Bad uri,Lille,,,,ftp://h/7,,\n"  # 10
        "8,Creds in uri,Lille,,,,rtsp://admin:hunter2@h/8,,\n"  # 11
        "9,Bad ptz,Lille,,,,rtsp://h/9,maybe,\n"  # 12
        "10,Bad latitude,Lille,,,,rtsp://h/10,,95\n"  # 13
        "1,Same number,Lille,,,,rtsp://h/11,,\n"  # 14
        "12,Short row,Lille\n"  # 15
        "13,Bad INSEE,Metz,5746,,,rtsp://h/13,,\n"  # 16
        "14,Token in uri,Lille,,,,https://h/14?token=abc,,\n"  # 17
    )
    problems = problems_of(text)
    lines = [int(p.split(":")[1]) for p in problems]
    assert lines == [4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17], problems
    joined = "\n".join(problems)
    assert "cams.csv:4: number 'x' is not a whole number" in joined
    assert "cams.csv:5: name is empty" in joined
    assert "cams.csv:11: main_uri carries a password: passwords never go in files" in joined
    assert "cams.csv:14: number 1 is already used at line 2" in joined
    assert "cams.csv:15: 3 fields where the header has 9" in joined
    assert "hunter2" not in joined and "abc" not in joined


def test_not_utf8_names_the_line() -> None:
    data = "number,name,commune,main_uri\n1,Gare,Lille,rtsp://h/1\n2,Cité,Lille,rtsp://h/2\n".encode("cp1252")
    assert problems_of(data) == ["cams.csv:3: not UTF-8 text (save the file as 'CSV UTF-8')"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "cams.csv: empty file: a header row is required"),
        ("number,name,commune,main_uri\n", "cams.csv: no camera rows after the header"),
        ('number,name,commune,main_uri\n1,"unclosed,Lille,rtsp://h/1\n', "cams.csv:2: not valid CSV"),
    ],
)
def test_files_without_rows(text: str, expected: str) -> None:
    (problem,) = problems_of(text)
    assert problem.startswith(expected)


# --- import into the catalogue ---------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cams.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_stores_everything_at_once(
    database: Database, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    catalogue = Catalogue(database)
    report = import_csv(catalogue, write(tmp_path, GOOD), password=SECRET)
    assert [c.number for c in report.cameras] == [1, 2, 3]
    assert report.communes_created == ("Roubaix", "Lille")
    assert report.passwords_stored == 2
    entries = catalogue.entries()
    assert [(e.camera.number, e.commune) for e in entries] == [(1, "Roubaix"), (2, "Roubaix"), (3, "Lille")]
    lille = catalogue.communes.get_by_name("Lille")
    assert lille is not None and lille.forfait is Forfait.STORAGE_ONLY
    with_ref = [e.camera for e in entries if e.camera.credential_ref]
    assert len(with_ref) == 2
    for camera in with_ref:
        assert memory_keyring.entries[("vmwall", camera.credential_ref)] == SECRET
    assert entries[2].camera.credential_ref is None and entries[2].camera.username is None
    assert assert_secret_not_stored(database, SECRET) > 0


def test_a_bad_row_against_the_catalogue_stores_nothing(
    database: Database, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    catalogue = Catalogue(database)
    import_csv(
        catalogue,
        write(tmp_path, "number,name,commune,insee_code,main_uri\n2,Old,Roubaix,59512,rtsp://h/o\n"),
    )
    with pytest.raises(CsvImportError) as caught:
        import_csv(catalogue, write(tmp_path, GOOD), password=SECRET)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'cams.csv'}:3: camera number 2 already exists ('Old')"
    ]
    assert [e.camera.number for e in catalogue.entries()] == [2]
    assert catalogue.communes.get_by_name("Lille") is None
    assert memory_keyring.entries == {}


def test_commune_disagreements_are_row_problems(database: Database, tmp_path: Path) -> None:
    catalogue = Catalogue(database)
    catalogue.communes.add(Commune("Metz", "57463", Forfait.LIVE_24_7))
    text = (
        "number,name,commune,insee_code,forfait,main_uri\n"
        "1,A,Metz,57463,,rtsp://h/1\n"
        "2,B,Metz,57000,,rtsp://h/2\n"
        "3,C,Metz,,storage-only,rtsp://h/3\n"
        "4,D,Nancy,,,rtsp://h/4\n"
        "5,E,Lille,59350,,rtsp://h/5\n"
        "6,F,Lille,59000,,rtsp://h/6\n"
        "7,G,Woippy,57463,,rtsp://h/7\n"
    )
    with pytest.raises(CsvImportError) as caught:
        import_csv(catalogue, write(tmp_path, text))
    reasons = {p.line: p.reason for p in caught.value.problems}
    assert reasons[3] == "commune 'Metz' has INSEE code 57463, not 57000"
    assert reasons[4].startswith("commune 'Metz' has forfait live-24-7, not storage-only")
    assert reasons[5].startswith("commune 'Nancy' does not exist yet: give its insee_code")
    assert reasons[7] == "commune 'Lille': insee_code 59000 here, 59350 at line 6"
    assert reasons[8] == "INSEE code 57463 belongs to commune 'Metz'"
    assert 2 not in reasons
    assert catalogue.entries() == []


def test_rows_with_a_user_need_a_password(database: Database, tmp_path: Path) -> None:
    with pytest.raises(CsvImportError) as caught:
        import_csv(Catalogue(database), write(tmp_path, GOOD))
    (problem,) = caught.value.problems
    assert problem.line is None
    assert "2 rows name a user (first at line 2) but no password was given: pass --password-stdin" in str(
        problem
    )


def test_a_failed_transaction_removes_the_keyring_entries(
    database: Database, tmp_path: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogue = Catalogue(database)

    def refuse(cameras: object) -> None:
        assert len(memory_keyring.entries) == 2  # written before the transaction
        raise StoreError("the database refused the change: simulated")

    monkeypatch.setattr(catalogue.cameras, "add_many", refuse)
    with pytest.raises(StoreError, match="simulated"):
        import_csv(catalogue, write(tmp_path, GOOD), password=SECRET)
    assert memory_keyring.entries == {}
    assert catalogue.cameras.list() == []


def _probe(target: ProbeTarget, *, ptz: bool = True) -> DeviceProbe:
    main = MediaProfile("prof_main", "Main", "H264", 1920, 1080, 25.0, ptz, f"rtsp://{target.host}:554/m")
    sub = MediaProfile("prof_sub", "Sub", "H264", 640, 360, 25.0, ptz, f"rtsp://{target.host}:554/s")
    info = DeviceInfo("Acme", "Dome 9", "1.2.3", f"SN-{target.host}", None)
    return DeviceProbe(
        target.host, target.port, info, (main, sub), main, sub, f"http://{target.host}/snap.jpg", ptz
    )


def test_probe_fills_what_the_file_leaves_out(database: Database, tmp_path: Path) -> None:
    seen: list[ProbeTarget] = []

    def prober(targets: Sequence[ProbeTarget], timeout_s: float) -> list[DeviceProbe | UserFacingError]:
        seen.extend(targets)
        assert timeout_s == 2.5
        return [_probe(t) for t in targets]

    text = (
        "number,name,commune,insee_code,onvif,user,main_uri,ptz\n"
        "1,Probed,Lille,59350,192.0.2.1:8080,op,,\n"
        "2,File wins,Lille,,192.0.2.2:80,op,rtsp://other/main,no\n"
        "3,No onvif,Lille,,,,rtsp://h/3,\n"
    )
    catalogue = Catalogue(database)
    report = import_csv(
        catalogue, write(tmp_path, text), password=SECRET, probe=True, timeout_s=2.5, batch_prober=prober
    )
    assert [(t.host, t.port, t.username, t.password) for t in seen] == [
        ("192.0.2.1", 8080, "op", SECRET),
        ("192.0.2.2", 80, "op", SECRET),
    ]
    first, second, third = report.cameras
    assert (first.main_uri, first.sub_uri, first.main_profile, first.ptz) == (
        "rtsp://192.0.2.1:554/m",
        "rtsp://192.0.2.1:554/s",
        "prof_main",
        True,
    )
    assert (first.manufacturer, first.model, first.serial) == ("Acme", "Dome 9", "SN-192.0.2.1")
    assert (second.main_uri, second.ptz, second.snapshot_uri) == (
        "rtsp://other/main",
        False,
        "http://192.0.2.2/snap.jpg",
    )
    assert third.manufacturer is None and third.main_profile is None


def test_a_probe_failure_rejects_the_file(
    database: Database, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    def prober(targets: Sequence[ProbeTarget], timeout_s: float) -> list[DeviceProbe | UserFacingError]:
        return [_probe(targets[0]), CameraAuthError(targets[1].address)]

    text = (
        "number,name,commune,insee_code,onvif,user\n"
        "1,A,Lille,59350,192.0.2.1:80,op\n"
        "2,B,Lille,,192.0.2.2:80,op\n"
    )
    catalogue = Catalogue(database)
    with pytest.raises(CsvImportError) as caught:
        import_csv(catalogue, write(tmp_path, text), password=SECRET, probe=True, batch_prober=prober)
    assert [(p.line, p.reason) for p in caught.value.problems] == [
        (3, "camera 192.0.2.2:80 refused the credentials")
    ]
    assert catalogue.cameras.list() == [] and catalogue.communes.list() == []
    assert memory_keyring.entries == {}


def test_without_probe_a_row_needs_a_main_uri(database: Database, tmp_path: Path) -> None:
    text = "number,name,commune,insee_code,onvif\n1,A,Lille,59350,192.0.2.1:80\n"
    with pytest.raises(
        CsvImportError, match=r"cams\.csv:2: no main_uri: give one, or an onvif address and --probe"
    ):
        import_csv(Catalogue(database), write(tmp_path, text))
