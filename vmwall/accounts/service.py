"""The account service: login, sessions, shift handover, lock, rights checks and account administration.

Qt-free and storage-free: it works on an ``AccountStore`` (``vmwall.store.AccountRepository`` in the
product). Every method may block (password hashing takes most of a second, the store does I/O): the
console calls them from a worker, never from the GUI thread.

Listeners (``add_listener``) receive an ``AccountEvent`` for every login, refusal, logout, lock,
change of rights during a session and change to an account; the audit trail is one of them. A
failing listener is logged and never breaks a login.
"""

from __future__ import annotations

import logging
import secrets
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from vmwall.accounts.errors import AccountError, LoginFailure, LoginRefusedError, PermissionDeniedError
from vmwall.accounts.passwords import (
    DEFAULT_PARAMS,
    PasswordPolicyError,
    ScryptParams,
    burn_time,
    check_policy,
    hash_password,
    verify_password,
)
from vmwall.accounts.policy import ACCOUNT_PROBLEMS, access_problem, describe, effective_permissions
from vmwall.accounts.session import AccountEvent, AccountEventKind, AccountListener, Session, SessionEnd
from vmwall.accounts.store import AccountStore, StoredAccount
from vmwall.model.user import MAX_LOGIN_LENGTH, ROLE_LABELS, AgrementStatus, Permission, Role, User

log = logging.getLogger(__name__)

# After this many wrong passwords in a row, each new attempt waits: 30 s, then doubling, up to 15 min.
THROTTLE_AFTER = 5
THROTTLE_BASE_S = 30
THROTTLE_MAX_S = 900

UNKNOWN_LOGIN = "(unknown)"  # what the audit records for a login that does not exist (it may be a
# password typed in the wrong field: the text typed is never recorded)


def utc_now() -> datetime:
    return datetime.now(UTC)


def require(session: Session, permission: Permission, commune: int | None = None) -> None:
    """PermissionDeniedError unless ``session`` holds ``permission`` (for ``commune``, if given)."""
    if permission not in session.permissions:
        why = f" ({describe(session.problem, session.login)})" if session.problem else ""
        raise PermissionDeniedError(
            f"{session.login} ({ROLE_LABELS[session.user.role]}) does not have the"
            f" {permission.value} right{why}",
            permission,
            commune,
        )
    if commune is not None and session.communes and commune not in session.communes:
        raise PermissionDeniedError(
            f"{session.login} may not act on commune id {commune}: outside the account's communes",
            permission,
            commune,
        )


def throttle_delay_s(failed_logins: int) -> int:
    """How long an account waits after ``failed_logins`` wrong passwords in a row (0: not throttled)."""
    if failed_logins < THROTTLE_AFTER:
        return 0
    return int(min(THROTTLE_MAX_S, THROTTLE_BASE_S * 2 ** (failed_logins - THROTTLE_AFTER)))


def _scope_text(communes: frozenset[int]) -> str:
    return ",".join(str(c) for c in sorted(communes)) or "all"


class AccountService:
    def __init__(
        self,
        store: AccountStore,
        *,
        clock: Callable[[], datetime] = utc_now,
        workstation: str | None = None,
        params: ScryptParams = DEFAULT_PARAMS,
        listeners: Iterable[AccountListener] = (),
    ) -> None:
        self.store = store
        self._clock = clock
        self.workstation = workstation if workstation is not None else socket.gethostname()
        self._params = params
        self._listeners: list[AccountListener] = list(listeners)
        self._lock = threading.Lock()

    # --- listeners ------------------------------------------------------------------------------

    def add_listener(self, listener: AccountListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: AccountListener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _emit(
        self,
        kind: AccountEventKind,
        login: str,
        *,
        actor: str | None = None,
        session: Session | None = None,
        detail: str = "",
        data: dict[str, str] | None = None,
    ) -> None:
        event = AccountEvent(
            kind,
            self._clock(),
            login,
            actor=actor,
            session_id=session.id if session else None,
            workstation=self.workstation,
            detail=detail,
            data=data or {},
        )
        log.info("account event %s: %s%s", kind.value, login, f" ({detail})" if detail else "")
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("an account listener failed on %s", kind.value)

    # --- time -----------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock()

    def today(self) -> date:
        """The local date, for validity and agrément dates."""
        return self._clock().astimezone().date()

    # --- login ----------------------------------------------------------------------------------

    def has_accounts(self) -> bool:
        return self.store.count() > 0

    def authenticate(self, login: str, password: str) -> StoredAccount:
        """The account when ``login`` and ``password`` match and it may log in today; else
        LoginRefusedError (unknown login and wrong password give the same answer)."""
        login = login.strip()
        found = self.store.find(login) if 0 < len(login) <= MAX_LOGIN_LENGTH else None
        if found is None:
            if self.store.count() == 0:
                raise LoginRefusedError(
                    LoginFailure.NO_ACCOUNTS,
                    "no account exists yet: create the first administrator with"
                    " `vmwall users add LOGIN --role administrateur --password-stdin`",
                )
            burn_time(self._params)
            self._emit(AccountEventKind.LOGIN_REFUSED, UNKNOWN_LOGIN, detail="unknown login")
            raise LoginRefusedError(
                LoginFailure.BAD_CREDENTIALS, "login refused: unknown login or wrong password"
            )
        now = self._clock()
        wait = throttle_delay_s(found.failed_logins)
        if wait and found.last_failed_at is not None:
            remaining = (found.last_failed_at + timedelta(seconds=wait) - now).total_seconds()
            if remaining > 0:
                self._emit(AccountEventKind.LOGIN_REFUSED, login, detail="too many wrong passwords")
                raise LoginRefusedError(
                    LoginFailure.THROTTLED,
                    f"too many wrong passwords for {login!r}: try again in {int(remaining) + 1} s",
                    retry_after_s=int(remaining) + 1,
                )
        if not verify_password(password, found.password_hash):
            self.store.record_failure(login, now)
            self._emit(AccountEventKind.LOGIN_REFUSED, login, detail="wrong password")
            raise LoginRefusedError(
                LoginFailure.BAD_CREDENTIALS, "login refused: unknown login or wrong password"
            )
        self.store.record_success(login, now)
        problem = access_problem(found.user, self.today())
        if problem is not None:
            self._emit(AccountEventKind.LOGIN_REFUSED, login, detail=problem.value)
            reason = LoginFailure.ACCOUNT if problem in ACCOUNT_PROBLEMS else LoginFailure.AGREMENT
            raise LoginRefusedError(
                reason, f"login refused: {describe(problem, login)}", problem=problem.value
            )
        return found

    def login(self, login: str, password: str) -> Session:
        """Open a session (LoginRefusedError with a clear reason otherwise)."""
        account = self.authenticate(login, password)
        return self._open(account.user, "")

    def _open(self, user: User, detail: str) -> Session:
        session = Session(
            id=secrets.token_hex(8),
            user=user,
            permissions=effective_permissions(user, self.today()),
            started_at=self._clock(),
            workstation=self.workstation,
        )
        self._emit(AccountEventKind.LOGIN, user.login, actor=user.login, session=session, detail=detail)
        return session

    def logout(self, session: Session, end: SessionEnd = SessionEnd.LOGOUT, detail: str = "") -> None:
        """End ``session`` (recorded with how it ended and how long it lasted)."""
        seconds = max(0, int((self._clock() - session.started_at).total_seconds()))
        words = f"{end.value} after {seconds} s" + (f"; {detail}" if detail else "")
        self._emit(
            AccountEventKind.LOGOUT,
            session.login,
            actor=session.login,
            session=session,
            detail=words,
            data={"end": end.value, "duration_s": str(seconds)},
        )

    def handover(self, outgoing: Session, login: str, password: str) -> Session:
        """Shift handover: authenticate the incoming operator first (if that fails, ``outgoing`` goes on),
        then end the outgoing session and open the new one."""
        account = self.authenticate(login, password)
        self.logout(outgoing, SessionEnd.HANDOVER, f"handed over to {account.user.login}")
        return self._open(account.user, f"shift handover from {outgoing.login}")

    def lock(self, session: Session, why: str = "inactivity") -> None:
        self._emit(AccountEventKind.LOCKED, session.login, actor=session.login, session=session, detail=why)

    def unlock(self, session: Session, password: str) -> Session:
        """The same operator back at a locked console: their password again; the session goes on with
        the rights the account holds now (LoginRefusedError if it may no longer log in)."""
        account = self.authenticate(session.login, password)
        self._emit(AccountEventKind.UNLOCKED, session.login, actor=session.login, session=session)
        return self._refreshed(session, account.user)

    def refresh(self, session: Session) -> Session:
        """``session`` with the rights its account holds now (read again from the store)."""
        found = self.store.find(session.login)
        if found is None:
            return self._refreshed(session, replace(session.user, active=False))
        return self._refreshed(session, found.user)

    def _refreshed(self, session: Session, user: User) -> Session:
        today = self.today()
        permissions = effective_permissions(user, today)
        problem = access_problem(user, today)
        if permissions != session.permissions or problem != session.problem:
            lost = sorted(p.value for p in session.permissions - permissions)
            gained = sorted(p.value for p in permissions - session.permissions)
            self._emit(
                AccountEventKind.RIGHTS_CHANGED,
                session.login,
                session=session,
                detail="; ".join(
                    part
                    for part in (
                        problem.value if problem else "",
                        f"lost {', '.join(lost)}" if lost else "",
                        f"gained {', '.join(gained)}" if gained else "",
                    )
                    if part
                ),
            )
        return session.with_account(user, permissions, problem)

    # --- administration -------------------------------------------------------------------------

    def _admin(self, actor: Session | None) -> str:
        """The actor's login when it may administer accounts (PermissionDeniedError otherwise)."""
        if actor is None:
            raise PermissionDeniedError("administering accounts needs a signed-in administrator")
        require(actor, Permission.USER_ADMIN)
        return actor.login

    def _must_find(self, login: str) -> StoredAccount:
        found = self.store.find(login)
        if found is None:
            raise AccountError(f"no account with login {login!r}")
        return found

    @staticmethod
    def _validate(user: User) -> None:
        if user.role is Role.POLICIER_MUNICIPAL and not user.communes:
            raise AccountError(
                f"{user.login!r}: a policier municipal sees only their commune: give it with --commune"
            )
        if user.agrement_status is not None and not user.agrement_ref:
            raise AccountError(f"{user.login!r}: an agrément status needs the agrément's reference")

    def bootstrap(self, user: User, password: str) -> User:
        """The first account of an empty database, created without login: an administrator only."""
        if user.role is not Role.ADMINISTRATEUR:
            raise AccountError(
                "the first account must be an administrator (--role administrateur);"
                " it then creates the others"
            )
        self._validate(user)
        check_policy(password, user.login, user.full_name)
        created = self.store.create(
            user, hash_password(password, self._params), self._clock(), only_if_empty=True
        )
        self._emit(AccountEventKind.USER_CREATED, created.login, actor=None, detail="first administrator")
        return created

    def create_user(self, actor: Session | None, user: User, password: str) -> User:
        who = self._admin(actor)
        self._validate(user)
        check_policy(password, user.login, user.full_name)
        created = self.store.create(user, hash_password(password, self._params), self._clock())
        self._emit(
            AccountEventKind.USER_CREATED,
            created.login,
            actor=who,
            session=actor,
            detail=f"role {created.role.value}, communes {_scope_text(created.communes)}",
        )
        return created

    def get_user(self, actor: Session | None, login: str) -> StoredAccount:
        self._admin(actor)
        return self._must_find(login)

    def list_users(self, actor: Session | None) -> list[StoredAccount]:
        self._admin(actor)
        return self.store.list()

    def update_user(self, actor: Session | None, user: User) -> User:
        """Store the account's new role, scope, agrément, dates or name (not its password)."""
        who = self._admin(actor)
        before = self._must_find(user.login).user
        user = replace(user, id=before.id)
        self._validate(user)
        self._keep_an_administrator(before, user)
        stored = self.store.update(user)
        changes = _differences(before, stored)
        if changes:
            self._emit(
                AccountEventKind.USER_CHANGED,
                stored.login,
                actor=who,
                session=actor,
                detail="; ".join(f"{name} {old} -> {new}" for name, (old, new) in changes.items()),
                data={name: new for name, (_old, new) in changes.items()},
            )
        return stored

    def _keep_an_administrator(self, before: User, after: User) -> None:
        """Refuse the change that would leave no active administrator (nobody could manage accounts)."""
        today = self.today()
        if Permission.USER_ADMIN not in effective_permissions(before, today):
            return
        if Permission.USER_ADMIN in effective_permissions(after, today):
            return
        others = [
            a
            for a in self.store.list()
            if a.user.login != before.login and Permission.USER_ADMIN in effective_permissions(a.user, today)
        ]
        if not others:
            raise AccountError(f"{before.login!r} is the last active administrator: create another one first")

    def set_password(self, actor: Session | None, login: str, password: str) -> None:
        """A new password: one's own, or anyone's for an administrator."""
        if actor is None:
            raise PermissionDeniedError("changing a password needs a signed-in user")
        if actor.login != login:
            self._admin(actor)
        account = self._must_find(login)
        check_policy(password, login, account.user.full_name)
        self.store.set_password(login, hash_password(password, self._params), self._clock())
        self._emit(AccountEventKind.PASSWORD_CHANGED, login, actor=actor.login, session=actor)

    def change_own_password(self, session: Session, current: str, new: str) -> None:
        """The signed-in operator changes their password at a console: the current one first (checked
        like a login: wrong ones count towards the wait), then the policy; recorded like any change."""
        self.authenticate(session.login, current)
        if current == new:
            raise PasswordPolicyError("the new password must differ from the current one", "unchanged")
        self.set_password(session, session.login, new)

    def suspend_agrement(self, actor: Session | None, login: str, reason: str = "") -> User:
        """Suspend the account's agrément: image rights end at once, open sessions included."""
        who = self._admin(actor)
        before = self._must_find(login).user
        if before.agrement_status is None:
            raise AccountError(
                f"{login!r} has no agrément to suspend (use `vmwall users deactivate` to close the account)"
            )
        stored = self.store.update(replace(before, agrement_status=AgrementStatus.SUSPENDED))
        self._emit(AccountEventKind.AGREMENT_SUSPENDED, login, actor=who, session=actor, detail=reason)
        return stored

    def deactivate(self, actor: Session | None, login: str, reason: str = "") -> User:
        who = self._admin(actor)
        before = self._must_find(login).user
        after = replace(before, active=False)
        self._keep_an_administrator(before, after)
        stored = self.store.update(after)
        self._emit(AccountEventKind.ACCOUNT_DEACTIVATED, login, actor=who, session=actor, detail=reason)
        return stored

    def reactivate(self, actor: Session | None, login: str) -> User:
        """Reactivate the account and a suspended agrément, and forget wrong-password attempts."""
        who = self._admin(actor)
        account = self._must_find(login)
        before = account.user
        status = AgrementStatus.ACTIVE if before.agrement_status is AgrementStatus.SUSPENDED else None
        after = replace(before, active=True, agrement_status=status or before.agrement_status)
        stored = self.store.update(after)
        if account.failed_logins:
            self.store.reset_failures(login)
        self._emit(AccountEventKind.ACCOUNT_REACTIVATED, login, actor=who, session=actor)
        return stored


def _differences(before: User, after: User) -> dict[str, tuple[str, str]]:
    changes: dict[str, tuple[str, str]] = {}
    for name in (
        "full_name",
        "employer",
        "role",
        "communes",
        "valid_from",
        "valid_until",
        "agrement_ref",
        "agrement_expiry",
        "agrement_status",
        "active",
        "training_date",
        "charter_date",
    ):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            if name == "communes":
                changes[name] = (_scope_text(old), _scope_text(new))
            else:
                changes[name] = (str(old if old is not None else "-"), str(new if new is not None else "-"))
    return changes
