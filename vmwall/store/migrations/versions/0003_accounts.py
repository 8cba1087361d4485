"""Accounts: password state (change date, failed attempts, last login), training and charter dates.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03

Written by hand. The password hash column exists since 0001 (empty until now): it holds scrypt
hashes made by vmwall.accounts.passwords, never a password. Columns are added and dropped with plain
ALTER TABLE (SQLite >= 3.35): a batch copy of ``users`` would fire ON DELETE CASCADE on the commune
scopes and saved views that reference it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_COLUMNS = (
    ("training_date", sa.Date()),
    ("charter_date", sa.Date()),
    ("credential_changed_at", sa.DateTime(timezone=True)),  # when the password hash last changed
    ("last_login_at", sa.DateTime(timezone=True)),
    ("last_failed_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    for name, type_ in _COLUMNS:
        op.add_column("users", sa.Column(name, type_, nullable=True))
    op.add_column("users", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("users", "failed_logins")
    for name, _type in reversed(_COLUMNS):
        op.drop_column("users", name)
