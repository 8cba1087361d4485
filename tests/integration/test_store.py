"""The data store against real databases: every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import argparse
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from vmwall.commands import db as db_command
from vmwall.errors import UserFacingError
from vmwall.model import (
    AgrementStatus,
    Camera,
    Commune,
    Forfait,
    Layout,
    Role,
    SavedView,
    Tile,
    User,
)
from vmwall.store import (
    CameraRepository,
    CommuneRepository,
    Database,
    DatabaseUnavailableError,
    DuplicateError,
    LayoutRepository,
    NotFoundError,
    SavedViewRepository,
    SchemaError,
    StoreError,
    UserRepository,
    default_sqlite_path,
    migrate,
    open_database,
    resolve_database_url,
)
from vmwall.store.repositories import cameras as cameras_module
from vmwall.store.tables import metadata
from vmwall.store.tables_journal import include_in_schema_comparison

VMWALL_TABLES = {"communes", "cameras", "layouts", "saved_views", "users", "user_communes"}


def table_names(database: Database) -> set[str]:
    return set(sa.inspect(database.engine).get_table_names())


@pytest.fixture
def lille(database: Database) -> Commune:
    return CommuneRepository(database).add(Commune("Lille", "59350"))


@pytest.fixture
def roubaix(database: Database) -> Commune:
    return CommuneRepository(database).add(
        Commune("Roubaix", "59512", forfait=Forfait.LIVE_HOURS, live_hours="08:00-20:00", retention_days=15)
    )


def cam(number: int, commune: Commune, name: str | None = None, **fields: object) -> Camera:
    assert commune.id is not None
    return Camera(number, name or f"Camera {number}", commune.id, **fields)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ schema


def test_migrations_go_up_down_and_up_again(db_url: str) -> None:
    with Database(db_url) as database:
        assert migrate.current_revisions(database) == ()
        migrate.upgrade(database)
        assert migrate.current_revisions(database) == (migrate.head_revision(),)
        assert table_names(database) >= VMWALL_TABLES

        migrate.downgrade(database, "base")
        assert migrate.current_revisions(database) == ()
        assert not table_names(database) & VMWALL_TABLES

        migrate.upgrade(database)
        assert table_names(database) >= VMWALL_TABLES
        # The schema is usable after the round trip.
        commune = CommuneRepository(database).add(Commune("Lille", "59350"))
        assert CameraRepository(database).add(cam(1, commune)).id is not None


def test_migrations_produce_exactly_the_orm_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"include_object": include_in_schema_comparison}),
            metadata,
        )
    assert differences == []


def test_opening_twice_keeps_the_data(db_url: str) -> None:
    with open_database(db_url) as first:
        CommuneRepository(first).add(Commune("Lille", "59350"))
    with open_database(db_url) as second:
        assert [c.name for c in CommuneRepository(second).list()] == ["Lille"]


def test_a_schema_newer_than_the_code_is_refused(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(SchemaError, match=r"9999_future.*newer vmwall"):
        open_database(database.url)
    with pytest.raises(SchemaError, match="newer vmwall"):
        open_database(database.url, upgrade=False)


def test_without_upgrade_an_empty_database_is_refused(db_url: str) -> None:
    with pytest.raises(SchemaError, match="vmwall db upgrade"):
        open_database(db_url, upgrade=False)
    with open_database(db_url) as database:
        assert migrate.current_revisions(database) == (migrate.head_revision(),)
    with open_database(db_url, upgrade=False) as database:
        assert CommuneRepository(database).list() == []


def test_tables_not_created_by_the_migrations_are_refused(db_url: str) -> None:
    with Database(db_url) as database:
        if database.engine.dialect.name == "postgresql":  # the journal's trigram index needs it
            with database.engine.begin() as connection:
                connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        metadata.create_all(database.engine)
    with pytest.raises(SchemaError, match="no schema revision"):
        open_database(db_url)


def test_cameras_have_a_credential_reference_but_no_password_column(database: Database) -> None:
    inspector = sa.inspect(database.engine)
    for table in VMWALL_TABLES - {"users"}:
        columns = {c["name"] for c in inspector.get_columns(table)}
        assert not {name for name in columns if "pass" in name or "secret" in name}, table
    camera_columns = {c["name"] for c in inspector.get_columns("cameras")}
    assert "credential_ref" in camera_columns
    # Account passwords will be hashes only.
    user_columns = {c["name"] for c in inspector.get_columns("users")}
    assert {name for name in user_columns if "pass" in name} == {"password_hash"}


def test_the_database_itself_caps_retention_at_30_days(database: Database) -> None:
    insert = sa.text(
        "INSERT INTO communes (name, insee_code, forfait, retention_days) VALUES (:n, :i, 'live-24-7', :d)"
    )
    with database.engine.begin() as connection:
        connection.execute(insert, {"n": "A", "i": "59001", "d": 30})
    for days in (31, 0):
        with pytest.raises(sa.exc.IntegrityError), database.engine.begin() as connection:
            connection.execute(insert, {"n": f"B{days}", "i": "59002", "d": days})


def test_the_database_refuses_unknown_forfaits_and_roles(database: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError), database.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO communes (name, insee_code, forfait, retention_days)"
                " VALUES ('A', '59001', 'live-forever', 10)"
            )
        )
    with pytest.raises(sa.exc.IntegrityError), database.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO users (login, full_name, employer, role, active)"
                " VALUES ('x', 'X Y', '', 'superuser', true)"
            )
        )


def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError), database.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO cameras (number, name, commune_id, ptz, created_at, updated_at)"
                " VALUES (1, 'x', 424242, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )


def test_a_commune_with_cameras_cannot_be_deleted(database: Database, lille: Commune) -> None:
    CameraRepository(database).add(cam(1, lille))
    with pytest.raises(sa.exc.IntegrityError), database.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM communes WHERE id = :id"), {"id": lille.id})


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(sqlite_database_url: str) -> None:
    with open_database(sqlite_database_url) as database, database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    # The fixture's directory did not exist: open_database created it.
    assert Path(sqlite_database_url.removeprefix("sqlite:///")).is_file()


def test_concurrent_writers_do_not_fail(db_url: str) -> None:
    """Two processes' worth of connections writing at once: SQLite waits for its lock, no error."""
    with open_database(db_url) as database:
        commune = CommuneRepository(database).add(Commune("Lille", "59350"))
    errors: list[BaseException] = []

    def writer(first: int) -> None:
        try:
            with open_database(db_url) as own:
                repository = CameraRepository(own)
                for number in range(first, first + 25):
                    # Reads, then writes in the same transaction.
                    repository.upsert_by_number(cam(number, commune))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(start,)) for start in (1, 101, 201)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with open_database(db_url) as database:
        assert len(CameraRepository(database).list()) == 75


# ------------------------------------------------------------------------------ unavailable database


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_unreachable_postgresql_is_reported_without_the_password() -> None:
    url = f"postgresql://vmwall:Sup3rSecretPw@127.0.0.1:{_closed_port()}/vmwall"
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailableError) as caught:
        open_database(url)
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert "Sup3rSecretPw" not in message
    assert "127.0.0.1" in message
    assert "refused" in message.lower()
    assert "Traceback" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def test_a_server_that_never_answers_times_out(silent_server: int) -> None:
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailableError, match=r"127\.0\.0\.1"):
        open_database(f"postgresql://vmwall:pw@127.0.0.1:{silent_server}/vmwall")
    assert time.monotonic() - started < 15


def test_unwritable_sqlite_location_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(DatabaseUnavailableError, match="a-file"):
        open_database(f"sqlite:///{blocker}/vmwall.sqlite3")


# ------------------------------------------------------------------------------------ URL resolution


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("VMWALL_DB_URL", raising=False)
    monkeypatch.setenv("VMWALL_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_default_database_is_a_sqlite_file_in_the_data_dir(clean_env: Path) -> None:
    assert default_sqlite_path() == clean_env / "vmwall.sqlite3"
    assert resolve_database_url(None) == f"sqlite:///{clean_env / 'vmwall.sqlite3'}"


def test_default_data_dir_is_the_platform_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VMWALL_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", "/srv/xdg")
    assert default_sqlite_path() == Path("/srv/xdg/vmwall/vmwall.sqlite3")


def test_explicit_url_wins_over_the_environment(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VMWALL_DB_URL", "postgresql://u:p@db.example/vmwall")
    assert resolve_database_url(None) == "postgresql+psycopg://u:p@db.example/vmwall"
    assert resolve_database_url("sqlite:////tmp/x.sqlite3") == "sqlite:////tmp/x.sqlite3"
    assert resolve_database_url("postgres://h/db") == "postgresql+psycopg://h/db"


def test_a_plain_path_means_a_sqlite_file(clean_env: Path) -> None:
    assert resolve_database_url("/var/lib/vmwall/site.sqlite3") == "sqlite:////var/lib/vmwall/site.sqlite3"


@pytest.mark.parametrize("url", ["mysql://u:pw@h/db", "postgresql+psycopg2://u:pw@h/db", "oracle://h"])
def test_unsupported_databases_are_refused_by_name(clean_env: Path, url: str) -> None:
    with pytest.raises(StoreError, match="unsupported database URL") as caught:
        resolve_database_url(url)
    assert ":pw@" not in str(caught.value)


# -------------------------------------------------------------------------------------------- communes


def test_commune_round_trip_and_lookups(database: Database) -> None:
    repository = CommuneRepository(database)
    roubaix = Commune(
        "Roubaix",
        "59512",
        forfait=Forfait.LIVE_HOURS,
        retention_days=15,
        authorisation_ref="PREF-59-2024-118",
        authorisation_expiry=date(2029, 6, 30),
        live_hours="08:00-20:00",
    )
    stored = repository.add(roubaix)
    assert stored.id is not None
    assert stored == replace(roubaix, id=stored.id)
    assert repository.get(stored.id) == stored
    assert repository.get_by_name("Roubaix") == stored
    assert repository.get_by_insee("59512") == stored
    assert repository.get_by_name("Tourcoing") is None
    assert repository.get_by_insee("59599") is None
    repository.add(Commune("Corte", "2B096", forfait=Forfait.STORAGE_ONLY))
    repository.add(Commune("Lille", "59350"))
    assert [c.name for c in repository.list()] == ["Corte", "Lille", "Roubaix"]


def test_commune_duplicates_are_refused(database: Database, lille: Commune) -> None:
    repository = CommuneRepository(database)
    with pytest.raises(DuplicateError, match="commune 'Lille' already exists"):
        repository.add(Commune("Lille", "59999"))
    with pytest.raises(DuplicateError, match="INSEE code 59350 is already used by commune 'Lille'"):
        repository.add(Commune("Lille-bis", "59350"))
    assert repository.list() == [lille]


def test_commune_get_or_create(database: Database, lille: Commune) -> None:
    repository = CommuneRepository(database)
    assert repository.get_or_create(Commune("Lille", "59350", retention_days=7)) == lille
    created = repository.get_or_create(Commune("Metz", "57463"))
    assert created.id is not None and created.id != lille.id
    assert repository.get_or_create(Commune("Metz", "57463")) == created
    with pytest.raises(DuplicateError, match="exists with INSEE code 59350, not 59000"):
        repository.get_or_create(Commune("Lille", "59000"))
    assert len(repository.list()) == 2


def test_commune_update(database: Database, lille: Commune, roubaix: Commune) -> None:
    repository = CommuneRepository(database)
    updated = repository.update(replace(lille, retention_days=10, forfait=Forfait.STORAGE_ONLY))
    assert repository.get(updated.id or 0).retention_days == 10
    assert repository.get(updated.id or 0).forfait is Forfait.STORAGE_ONLY
    with pytest.raises(DuplicateError, match="'Roubaix' already exists"):
        repository.update(replace(lille, name="Roubaix"))
    with pytest.raises(NotFoundError, match="commune id 9999 does not exist"):
        repository.update(replace(lille, id=9999))
    with pytest.raises(NotFoundError, match="commune id 9999"):
        repository.get(9999)


def test_add_refuses_an_object_that_already_has_an_id(database: Database, lille: Commune) -> None:
    with pytest.raises(ValueError, match="already has id"):
        CommuneRepository(database).add(lille)


# --------------------------------------------------------------------------------------------- cameras


def test_camera_round_trip_keeps_every_field(database: Database, lille: Commune) -> None:
    camera = cam(
        12,
        lille,
        "Grand'Place - beffroi",
        onvif_host="10.59.0.12",
        onvif_port=8080,
        username="operator",
        credential_ref="vmwall/camera/12",
        main_uri="rtsp://10.59.0.12:554/Streaming/Channels/101",
        sub_uri="rtsp://10.59.0.12:554/Streaming/Channels/102",
        snapshot_uri="http://10.59.0.12/onvif/snapshot?channel=1",
        main_profile="Profile_1",
        sub_profile="Profile_2",
        ptz=True,
        latitude=50.636565,
        longitude=3.063528,
        address="Place du Général de Gaulle, Lille",
        manufacturer="Hikvision",
        model="DS-2DE4425IW",
        firmware="V5.7.3",
        serial="DS-2DE4425IW20230101AAWR",
    )
    repository = CameraRepository(database)
    stored = repository.add(camera)
    assert stored.id is not None
    assert stored == replace(camera, id=stored.id)
    assert repository.get(stored.id) == stored
    assert repository.get_by_number(12) == stored


def test_camera_number_must_be_unique(database: Database, lille: Commune) -> None:
    repository = CameraRepository(database)
    repository.add(cam(12, lille, "Parvis"))
    with pytest.raises(DuplicateError, match=r"camera number 12 already exists \('Parvis', commune Lille"):
        repository.add(cam(12, lille, "Other"))
    assert [c.name for c in repository.list()] == ["Parvis"]


def test_camera_needs_an_existing_commune(database: Database) -> None:
    with pytest.raises(NotFoundError, match="commune id 4242 does not exist"):
        CameraRepository(database).add(Camera(1, "Orphan", commune_id=4242))


def test_add_many_stores_every_camera(database: Database, lille: Commune, roubaix: Commune) -> None:
    repository = CameraRepository(database)
    stored = repository.add_many([cam(3, lille), cam(1, roubaix), cam(2, lille)])
    assert [c.number for c in stored] == [3, 1, 2]
    assert all(c.id is not None for c in stored)
    assert [c.number for c in repository.list()] == [1, 2, 3]
    assert [c.number for c in repository.list(commune_id=lille.id)] == [2, 3]
    assert [c.number for c in repository.list(commune_id=roubaix.id)] == [1]
    assert repository.add_many([]) == []


def test_add_many_is_all_or_nothing(database: Database, lille: Commune) -> None:
    repository = CameraRepository(database)
    repository.add(cam(7, lille, "Existing"))
    with pytest.raises(DuplicateError, match="camera number 7 already exists"):
        repository.add_many([cam(5, lille), cam(6, lille), cam(7, lille), cam(8, lille)])
    assert [c.number for c in repository.list()] == [7]

    with pytest.raises(NotFoundError, match="commune id 4242"):
        repository.add_many([cam(5, lille), Camera(6, "Orphan", 4242)])
    assert [c.number for c in repository.list()] == [7]

    with pytest.raises(DuplicateError, match="camera number 9 appears more than once"):
        repository.add_many([cam(9, lille), cam(10, lille), cam(9, lille)])
    assert [c.number for c in repository.list()] == [7]


def test_add_many_rolls_back_rows_already_written(
    database: Database, lille: Commune, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after the rows reached the database still leaves none of them stored."""
    real = cameras_module.to_camera
    calls = 0

    def failing_on_second(row: object) -> Camera:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("injected failure")
        return real(row)  # type: ignore[arg-type]

    monkeypatch.setattr(cameras_module, "to_camera", failing_on_second)
    with pytest.raises(RuntimeError, match="injected"):
        CameraRepository(database).add_many([cam(1, lille), cam(2, lille), cam(3, lille)])
    monkeypatch.setattr(cameras_module, "to_camera", real)
    assert CameraRepository(database).list() == []


def test_upsert_by_number(database: Database, lille: Commune, roubaix: Commune) -> None:
    repository = CameraRepository(database)
    first = repository.upsert_by_number(cam(40, lille, "Gare", ptz=False))
    assert first.id is not None
    again = repository.upsert_by_number(
        cam(40, roubaix, "Gare - quai 2", ptz=True, main_uri="rtsp://10.0.0.40/main")
    )
    assert again.id == first.id
    assert repository.get(first.id) == replace(again)
    assert (again.name, again.commune_id, again.ptz, again.main_uri) == (
        "Gare - quai 2",
        roubaix.id,
        True,
        "rtsp://10.0.0.40/main",
    )
    assert len(repository.list()) == 1


def test_camera_update_and_delete(database: Database, lille: Commune) -> None:
    repository = CameraRepository(database)
    a = repository.add(cam(1, lille))
    repository.add(cam(2, lille))
    renumbered = repository.update(replace(a, number=3, name="Renumbered"))
    assert repository.get_by_number(1) is None
    assert repository.get_by_number(3) == renumbered
    with pytest.raises(DuplicateError, match="camera number 2 already exists"):
        repository.update(replace(renumbered, number=2))
    repository.delete(renumbered.id or 0)
    assert [c.number for c in repository.list()] == [2]
    with pytest.raises(NotFoundError, match=f"camera id {renumbered.id} does not exist"):
        repository.delete(renumbered.id or 0)
    with pytest.raises(NotFoundError):
        repository.get(renumbered.id or 0)


def test_next_free_number(database: Database, lille: Commune) -> None:
    repository = CameraRepository(database)
    assert repository.next_free_number() == 1
    repository.add_many([cam(1, lille), cam(2, lille), cam(10, lille)])
    assert repository.next_free_number() == 11
    repository.add(cam(999_999, lille))
    assert repository.next_free_number() == 3


@pytest.mark.parametrize(
    "uri",
    ["rtsp://admin:hunter2@10.0.0.1/main", "http://10.0.0.1/snapshot.jpg?user=admin&pwd=hunter2"],
)
def test_a_password_inside_a_uri_is_refused(database: Database, lille: Commune, uri: str) -> None:
    with pytest.raises(StoreError, match="keyring") as caught:
        CameraRepository(database).add(cam(1, lille, snapshot_uri=uri))
    assert "hunter2" not in str(caught.value)
    assert CameraRepository(database).list() == []


# --------------------------------------------------------------------------------------------- layouts


def test_layout_round_trip(database: Database) -> None:
    repository = LayoutRepository(database)
    one_plus_five = Layout(
        "1+5", 3, 3, (Tile(0, 0, 2, 2), Tile(0, 2), Tile(1, 2), Tile(2, 0), Tile(2, 1), Tile(2, 2))
    )
    stored = repository.add(one_plus_five)
    assert stored == replace(one_plus_five, id=stored.id)
    assert repository.get(stored.id or 0) == stored
    assert repository.get_by_name("1+5") == stored
    assert repository.get_by_name("nope") is None
    repository.add(Layout.grid(2, 2))
    assert [layout.name for layout in repository.list()] == ["1+5", "2x2"]


def test_layout_names_are_unique_and_updates_checked(database: Database) -> None:
    repository = LayoutRepository(database)
    grid = repository.add(Layout.grid(2, 2))
    other = repository.add(Layout.grid(3, 3))
    with pytest.raises(DuplicateError, match="layout named '2x2' already exists"):
        repository.add(Layout.grid(2, 2))
    with pytest.raises(DuplicateError):
        repository.update(replace(other, name="2x2"))
    wider = repository.update(replace(Layout.grid(2, 4, name="2x2"), id=grid.id))
    assert repository.get(grid.id or 0) == wider
    assert len(wider.tiles) == 8
    repository.delete(grid.id or 0)
    with pytest.raises(NotFoundError, match="layout id"):
        repository.get(grid.id or 0)


# ----------------------------------------------------------------------------------------- saved views


@pytest.fixture
def two_users(database: Database) -> tuple[User, User]:
    users = UserRepository(database)
    return (
        users.add(User("adupont", "Alice Dupont", Role.OPERATEUR)),
        users.add(User("bmartin", "Bruno Martin", Role.CHEF_DE_SALLE)),
    )


def test_a_user_sees_their_own_views_and_the_shared_ones(
    database: Database, two_users: tuple[User, User]
) -> None:
    alice, bruno = two_users
    repository = SavedViewRepository(database)
    shared = repository.add(SavedView("Centre-ville", "2x2", (12, None, 7, 8)))
    alices = repository.add(SavedView("Marche", "1x1", (3,), owner_id=alice.id))
    brunos = repository.add(SavedView("Gare", "2x2", (1, 2, 3, 4), owner_id=bruno.id))
    assert shared.cameras == (12, None, 7, 8)
    assert repository.list_for(alice.id) == [shared, alices]
    assert repository.list_for(bruno.id) == [shared, brunos]
    assert repository.list_for(None) == [shared]
    assert repository.get(alices.id or 0) == alices


def test_saved_view_names_are_unique_per_owner_and_among_shared(
    database: Database, two_users: tuple[User, User]
) -> None:
    alice, bruno = two_users
    repository = SavedViewRepository(database)
    repository.add(SavedView("Nuit", "2x2", (1, 2, 3, 4), owner_id=alice.id))
    repository.add(SavedView("Nuit", "2x2", (5, 6, 7, 8), owner_id=bruno.id))
    repository.add(SavedView("Nuit", "2x2", (9, 10, 11, 12)))
    with pytest.raises(DuplicateError, match=f"'Nuit' of user id {alice.id} already exists"):
        repository.add(SavedView("Nuit", "1x1", (1,), owner_id=alice.id))
    with pytest.raises(DuplicateError, match="'Nuit' shared already exists"):
        repository.add(SavedView("Nuit", "1x1", (1,)))
    assert len(repository.list_for(alice.id)) == 2


def test_saved_view_update_delete_and_unknown_owner(database: Database, two_users: tuple[User, User]) -> None:
    alice, _ = two_users
    repository = SavedViewRepository(database)
    view = repository.add(SavedView("Nuit", "2x2", (1, 2, 3, 4), owner_id=alice.id))
    shared = repository.update(replace(view, owner_id=None, cameras=(4, 3, 2, 1)))
    assert repository.list_for(None) == [shared]
    repository.delete(view.id or 0)
    assert repository.list_for(alice.id) == []
    with pytest.raises(NotFoundError, match="user id 4242 does not exist"):
        repository.add(SavedView("Ghost", "1x1", (1,), owner_id=4242))


# ----------------------------------------------------------------------------------------------- users


def test_user_round_trip_with_commune_scope(database: Database, lille: Commune, roubaix: Commune) -> None:
    repository = UserRepository(database)
    assert lille.id is not None and roubaix.id is not None
    policier = User(
        "pm.roubaix.1",
        "Paul Marchand",
        Role.POLICIER_MUNICIPAL,
        employer="Ville de Roubaix",
        communes=frozenset({roubaix.id}),
        valid_from=date(2025, 1, 1),
        valid_until=date(2027, 12, 31),
        agrement_ref="AGR-59-0042",
        agrement_expiry=date(2026, 5, 1),
        agrement_status=AgrementStatus.ACTIVE,
    )
    stored = repository.add(policier)
    assert stored == replace(policier, id=stored.id)
    assert isinstance(stored.communes, frozenset)
    assert repository.get(stored.id or 0) == stored
    assert repository.get_by_login("pm.roubaix.1") == stored
    assert repository.get_by_login("nobody") is None
    chef = repository.add(
        User("chef", "Claire Hef", Role.CHEF_DE_SALLE, communes=frozenset({lille.id, roubaix.id}))
    )
    admin = repository.add(User("admin", "Ada Min", Role.ADMINISTRATEUR))
    assert admin.communes == frozenset()
    assert repository.list() == [admin, chef, stored]


def test_every_role_and_agrement_status_is_storable(database: Database) -> None:
    repository = UserRepository(database)
    statuses = [*AgrementStatus, None]
    for index, role in enumerate(Role):
        status = statuses[index % len(statuses)]
        stored = repository.add(User(f"user{index}", f"User {index}", role, agrement_status=status))
        assert (stored.role, stored.agrement_status) == (role, status)


def test_logins_are_unique_and_scopes_must_exist(database: Database, lille: Commune) -> None:
    repository = UserRepository(database)
    repository.add(User("adupont", "Alice Dupont", Role.OPERATEUR))
    with pytest.raises(DuplicateError, match="login 'adupont' already exists"):
        repository.add(User("adupont", "Another Dupont", Role.OPERATEUR))
    with pytest.raises(NotFoundError, match="commune id 4242 does not exist"):
        repository.add(
            User("pm", "Paul M", Role.POLICIER_MUNICIPAL, communes=frozenset({lille.id or 0, 4242}))
        )
    assert repository.get_by_login("pm") is None


def test_set_active(database: Database) -> None:
    repository = UserRepository(database)
    repository.add(User("adupont", "Alice Dupont", Role.OPERATEUR))
    assert repository.set_active("adupont", False).active is False
    assert repository.get_by_login("adupont") is not None
    assert repository.get_by_login("adupont").active is False  # type: ignore[union-attr]
    assert repository.set_active("adupont", True).active is True
    with pytest.raises(NotFoundError, match="no user with login 'ghost'"):
        repository.set_active("ghost", False)


# -------------------------------------------------------------------------------------- `vmwall db`


def run_db(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="vmwall")
    parser.add_argument("--db")
    db_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    code: int = args.handler(args)
    return code


def test_db_command_upgrade_current_downgrade(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    head = migrate.head_revision()
    assert run_db("--db", db_url, "db", "current") == 1
    assert "none (empty schema)" in capsys.readouterr().out

    assert run_db("--db", db_url, "db", "upgrade") == 0
    assert f"none (empty schema) -> {head}" in capsys.readouterr().out

    assert run_db("--db", db_url, "db", "current") == 0
    assert f"schema {head} (up to date)" in capsys.readouterr().out

    with pytest.raises(UserFacingError, match="--yes"):
        run_db("--db", db_url, "db", "downgrade", "base")
    assert run_db("--db", db_url, "db", "downgrade", "base", "--yes") == 0
    with Database(db_url) as database:
        assert not table_names(database) & VMWALL_TABLES

    with pytest.raises(SchemaError, match="nonexistent"):
        run_db("--db", db_url, "db", "upgrade", "nonexistent")


def test_db_command_url_hides_the_password(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_db("--db", "postgresql://vmwall:Sup3rSecretPw@db.example:5432/vmwall", "db", "url") == 0
    out = capsys.readouterr().out
    assert "Sup3rSecretPw" not in out
    assert "db.example:5432/vmwall" in out


def test_db_command_url_shows_a_sqlite_path_unchanged(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_db("db", "url") == 0
    assert capsys.readouterr().out.strip() == f"sqlite:///{clean_env / 'vmwall.sqlite3'}"
    assert not clean_env.exists()  # printing the URL creates nothing


def test_db_command_reports_an_unreachable_database(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(DatabaseUnavailableError) as caught:
        run_db("--db", f"postgresql://vmwall:Sup3rSecretPw@127.0.0.1:{_closed_port()}/x", "db", "current")
    assert "Sup3rSecretPw" not in str(caught.value)
