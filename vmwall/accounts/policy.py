"""Who may do what today: the access rules of DOMAIN.md rule 3, as pure functions of an account.

- An account is usable only while active and within its validity dates.
- A role with live viewing needs an agrément: a reference, a status ``active`` and, if given, an
  expiry date not passed. Suspending it takes every image right away at once (open sessions too:
  ``vmwall.accounts.watcher``).
- A role that sees images (live or recorded) needs its training and charter dates on record.
- A municipal police officer sees only their commune(s): an account of that role without a commune
  scope is refused rather than given every commune.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from vmwall.model.user import (
    IMAGE_PERMISSIONS,
    AgrementStatus,
    Permission,
    Role,
    User,
    requires_agrement,
    sees_images,
)


class AccessProblem(StrEnum):
    """Why an account may not log in, or has lost rights during a session."""

    INACTIVE = "inactive"
    NOT_YET_VALID = "not-yet-valid"
    EXPIRED = "expired"
    NO_COMMUNE_SCOPE = "no-commune-scope"
    AGREMENT_MISSING = "agrement-missing"
    AGREMENT_SUSPENDED = "agrement-suspended"
    AGREMENT_EXPIRED = "agrement-expired"
    TRAINING_MISSING = "training-missing"
    CHARTER_MISSING = "charter-missing"


# Problems that make the whole account unusable (the others take away the image rights only).
ACCOUNT_PROBLEMS = frozenset(
    {
        AccessProblem.INACTIVE,
        AccessProblem.NOT_YET_VALID,
        AccessProblem.EXPIRED,
        AccessProblem.NO_COMMUNE_SCOPE,
    }
)


def access_problem(user: User, today: date) -> AccessProblem | None:
    """The first rule ``user`` breaks on ``today``, or None when the account is fully usable."""
    if not user.active:
        return AccessProblem.INACTIVE
    if user.valid_from is not None and today < user.valid_from:
        return AccessProblem.NOT_YET_VALID
    if user.valid_until is not None and today > user.valid_until:
        return AccessProblem.EXPIRED
    if user.role is Role.POLICIER_MUNICIPAL and not user.communes:
        return AccessProblem.NO_COMMUNE_SCOPE
    if requires_agrement(user.role):
        if not user.agrement_ref or user.agrement_status is None:
            return AccessProblem.AGREMENT_MISSING
        if user.agrement_status is AgrementStatus.SUSPENDED:
            return AccessProblem.AGREMENT_SUSPENDED
        if user.agrement_status is AgrementStatus.EXPIRED or (
            user.agrement_expiry is not None and today > user.agrement_expiry
        ):
            return AccessProblem.AGREMENT_EXPIRED
    if sees_images(user.role):
        if user.training_date is None or user.training_date > today:
            return AccessProblem.TRAINING_MISSING
        if user.charter_date is None or user.charter_date > today:
            return AccessProblem.CHARTER_MISSING
    return None


def effective_permissions(user: User, today: date) -> frozenset[Permission]:
    """The rights ``user`` holds today: the role's, minus the image rights when the agrément, training
    or charter is missing, none at all when the account itself is unusable."""
    problem = access_problem(user, today)
    if problem is None:
        return user.permissions
    if problem in ACCOUNT_PROBLEMS:
        return frozenset()
    return user.permissions - IMAGE_PERMISSIONS


def describe(problem: AccessProblem, login: str) -> str:
    """The problem in plain English (the CLI's words; the console has its own French ones)."""
    return {
        AccessProblem.INACTIVE: f"account {login!r} is deactivated",
        AccessProblem.NOT_YET_VALID: f"account {login!r} is not valid yet",
        AccessProblem.EXPIRED: f"account {login!r} has expired",
        AccessProblem.NO_COMMUNE_SCOPE: f"account {login!r} is a municipal police officer without a commune",
        AccessProblem.AGREMENT_MISSING: f"account {login!r} has no agrément on record (needed to view live)",
        AccessProblem.AGREMENT_SUSPENDED: f"the agrément of {login!r} is suspended",
        AccessProblem.AGREMENT_EXPIRED: f"the agrément of {login!r} has expired",
        AccessProblem.TRAINING_MISSING: f"account {login!r} has no training date on record",
        AccessProblem.CHARTER_MISSING: f"account {login!r} has not signed the user charter",
    }[problem]
