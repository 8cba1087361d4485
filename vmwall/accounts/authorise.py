"""Rights by login for services that trust an authenticated workstation to say who acts: the wall
controller (its consoles are CurveZMQ-authenticated; the user was authenticated by the console).

    authorise = Authoriser(AccountRepository(database))
    authorise("mdupont")   # -> {Permission.LIVE_VIEW, ...} or None (unknown, deactivated, expired)

Rights are read from the store at each call, so a suspension applies to the next command. A store
failure refuses (fails closed) and is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from vmwall.accounts.policy import ACCOUNT_PROBLEMS, access_problem, effective_permissions
from vmwall.accounts.store import AccountStore
from vmwall.model.user import Permission, User

log = logging.getLogger(__name__)


class Authoriser:
    def __init__(self, store: AccountStore, clock: Callable[[], datetime] | None = None) -> None:
        from vmwall.accounts.service import utc_now

        self._store = store
        self._clock = clock or utc_now

    def _user(self, login: str) -> User | None:
        try:
            found = self._store.find(login)
        except Exception as error:
            log.warning("cannot read the rights of %r (refused): %s", login, error)
            return None
        if found is None:
            return None
        today = self._clock().astimezone().date()
        problem = access_problem(found.user, today)
        if problem is not None and problem in ACCOUNT_PROBLEMS:
            return None
        return found.user

    def __call__(self, login: str) -> set[Permission] | None:
        """The rights ``login`` holds now, or None when the account does not exist or is unusable."""
        user = self._user(login)
        if user is None:
            return None
        return set(effective_permissions(user, self._clock().astimezone().date()))

    def communes(self, login: str) -> frozenset[int] | None:
        """The account's commune scope (empty: every commune), or None as for ``__call__``."""
        user = self._user(login)
        return None if user is None else user.communes
