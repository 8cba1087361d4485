"""Named accounts: login, sessions, shift handover, lock, rights checks, account administration.

Qt-free and SQLAlchemy-free: the service works on an ``AccountStore`` (``vmwall.store.AccountRepository``).

    service = AccountService(AccountRepository(database))
    session = service.login("mdupont", password)          # LoginRefusedError with a clear reason
    require(session, Permission.PTZ, commune=camera.commune_id)   # PermissionDeniedError
    session = service.handover(session, "jmartin", other_password)   # the outgoing session ends
    service.add_listener(audit_callback)                   # AccountEvent for logins, logouts, changes
"""

from vmwall.accounts.authorise import Authoriser
from vmwall.accounts.errors import (
    EXIT_NOT_ALLOWED,
    AccountError,
    LoginFailure,
    LoginRefusedError,
    PermissionDeniedError,
)
from vmwall.accounts.passwords import (
    PasswordPolicyError,
    ScryptParams,
    check_policy,
    hash_password,
    verify_password,
)
from vmwall.accounts.policy import AccessProblem, access_problem, describe, effective_permissions
from vmwall.accounts.service import AccountService, require, utc_now
from vmwall.accounts.session import AccountEvent, AccountEventKind, AccountListener, Session, SessionEnd
from vmwall.accounts.store import AccountStore, StoredAccount
from vmwall.accounts.watcher import SessionWatcher

__all__ = [
    "EXIT_NOT_ALLOWED",
    "AccessProblem",
    "AccountError",
    "AccountEvent",
    "AccountEventKind",
    "AccountListener",
    "AccountService",
    "AccountStore",
    "Authoriser",
    "LoginFailure",
    "LoginRefusedError",
    "PasswordPolicyError",
    "PermissionDeniedError",
    "ScryptParams",
    "Session",
    "SessionEnd",
    "SessionWatcher",
    "StoredAccount",
    "access_problem",
    "check_policy",
    "describe",
    "effective_permissions",
    "hash_password",
    "require",
    "utc_now",
    "verify_password",
]
