"""Accounts on the real databases (SQLite and PostgreSQL): the repository, the service over it, the
bootstrap race, the migration, and a suspension reaching another workstation's open session."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.fixtures.accounts import FAST, TEST_PASSWORD, create_account, ready_user
from tests.fixtures.secret_scan import assert_secret_not_stored
from vmwall.accounts import (
    AccessProblem,
    AccountService,
    LoginRefusedError,
    Session,
    SessionWatcher,
    hash_password,
)
from vmwall.model import Commune, Role, User
from vmwall.model.user import AgrementStatus, Permission
from vmwall.store import (
    AccountRepository,
    CommuneRepository,
    Database,
    DuplicateError,
    NotFoundError,
    UserRepository,
    migrate,
)


@pytest.fixture
def communes(database: Database) -> tuple[Commune, Commune]:
    repository = CommuneRepository(database)
    return repository.add(Commune("Lille", "59350")), repository.add(Commune("Roubaix", "59512"))


def test_repository_round_trip(database: Database, communes: tuple[Commune, Commune]) -> None:
    lille, roubaix = communes
    assert lille.id and roubaix.id
    repository = AccountRepository(database)
    assert repository.ready() and repository.count() == 0
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    user = ready_user("pm.lille", Role.POLICIER_MUNICIPAL, communes=frozenset({lille.id}))
    stored = repository.create(user, hash_password(TEST_PASSWORD, FAST), at)
    assert stored == replace(user, id=stored.id)
    found = repository.find("pm.lille")
    assert found is not None and found.user == stored
    assert found.password_changed_at == at and found.failed_logins == 0 and found.last_login_at is None
    assert found.password_hash and found.password_hash.startswith("$scrypt$")
    assert repository.find("nobody") is None
    # UserRepository (everyone else's view) sees the new fields too.
    assert UserRepository(database).get_by_login("pm.lille") == stored

    moved = repository.update(replace(stored, communes=frozenset({roubaix.id}), role=Role.OPERATEUR))
    assert moved.communes == {roubaix.id} and moved.role is Role.OPERATEUR
    with pytest.raises(NotFoundError):
        repository.update(User("ghost", "Gho St", Role.DPO))
    with pytest.raises(NotFoundError, match="commune id 4242"):
        repository.update(replace(moved, communes=frozenset({4242})))
    assert repository.find("pm.lille").user.communes == {roubaix.id}  # type: ignore[union-attr]

    for n in range(3):
        repository.record_failure("pm.lille", at + timedelta(seconds=n))
    failing = repository.find("pm.lille")
    assert failing is not None and failing.failed_logins == 3
    assert failing.last_failed_at == at + timedelta(seconds=2)
    repository.record_success("pm.lille", at + timedelta(minutes=1))
    ok = repository.find("pm.lille")
    assert ok is not None and (ok.failed_logins, ok.last_failed_at) == (0, None)
    assert ok.last_login_at == at + timedelta(minutes=1)
    repository.set_password("pm.lille", hash_password("Autre-secret-2026", FAST), at + timedelta(days=1))
    assert repository.find("pm.lille").password_changed_at == at + timedelta(days=1)  # type: ignore[union-attr]
    assert [a.user.login for a in repository.list()] == ["pm.lille"]
    with pytest.raises(DuplicateError, match="already exists"):
        repository.create(user, hash_password(TEST_PASSWORD, FAST), at)


def test_passwords_are_never_stored(database: Database) -> None:
    service = AccountService(AccountRepository(database), params=FAST)
    service.bootstrap(User("admin", "Ada Min", Role.ADMINISTRATEUR), TEST_PASSWORD)
    admin = service.login("admin", TEST_PASSWORD)
    service.create_user(admin, ready_user("chef", Role.CHEF_DE_SALLE), "Autre-secret-2026")
    service.set_password(admin, "chef", "Encore-autre-2027")
    for secret in (TEST_PASSWORD, "Autre-secret-2026", "Encore-autre-2027"):
        assert assert_secret_not_stored(database, secret) > 0


def test_failed_attempts_count_atomically(database: Database) -> None:
    create_account(database, "op", Role.OPERATEUR)
    repository = AccountRepository(database)
    now = datetime.now(UTC)
    threads = [threading.Thread(target=repository.record_failure, args=("op", now)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert repository.find("op").failed_logins == 8  # type: ignore[union-attr]


def test_two_first_administrators_at_once_make_one(database: Database) -> None:
    results: list[str] = []
    barrier = threading.Barrier(2)

    def bootstrap(login: str) -> None:
        service = AccountService(AccountRepository(database), params=FAST)
        barrier.wait()
        try:
            service.bootstrap(User(login, f"Admin {login}", Role.ADMINISTRATEUR), TEST_PASSWORD)
            results.append("created")
        except DuplicateError:
            results.append("refused")

    threads = [threading.Thread(target=bootstrap, args=(f"admin{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == ["created", "refused"]
    assert AccountRepository(database).count() == 1


def test_login_and_refusals_on_the_real_store(database: Database) -> None:
    create_account(database, "chef", Role.CHEF_DE_SALLE)
    service = AccountService(AccountRepository(database), params=FAST)
    session = service.login("chef", TEST_PASSWORD)
    assert Permission.WALL in session.permissions
    with pytest.raises(LoginRefusedError, match="unknown login or wrong password"):
        service.login("chef", "Mauvais-mot-2025")
    found = AccountRepository(database).find("chef")
    assert found is not None and found.failed_logins == 1 and found.last_login_at is not None


def test_an_operator_changes_their_own_password_on_the_real_store(database: Database) -> None:
    create_account(database, "nuit", Role.OPERATEUR)
    service = AccountService(AccountRepository(database), params=FAST)
    session = service.login("nuit", TEST_PASSWORD)
    with pytest.raises(LoginRefusedError, match="unknown login or wrong password"):
        service.change_own_password(session, "Mauvais-mot-2025", "Quai-de-la-Deule-42")
    found = AccountRepository(database).find("nuit")
    assert found is not None and found.failed_logins == 1  # counted like a wrong login
    service.change_own_password(session, TEST_PASSWORD, "Quai-de-la-Deule-42")
    other_workstation = AccountService(AccountRepository(Database(database.url)), params=FAST)
    with pytest.raises(LoginRefusedError):
        other_workstation.login("nuit", TEST_PASSWORD)
    assert other_workstation.login("nuit", "Quai-de-la-Deule-42").login == "nuit"
    assert assert_secret_not_stored(database, "Quai-de-la-Deule-42") > 0


def test_a_suspension_reaches_an_open_session_on_another_workstation(database: Database) -> None:
    """Two consoles (two services, their own connections): the administrator's console suspends the
    operator's agrément; the operator's console watcher takes the image rights away."""
    create_account(database, "admin", Role.ADMINISTRATEUR)
    create_account(database, "op", Role.OPERATEUR)
    admin_console = AccountService(AccountRepository(Database(database.url)), params=FAST, workstation="a")
    operator_console = AccountService(AccountRepository(Database(database.url)), params=FAST, workstation="b")
    current = [operator_console.login("op", TEST_PASSWORD)]
    changed = threading.Event()

    def on_changed(session: Session) -> None:
        current[0] = session
        changed.set()

    watcher = SessionWatcher(operator_console.refresh, lambda: current[0], on_changed, interval_s=0.2)
    watcher.start()
    try:
        admin = admin_console.login("admin", TEST_PASSWORD)
        admin_console.suspend_agrement(admin, "op", "test")
        assert changed.wait(10), "the open session kept its rights"
        assert current[0].problem is AccessProblem.AGREMENT_SUSPENDED
        assert Permission.LIVE_VIEW not in current[0].permissions
    finally:
        watcher.close()
        admin_console.store._db().close()  # type: ignore[attr-defined]
        operator_console.store._db().close()  # type: ignore[attr-defined]


def test_migration_0003_keeps_accounts_and_scopes_both_ways(db_url: str) -> None:
    with Database(db_url) as database:
        migrate.upgrade(database, "0002")
        with database.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO communes (name, insee_code, forfait, retention_days)"
                    " VALUES ('Lille', '59350', 'live-24-7', 30)"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO users (login, full_name, employer, role, active)"
                    " VALUES ('ancien', 'Ancien Compte', '', 'operateur', true)"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO user_communes (user_id, commune_id)"
                    " SELECT u.id, c.id FROM users u, communes c"
                )
            )
        assert not AccountRepository(database).ready()
        migrate.upgrade(database, "0003")
        found = AccountRepository(database).find("ancien")
        assert found is not None and found.failed_logins == 0 and found.password_hash is None
        assert len(found.user.communes) == 1
        # A pre-0003 account has no password: it cannot sign in.
        with pytest.raises(LoginRefusedError):
            AccountService(AccountRepository(database), params=FAST).login("ancien", "")
        migrate.downgrade(database, "0002")
        with database.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM user_communes")).scalar() == 1
            assert connection.execute(sa.text("SELECT login FROM users")).scalar() == "ancien"
        migrate.upgrade(database)


def test_agrement_expiry_in_the_store_is_honoured(database: Database) -> None:
    create_account(database, "op", Role.OPERATEUR)
    repository = AccountRepository(database)
    user = repository.find("op").user  # type: ignore[union-attr]
    repository.update(replace(user, agrement_expiry=datetime.now(UTC).date() - timedelta(days=1)))
    with pytest.raises(LoginRefusedError, match="agrément of 'op' has expired"):
        AccountService(repository, params=FAST).login("op", TEST_PASSWORD)
    repository.update(replace(user, agrement_status=AgrementStatus.SUSPENDED))
    with pytest.raises(LoginRefusedError, match="suspended"):
        AccountService(repository, params=FAST).login("op", TEST_PASSWORD)
