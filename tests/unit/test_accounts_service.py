"""The account service on an in-memory store: login and its refusals, sessions, handover, lock, rights,
administration, events, the watcher and the wall controller's authorise()."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.fixtures.accounts import FAST, TEST_PASSWORD, MemoryAccountStore, ready_user
from vmwall.accounts import (
    AccessProblem,
    AccountError,
    AccountEvent,
    AccountEventKind,
    AccountService,
    Authoriser,
    LoginFailure,
    LoginRefusedError,
    PasswordPolicyError,
    PermissionDeniedError,
    SessionEnd,
    SessionWatcher,
    access_problem,
    effective_permissions,
    hash_password,
    require,
)
from vmwall.accounts.service import UNKNOWN_LOGIN, throttle_delay_s
from vmwall.model.user import (
    IMAGE_PERMISSIONS,
    AgrementStatus,
    Permission,
    Role,
    User,
    parse_role,
    permissions_of,
)
from vmwall.store import DuplicateError


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def events() -> list[AccountEvent]:
    return []


@pytest.fixture
def service(account_store: MemoryAccountStore, clock: Clock, events: list[AccountEvent]) -> AccountService:
    return AccountService(
        account_store, clock=clock, workstation="poste-1", params=FAST, listeners=[events.append]
    )


def add(store: MemoryAccountStore, login: str, role: Role, **fields: object) -> User:
    return store.create(
        ready_user(login, role, **fields), hash_password(TEST_PASSWORD, FAST), datetime.now(UTC)
    )


def kinds(events: list[AccountEvent]) -> list[AccountEventKind]:
    return [e.kind for e in events]


# --- roles and policy ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("operateur", Role.OPERATEUR),
        ("Opérateur", Role.OPERATEUR),
        ("chef de salle", Role.CHEF_DE_SALLE),
        ("CHEF-DE-SALLE", Role.CHEF_DE_SALLE),
        ("policier municipal", Role.POLICIER_MUNICIPAL),
        ("référent réquisitions", Role.REFERENT_REQUISITIONS),
        ("referent_requisitions", Role.REFERENT_REQUISITIONS),
        ("administrateur technique", Role.ADMINISTRATEUR),
        ("administrateur", Role.ADMINISTRATEUR),
        ("DPO", Role.DPO),
        ("DPO / contrôle", Role.DPO),
    ],
)
def test_roles_by_value_or_french_label(text: str, role: Role) -> None:
    assert parse_role(text) is role


def test_unknown_role_lists_the_roles() -> None:
    with pytest.raises(ValueError, match=r"unknown role 'chef'.*chef-de-salle"):
        parse_role("chef")


def test_distinct_permissions_per_role() -> None:
    assert len({permissions_of(role) for role in Role}) >= 5  # operateur and policier share rights, not scope
    assert not permissions_of(Role.ADMINISTRATEUR) & IMAGE_PERMISSIONS
    assert permissions_of(Role.DPO) == {Permission.AUDIT_READ}
    assert Permission.WALL in permissions_of(Role.CHEF_DE_SALLE)
    assert Permission.WALL not in permissions_of(Role.OPERATEUR)


def test_policy_problems_in_order() -> None:
    ok = ready_user("op", Role.OPERATEUR)
    today = date.today()
    assert access_problem(ok, today) is None
    cases = [
        (replace(ok, active=False), AccessProblem.INACTIVE),
        (replace(ok, valid_from=today + timedelta(days=1)), AccessProblem.NOT_YET_VALID),
        (replace(ok, valid_until=today - timedelta(days=1)), AccessProblem.EXPIRED),
        (replace(ok, agrement_ref=None), AccessProblem.AGREMENT_MISSING),
        (replace(ok, agrement_status=AgrementStatus.SUSPENDED), AccessProblem.AGREMENT_SUSPENDED),
        (replace(ok, agrement_status=AgrementStatus.EXPIRED), AccessProblem.AGREMENT_EXPIRED),
        (replace(ok, agrement_expiry=today - timedelta(days=1)), AccessProblem.AGREMENT_EXPIRED),
        (replace(ok, training_date=None), AccessProblem.TRAINING_MISSING),
        (replace(ok, training_date=today + timedelta(days=2)), AccessProblem.TRAINING_MISSING),
        (replace(ok, charter_date=None), AccessProblem.CHARTER_MISSING),
        (ready_user("pm", Role.POLICIER_MUNICIPAL), AccessProblem.NO_COMMUNE_SCOPE),
    ]
    for user, problem in cases:
        assert access_problem(user, today) is problem, user
    # The validity's last day still counts.
    assert access_problem(replace(ok, valid_until=today, agrement_expiry=today), today) is None


def test_agrement_problems_take_image_rights_only_and_account_problems_take_all() -> None:
    today = date.today()
    chef = ready_user("chef", Role.CHEF_DE_SALLE)
    suspended = replace(chef, agrement_status=AgrementStatus.SUSPENDED)
    assert effective_permissions(chef, today) == permissions_of(Role.CHEF_DE_SALLE)
    assert effective_permissions(suspended, today) == {Permission.JOURNAL_WRITE}
    assert effective_permissions(replace(chef, active=False), today) == frozenset()
    # Roles without images need neither agrément nor training.
    admin = User("adm", "Ada Min", Role.ADMINISTRATEUR)
    assert access_problem(admin, today) is None
    dpo = User("dpo", "Dora Po", Role.DPO)
    assert effective_permissions(dpo, today) == {Permission.AUDIT_READ}
    # The référent sees recordings: training and charter, but no agrément (no live view).
    referent = User("ref", "Rémi Ref", Role.REFERENT_REQUISITIONS)
    assert access_problem(referent, today) is AccessProblem.TRAINING_MISSING


# --- login ---------------------------------------------------------------------------------------


def test_login_opens_a_session_and_records_it(
    service: AccountService, account_store: MemoryAccountStore, events: list[AccountEvent], clock: Clock
) -> None:
    add(account_store, "mdupont", Role.OPERATEUR, communes=frozenset({3}))
    session = service.login("mdupont", TEST_PASSWORD)
    assert session.login == "mdupont" and session.communes == {3}
    assert session.permissions == permissions_of(Role.OPERATEUR)
    assert session.started_at == clock.now and session.workstation == "poste-1"
    assert kinds(events) == [AccountEventKind.LOGIN]
    assert events[0].session_id == session.id and events[0].actor == "mdupont"
    assert account_store.accounts["mdupont"].last_login_at == clock.now
    other = service.login("mdupont", TEST_PASSWORD)
    assert other.id != session.id


def test_unknown_login_and_wrong_password_get_the_same_answer(
    service: AccountService, account_store: MemoryAccountStore, events: list[AccountEvent]
) -> None:
    add(account_store, "mdupont", Role.OPERATEUR)
    with pytest.raises(LoginRefusedError) as unknown:
        service.login("nobody", TEST_PASSWORD)
    with pytest.raises(LoginRefusedError) as wrong:
        service.login("mdupont", "Mauvais-mot-2025")
    assert str(unknown.value) == str(wrong.value) == "login refused: unknown login or wrong password"
    assert unknown.value.reason is wrong.value.reason is LoginFailure.BAD_CREDENTIALS
    assert unknown.value.exit_code == 77
    # The text typed as an unknown login is never recorded (it may be a password in the wrong field).
    assert [(e.kind, e.login) for e in events] == [
        (AccountEventKind.LOGIN_REFUSED, UNKNOWN_LOGIN),
        (AccountEventKind.LOGIN_REFUSED, "mdupont"),
    ]
    assert all("Mauvais" not in e.detail and TEST_PASSWORD not in e.detail for e in events)


def test_an_empty_database_says_how_to_start(service: AccountService) -> None:
    with pytest.raises(LoginRefusedError, match="vmwall users add LOGIN --role administrateur") as refused:
        service.login("admin", "whatever")
    assert refused.value.reason is LoginFailure.NO_ACCOUNTS


@pytest.mark.parametrize(
    ("fields", "reason", "words"),
    [
        ({"active": False}, LoginFailure.ACCOUNT, "deactivated"),
        ({"valid_until": date(2020, 1, 1)}, LoginFailure.ACCOUNT, "expired"),
        ({"agrement_status": AgrementStatus.SUSPENDED}, LoginFailure.AGREMENT, "agrément .* is suspended"),
        ({"agrement_expiry": date(2020, 1, 1)}, LoginFailure.AGREMENT, "agrément .* has expired"),
        ({"charter_date": None}, LoginFailure.AGREMENT, "charter"),
    ],
)
def test_refusals_after_a_right_password_say_why(
    service: AccountService,
    account_store: MemoryAccountStore,
    fields: dict[str, object],
    reason: LoginFailure,
    words: str,
) -> None:
    add(account_store, "mdupont", Role.OPERATEUR, **fields)
    with pytest.raises(LoginRefusedError, match=words) as refused:
        service.login("mdupont", TEST_PASSWORD)
    assert refused.value.reason is reason


def test_wrong_passwords_in_a_row_throttle_the_account(
    service: AccountService, account_store: MemoryAccountStore, clock: Clock
) -> None:
    add(account_store, "mdupont", Role.OPERATEUR)
    for _ in range(5):
        with pytest.raises(LoginRefusedError, match="unknown login or wrong password"):
            service.login("mdupont", "Mauvais-mot-2025")
        clock.advance(1)
    with pytest.raises(LoginRefusedError, match=r"try again in \d+ s") as throttled:
        service.login("mdupont", TEST_PASSWORD)  # even the right password waits
    assert throttled.value.reason is LoginFailure.THROTTLED and 0 < (throttled.value.retry_after_s or 0) <= 30
    clock.advance(31)
    assert service.login("mdupont", TEST_PASSWORD).login == "mdupont"
    assert account_store.accounts["mdupont"].failed_logins == 0
    assert [throttle_delay_s(n) for n in (4, 5, 6, 7, 20)] == [0, 30, 60, 120, 900]


# --- sessions ------------------------------------------------------------------------------------


def test_handover_ends_the_outgoing_session_and_opens_the_new_one(
    service: AccountService, account_store: MemoryAccountStore, events: list[AccountEvent], clock: Clock
) -> None:
    add(account_store, "nuit", Role.OPERATEUR)
    add(account_store, "jour", Role.CHEF_DE_SALLE)
    night = service.login("nuit", TEST_PASSWORD)
    clock.advance(8 * 3600)
    with pytest.raises(LoginRefusedError):
        service.handover(night, "jour", "Mauvais-mot-2025")  # the night shift goes on
    assert kinds(events) == [AccountEventKind.LOGIN, AccountEventKind.LOGIN_REFUSED]
    day = service.handover(night, "jour", TEST_PASSWORD)
    assert day.login == "jour" and Permission.WALL in day.permissions
    logout, login = events[-2:]
    assert (logout.kind, logout.login, logout.session_id) == (AccountEventKind.LOGOUT, "nuit", night.id)
    assert logout.data == {"end": "handover", "duration_s": str(8 * 3600)} and "jour" in logout.detail
    assert (login.kind, login.login, login.session_id) == (AccountEventKind.LOGIN, "jour", day.id)
    assert "nuit" in login.detail


def test_lock_unlock_and_logout(
    service: AccountService, account_store: MemoryAccountStore, events: list[AccountEvent]
) -> None:
    add(account_store, "mdupont", Role.OPERATEUR)
    session = service.login("mdupont", TEST_PASSWORD)
    service.lock(session)
    with pytest.raises(LoginRefusedError):
        service.unlock(session, "Mauvais-mot-2025")
    unlocked = service.unlock(session, TEST_PASSWORD)
    assert unlocked.id == session.id
    service.logout(unlocked, SessionEnd.CLOSED)
    assert kinds(events) == [
        AccountEventKind.LOGIN,
        AccountEventKind.LOCKED,
        AccountEventKind.LOGIN_REFUSED,
        AccountEventKind.UNLOCKED,
        AccountEventKind.LOGOUT,
    ]
    assert events[-1].data["end"] == "closed"


def test_suspending_the_agrement_takes_image_rights_from_an_open_session(
    service: AccountService, account_store: MemoryAccountStore, events: list[AccountEvent]
) -> None:
    add(account_store, "admin", Role.ADMINISTRATEUR)
    add(account_store, "chef", Role.CHEF_DE_SALLE)
    admin = service.login("admin", TEST_PASSWORD)
    chef = service.login("chef", TEST_PASSWORD)
    assert service.refresh(chef) == chef  # nothing changed: same rights, no event
    service.suspend_agrement(admin, "chef", "enquête administrative")
    refreshed = service.refresh(chef)
    assert refreshed.id == chef.id
    assert refreshed.problem is AccessProblem.AGREMENT_SUSPENDED
    assert refreshed.permissions == {Permission.JOURNAL_WRITE}
    changed = [e for e in events if e.kind is AccountEventKind.RIGHTS_CHANGED]
    assert len(changed) == 1 and "live-view" in changed[0].detail and changed[0].session_id == chef.id
    with pytest.raises(PermissionDeniedError, match=r"live-view right.*suspended"):
        require(refreshed, Permission.LIVE_VIEW)
    # Unlocking is refused while suspended: the console must be handed over.
    with pytest.raises(LoginRefusedError, match="suspended"):
        service.unlock(refreshed, TEST_PASSWORD)
    service.reactivate(admin, "chef")
    assert service.refresh(refreshed).permissions == permissions_of(Role.CHEF_DE_SALLE)


def test_a_deleted_or_deactivated_account_loses_everything(
    service: AccountService, account_store: MemoryAccountStore
) -> None:
    add(account_store, "op", Role.OPERATEUR)
    session = service.login("op", TEST_PASSWORD)
    del account_store.accounts["op"]
    gone = service.refresh(session)
    assert gone.permissions == frozenset() and gone.problem is AccessProblem.INACTIVE


def test_require_checks_right_and_commune() -> None:
    service = AccountService(MemoryAccountStore(), params=FAST)
    add(service.store, "pm", Role.POLICIER_MUNICIPAL, communes=frozenset({7}))  # type: ignore[arg-type]
    session = service.login("pm", TEST_PASSWORD)
    require(session, Permission.LIVE_VIEW)
    require(session, Permission.LIVE_VIEW, commune=7)
    with pytest.raises(PermissionDeniedError, match="commune id 8") as other:
        require(session, Permission.LIVE_VIEW, commune=8)
    assert other.value.exit_code == 77 and other.value.commune == 8
    with pytest.raises(
        PermissionDeniedError, match=r"pm \(policier municipal\) does not have the wall right"
    ):
        require(session, Permission.WALL)
    assert session.can(Permission.PTZ, 7) and not session.can(Permission.PTZ, 8)


# --- administration ------------------------------------------------------------------------------


def test_bootstrap_only_on_an_empty_store_and_only_an_administrator(
    service: AccountService, events: list[AccountEvent]
) -> None:
    with pytest.raises(AccountError, match="first account must be an administrator"):
        service.bootstrap(User("op", "Olga Pé", Role.OPERATEUR), TEST_PASSWORD)
    with pytest.raises(PasswordPolicyError):
        service.bootstrap(User("admin", "Ada Min", Role.ADMINISTRATEUR), "court")
    admin = service.bootstrap(User("admin", "Ada Min", Role.ADMINISTRATEUR), TEST_PASSWORD)
    assert admin.id is not None
    with pytest.raises(DuplicateError, match="already has accounts"):
        service.bootstrap(User("admin2", "Ada Deux", Role.ADMINISTRATEUR), TEST_PASSWORD)
    assert service.login("admin", TEST_PASSWORD).can(Permission.USER_ADMIN)
    assert events[0].kind is AccountEventKind.USER_CREATED and events[0].actor is None


def test_administration_needs_user_admin(service: AccountService, account_store: MemoryAccountStore) -> None:
    add(account_store, "admin", Role.ADMINISTRATEUR)
    add(account_store, "chef", Role.CHEF_DE_SALLE)
    admin = service.login("admin", TEST_PASSWORD)
    chef = service.login("chef", TEST_PASSWORD)
    newcomer = ready_user("nouveau", Role.OPERATEUR)
    for attempt in (
        lambda: service.create_user(chef, newcomer, TEST_PASSWORD),
        lambda: service.create_user(None, newcomer, TEST_PASSWORD),
        lambda: service.suspend_agrement(chef, "chef"),
        lambda: service.deactivate(chef, "admin"),
        lambda: service.list_users(chef),
        lambda: service.set_password(chef, "admin", "Nouveau-mot-2025"),
        lambda: service.update_user(chef, replace(chef.user, role=Role.ADMINISTRATEUR)),
    ):
        with pytest.raises(PermissionDeniedError):
            attempt()
    service.create_user(admin, newcomer, TEST_PASSWORD)
    assert [a.user.login for a in service.list_users(admin)] == ["admin", "chef", "nouveau"]
    # One's own password needs no admin right.
    service.set_password(chef, "chef", "Nouveau-mot-2025")
    assert service.login("chef", "Nouveau-mot-2025").login == "chef"


def test_a_policier_municipal_needs_a_commune(
    service: AccountService, account_store: MemoryAccountStore
) -> None:
    add(account_store, "admin", Role.ADMINISTRATEUR)
    admin = service.login("admin", TEST_PASSWORD)
    with pytest.raises(AccountError, match="policier municipal sees only their commune"):
        service.create_user(admin, ready_user("pm", Role.POLICIER_MUNICIPAL), TEST_PASSWORD)
    service.create_user(
        admin, ready_user("pm", Role.POLICIER_MUNICIPAL, communes=frozenset({1})), TEST_PASSWORD
    )


def test_changes_are_recorded_with_what_changed(
    service: AccountService, account_store: MemoryAccountStore, events: list[AccountEvent]
) -> None:
    add(account_store, "admin", Role.ADMINISTRATEUR)
    op = add(account_store, "op", Role.OPERATEUR)
    admin = service.login("admin", TEST_PASSWORD)
    events.clear()
    service.update_user(admin, replace(op, role=Role.CHEF_DE_SALLE, communes=frozenset({2, 5})))
    service.update_user(admin, replace(op, role=Role.CHEF_DE_SALLE, communes=frozenset({2, 5})))  # no change
    service.set_password(admin, "op", "Nouveau-mot-2025")
    service.deactivate(admin, "op", "départ")
    assert kinds(events) == [
        AccountEventKind.USER_CHANGED,
        AccountEventKind.PASSWORD_CHANGED,
        AccountEventKind.ACCOUNT_DEACTIVATED,
    ]
    assert events[0].detail == "role operateur -> chef-de-salle; communes all -> 2,5"
    assert events[0].actor == "admin" and events[2].detail == "départ"
    assert all("Nouveau" not in e.detail for e in events)


def test_the_last_administrator_cannot_be_removed(
    service: AccountService, account_store: MemoryAccountStore
) -> None:
    admin_user = add(account_store, "admin", Role.ADMINISTRATEUR)
    admin = service.login("admin", TEST_PASSWORD)
    with pytest.raises(AccountError, match="last active administrator"):
        service.deactivate(admin, "admin")
    with pytest.raises(AccountError, match="last active administrator"):
        service.update_user(admin, replace(admin_user, role=Role.DPO))
    add(account_store, "admin2", Role.ADMINISTRATEUR)
    service.deactivate(admin, "admin")
    assert account_store.accounts["admin"].user.active is False


def test_reactivate_forgets_wrong_passwords(
    service: AccountService, account_store: MemoryAccountStore, clock: Clock
) -> None:
    add(account_store, "admin", Role.ADMINISTRATEUR)
    add(account_store, "op", Role.OPERATEUR)
    admin = service.login("admin", TEST_PASSWORD)
    for _ in range(6):
        with pytest.raises(LoginRefusedError):
            service.login("op", "Mauvais-mot-2025")
    service.reactivate(admin, "op")
    assert service.login("op", TEST_PASSWORD).login == "op"


def test_a_failing_listener_never_breaks_a_login(
    service: AccountService, account_store: MemoryAccountStore, events: list[AccountEvent]
) -> None:
    def broken(_event: AccountEvent) -> None:
        raise RuntimeError("audit down")

    service.add_listener(broken)
    add(account_store, "op", Role.OPERATEUR)
    assert service.login("op", TEST_PASSWORD).login == "op"
    service.remove_listener(broken)
    assert kinds(events) == [AccountEventKind.LOGIN]


# --- watcher -------------------------------------------------------------------------------------


def test_watcher_reports_a_suspension_and_closes(
    service: AccountService, account_store: MemoryAccountStore
) -> None:
    add(account_store, "admin", Role.ADMINISTRATEUR)
    add(account_store, "op", Role.OPERATEUR)
    admin = service.login("admin", TEST_PASSWORD)
    current = [service.login("op", TEST_PASSWORD)]
    changed = threading.Event()
    seen: list[object] = []

    def on_changed(session: object) -> None:
        seen.append(session)
        changed.set()

    watcher = SessionWatcher(service.refresh, lambda: current[0], on_changed, interval_s=0.05)
    watcher.start()
    try:
        time.sleep(0.2)
        assert not seen and watcher.checks >= 1
        service.suspend_agrement(admin, "op")
        assert changed.wait(5)
        assert seen[0].permissions == {Permission.JOURNAL_WRITE}  # type: ignore[attr-defined]
    finally:
        watcher.close()
        watcher.close()  # idempotent
    assert not any(t.name == "session-watcher" for t in threading.enumerate())


def test_watcher_keeps_rights_while_the_store_is_down(
    service: AccountService, account_store: MemoryAccountStore
) -> None:
    add(account_store, "op", Role.OPERATEUR)
    session = service.login("op", TEST_PASSWORD)
    calls: list[int] = []

    def failing(_session: object) -> object:
        calls.append(1)
        raise OSError("database unreachable")

    seen: list[object] = []
    watcher = SessionWatcher(failing, lambda: session, seen.append, interval_s=10)  # type: ignore[arg-type]
    watcher.check_once()
    watcher.check_once()
    assert len(calls) == 2 and not seen


# --- the wall controller's authorise() -----------------------------------------------------------


def test_authoriser_gives_current_rights_or_none(account_store: MemoryAccountStore, clock: Clock) -> None:
    add(account_store, "chef", Role.CHEF_DE_SALLE, communes=frozenset({1}))
    add(account_store, "old", Role.CHEF_DE_SALLE, active=False)
    add(account_store, "susp", Role.CHEF_DE_SALLE, agrement_status=AgrementStatus.SUSPENDED)
    authorise = Authoriser(account_store, clock)
    assert authorise("chef") == set(permissions_of(Role.CHEF_DE_SALLE))
    assert authorise.communes("chef") == {1}
    assert authorise("nobody") is None and authorise("old") is None
    assert authorise("susp") == {Permission.JOURNAL_WRITE}  # known, but no wall right any more

    class Broken(MemoryAccountStore):
        def find(self, login: str) -> None:
            raise OSError("down")

    assert Authoriser(Broken())("chef") is None  # fails closed


def test_an_open_session_is_rechecked_well_within_the_minute() -> None:
    from vmwall.accounts.watcher import DEFAULT_INTERVAL_S

    assert 0 < DEFAULT_INTERVAL_S <= 30  # a suspension ends live view within 1 minute (issue 7)
    with pytest.raises(ValueError):
        SessionWatcher(lambda s: s, lambda: None, lambda s: None, interval_s=0)


def test_an_operator_changes_their_own_password_with_the_current_one(
    service: AccountService, account_store: MemoryAccountStore, events: list[AccountEvent]
) -> None:
    add(account_store, "nuit", Role.OPERATEUR)
    session = service.login("nuit", TEST_PASSWORD)
    new = "Quai-de-la-Deule-42"
    with pytest.raises(LoginRefusedError) as wrong:  # someone at an unlocked console
        service.change_own_password(session, "not the password", new)
    assert wrong.value.reason is LoginFailure.BAD_CREDENTIALS
    assert account_store.find("nuit").failed_logins == 1  # counts towards the wait, like a login
    with pytest.raises(PasswordPolicyError) as unchanged:
        service.change_own_password(session, TEST_PASSWORD, TEST_PASSWORD)
    assert unchanged.value.rule == "unchanged"
    with pytest.raises(PasswordPolicyError) as short:
        service.change_own_password(session, TEST_PASSWORD, "Ab1-short")
    assert short.value.rule == "too-short"
    with pytest.raises(PasswordPolicyError) as named:
        service.change_own_password(session, TEST_PASSWORD, "nuit-Quai-2025-x")
    assert named.value.rule == "contains-name"
    service.change_own_password(session, TEST_PASSWORD, new)
    changed = [e for e in events if e.kind is AccountEventKind.PASSWORD_CHANGED]
    assert [(e.login, e.actor) for e in changed] == [("nuit", "nuit")]
    with pytest.raises(LoginRefusedError):
        service.login("nuit", TEST_PASSWORD)
    assert service.login("nuit", new).login == "nuit"
