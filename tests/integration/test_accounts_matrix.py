"""The permission matrix: every role × every action, on both databases.

The expected answers are written out here, independently of the code's tables: the rights of each
role (``vmwall.accounts.require``), the wall controller's ``authorise`` and camera check (the real
``build_rights`` of ``vmwall wall-controller``), and every CLI command and action the parser knows
(``vmwall.commands._auth``). A command added without an entry here fails the test: its access rule
must be decided, not inherited.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import pytest

from tests.fixtures.accounts import TEST_PASSWORD, create_account, sign_in
from vmwall.accounts import AccountService, PermissionDeniedError, require
from vmwall.cli import build_parser
from vmwall.commands import _auth
from vmwall.errors import UserFacingError
from vmwall.model import Camera, Commune, Role
from vmwall.model.user import AgrementStatus, Permission
from vmwall.store import AccountRepository, CameraRepository, CommuneRepository, Database

P = Permission
R = Role
ALL = frozenset(Role)
VIEWERS = frozenset({R.OPERATEUR, R.CHEF_DE_SALLE, R.POLICIER_MUNICIPAL})

# Role -> every right it holds (DOMAIN.md "The people").
RIGHTS: dict[Role, frozenset[Permission]] = {
    R.OPERATEUR: frozenset({P.LIVE_VIEW, P.PTZ, P.JOURNAL_WRITE}),
    R.CHEF_DE_SALLE: frozenset({P.LIVE_VIEW, P.PTZ, P.JOURNAL_WRITE, P.WALL, P.PLAYBACK, P.EXPORT}),
    R.POLICIER_MUNICIPAL: frozenset({P.LIVE_VIEW, P.PTZ, P.JOURNAL_WRITE}),
    R.REFERENT_REQUISITIONS: frozenset({P.PLAYBACK, P.EXPORT, P.HANDOVER, P.HOLDS, P.JOURNAL_WRITE}),
    R.ADMINISTRATEUR: frozenset({P.USER_ADMIN, P.CAMERA_ADMIN, P.MASKS, P.RETENTION}),
    R.DPO: frozenset({P.AUDIT_READ}),
}

SERVICE = "service"  # runs without a user
CONSOLE = "console"  # signs in through its own dialog

_CAMERA_ADMIN = frozenset({R.ADMINISTRATEUR})
_JOURNAL = frozenset({R.OPERATEUR, R.CHEF_DE_SALLE, R.POLICIER_MUNICIPAL, R.REFERENT_REQUISITIONS})

# (command, action or None) -> the roles allowed, or SERVICE / CONSOLE.
CLI: dict[tuple[str, str | None], frozenset[Role] | str] = {
    ("doctor", None): SERVICE,
    ("sim", None): SERVICE,
    ("sim", "--register"): _CAMERA_ADMIN,
    ("hub", None): SERVICE,
    ("hub", "status"): SERVICE,
    ("hub", "url"): SERVICE,
    ("wall-node", None): SERVICE,
    ("wall-controller", None): SERVICE,
    ("console", None): CONSOLE,
    ("cameras", "add"): _CAMERA_ADMIN,
    ("cameras", "import"): _CAMERA_ADMIN,
    ("cameras", "remove"): _CAMERA_ADMIN,
    ("cameras", "discover"): _CAMERA_ADMIN,
    ("cameras", "list"): _CAMERA_ADMIN | VIEWERS,
    ("cameras", "show"): _CAMERA_ADMIN | VIEWERS,
    **{("db", a): frozenset({R.ADMINISTRATEUR}) for a in ("upgrade", "downgrade", "current", "url")},
    **{
        ("users", a): frozenset({R.ADMINISTRATEUR})
        for a in ("add", "list", "show", "grant", "revoke", "update", "suspend", "deactivate", "reactivate")
    },
    ("users", "passwd"): ALL,  # one's own password (another's: user-admin, checked by the service)
    **{
        ("ptz", a): VIEWERS
        for a in (
            "status",
            "presets",
            "capabilities",
            "goto",
            "move",
            "stop",
            "home",
            "set-home",
            "absolute",
            "relative",
            "centre",
            "zoom-box",
            "preset-set",
            "preset-rename",
            "preset-remove",
            "tour",
            "holder",
        )
    },
    **{
        ("wall", a): frozenset({R.CHEF_DE_SALLE})
        for a in ("status", "preset", "show", "sequence", "alarm-screen", "alarm")
    },
    ("wall", "keys"): SERVICE,  # the local user's own key folder; a wall PC may have no database
    **{
        ("journal", a): _JOURNAL
        for a in (
            "add",
            "list",
            "show",
            "follow-up",
            "close",
            "export",
            "report",
            "stats",
            "categories",
            "category",
        )
    },
    **{("bookmarks", a): _JOURNAL for a in ("add", "end", "list")},
    ("audit", "verify"): frozenset({R.DPO}),
    ("audit", "list"): frozenset({R.DPO}),
    ("audit", "purge"): frozenset({R.ADMINISTRATEUR}),
}


class SharedDatabase(Database):
    """The command's database, kept open across commands (``finish()`` closes it after each one)."""

    def close(self) -> None:
        pass


def registered_actions() -> list[tuple[str, str | None]]:
    """Every (command, action) the real parser knows."""
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found: list[tuple[str, str | None]] = []
    for name, command in commands.choices.items():
        inner = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        found += [(name, None)] if not inner else [(name, action) for action in inner[0].choices]
        if name == "sim":
            found.append(("sim", "--register"))
    return found


def namespace(command: str, action: str | None, url: str) -> argparse.Namespace:
    args = argparse.Namespace(command=command, db=url)
    if action == "--register":
        args.register = True
    elif action is not None:
        setattr(args, f"{command.replace('-', '_')}_action", action)
    return args


@pytest.fixture
def world(database: Database) -> dict[Role, str]:
    """One signed-in-able account per role; the police officer scoped to Lille."""
    communes = CommuneRepository(database)
    lille = communes.add(Commune("Lille", "59350"))
    roubaix = communes.add(Commune("Roubaix", "59512"))
    assert lille.id and roubaix.id
    CameraRepository(database).add(Camera(1, "Grand-Place", lille.id))
    CameraRepository(database).add(Camera(2, "Gare", roubaix.id))
    logins: dict[Role, str] = {}
    for role in Role:
        scope = frozenset({lille.id}) if role is Role.POLICIER_MUNICIPAL else frozenset()
        logins[role] = create_account(database, f"{role.value}.1", role, communes=scope).login
    return logins


def test_the_role_table_is_the_one_expected() -> None:
    from vmwall.model.user import permissions_of

    assert {role: permissions_of(role) for role in Role} == RIGHTS


def test_every_role_times_every_right(database: Database, world: dict[Role, str]) -> None:
    service = AccountService(AccountRepository(database))
    lille = CommuneRepository(database).get_by_name("Lille")
    roubaix = CommuneRepository(database).get_by_name("Roubaix")
    assert lille and roubaix
    for role, login in world.items():
        session = service.login(login, TEST_PASSWORD)
        for permission in Permission:
            allowed = permission in RIGHTS[role]
            for commune in (None, lille.id, roubaix.id):
                expected = allowed and not (role is Role.POLICIER_MUNICIPAL and commune == roubaix.id)
                if expected:
                    require(session, permission, commune)
                else:
                    with pytest.raises(PermissionDeniedError):
                        require(session, permission, commune)
                assert session.can(permission, commune) is expected, (role, permission, commune)


def test_the_wall_controller_authorise_for_every_role(database: Database, world: dict[Role, str]) -> None:
    from vmwall.commands.wall_controller import build_rights

    authorise, check_cameras = build_rights(database)
    for role, login in world.items():
        assert authorise(login) == set(RIGHTS[role]), role
        may_push_lille = role in VIEWERS  # pushing a camera to the wall shows it live
        assert (check_cameras(login, [1]) is None) is may_push_lille, role
        may_push_roubaix = may_push_lille and role is not Role.POLICIER_MUNICIPAL
        assert (check_cameras(login, [2]) is None) is may_push_roubaix, role
        assert (Permission.WALL in (authorise(login) or set())) is (role is Role.CHEF_DE_SALLE)
    assert authorise("nobody") is None
    # Suspended: still known, no image right any more; deactivated: unknown to the wall.
    repository = AccountRepository(database)
    chef = repository.find(world[Role.CHEF_DE_SALLE])
    assert chef is not None
    repository.update(replace(chef.user, agrement_status=AgrementStatus.SUSPENDED))
    assert authorise(chef.user.login) == {Permission.JOURNAL_WRITE}
    assert check_cameras(chef.user.login, [1]) is not None
    repository.update(replace(chef.user, active=False))
    assert authorise(chef.user.login) is None


def test_every_cli_command_for_every_role(
    database: Database,
    world: dict[Role, str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    monkeypatch.setattr(_auth, "open_terminal", lambda: None)
    shared = SharedDatabase(database.url)  # one pool for the ~500 sign-ins, no re-migration each time
    monkeypatch.setattr(_auth, "_open", lambda args: shared)
    request.addfinalizer(lambda: Database.close(shared))
    actions = registered_actions()
    unknown = sorted({a for a in actions if a not in CLI}, key=str)
    assert not unknown, f"decide the access rule of {unknown} (here and in vmwall/commands/_auth.py)"
    for command, action in actions:
        expected = CLI[(command, action)]
        for role, login in world.items():
            sign_in(monkeypatch, login)
            args = namespace(command, action, database.url)
            try:
                session = _auth.authorise_command(args)
                outcome = "ok"
            except PermissionDeniedError as refused:
                outcome = "refused"
                assert refused.exit_code == 77 and "may not run" in str(refused)
            finally:
                _auth.finish(args)
            if expected in (SERVICE, CONSOLE):
                assert (outcome, session) == ("ok", None), (command, action, role)
            else:
                assert isinstance(expected, frozenset)
                wanted = "ok" if role in expected else "refused"
                assert outcome == wanted, (command, action, role)
                if outcome == "ok":
                    assert session is not None and session.login == login and args.session is session


def test_without_a_user_only_service_and_bootstrap_commands_run(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty database: service commands, the console (its dialog says what to do), `db`,
    `wall keys` and `users add` run; everything else asks for the first administrator."""
    monkeypatch.setattr(_auth, "open_terminal", lambda: None)
    for command, action in registered_actions():
        expected = CLI[(command, action)]
        args = namespace(command, action, db_url)
        try:
            assert _auth.authorise_command(args) is None
            outcome = "ok"
        except UserFacingError as refused:
            assert refused.exit_code == 77 and "no account exists yet" in str(refused)
            outcome = "refused"
        finally:
            _auth.finish(args)
        bootstrap = (command, action) in (
            ("db", "upgrade"),
            ("db", "downgrade"),
            ("db", "current"),
            ("db", "url"),
        )
        bootstrap |= (command, action) in (("users", "add"), ("wall", "keys"))
        wanted = "ok" if expected in (SERVICE, CONSOLE) or bootstrap else "refused"
        assert outcome == wanted, (command, action)
