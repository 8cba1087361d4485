"""PTZ control locks: who drives which camera, until when (a lease).

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02

Written by hand.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "ptz_locks",
        sa.Column("camera", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(), nullable=False),
        sa.Column("full_name", sa.String(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("console", sa.String(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("session", sa.String(length=64), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("until > since", name=op.f("ck_ptz_locks_lease")),
        sa.ForeignKeyConstraint(
            ["camera"],
            ["cameras.number"],
            name=op.f("fk_ptz_locks_camera_cameras"),
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("camera", name=op.f("pk_ptz_locks")),
    )
    op.create_index(op.f("ix_ptz_locks_until"), "ptz_locks", ["until"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ptz_locks_until"), table_name="ptz_locks")
    op.drop_table("ptz_locks")
