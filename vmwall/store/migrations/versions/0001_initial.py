"""Initial schema: communes, cameras, layouts, users and their commune scope, saved views.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Written by hand. Enumerations (forfait, role, agrément status) are frozen here as they were at this
revision: a later revision that adds a value must replace the CHECK constraint.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_SHARED = sa.text("owner_id IS NULL")


def upgrade() -> None:
    op.create_table(
        "communes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("insee_code", sa.String(length=5), nullable=False),
        sa.Column("forfait", sa.String(length=32), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("authorisation_ref", sa.String(), nullable=True),
        sa.Column("authorisation_expiry", sa.Date(), nullable=True),
        sa.Column("live_hours", sa.String(length=11), nullable=True),
        sa.CheckConstraint("retention_days BETWEEN 1 AND 30", name=op.f("ck_communes_retention_days")),
        sa.CheckConstraint(
            "forfait IN ('storage-only', 'live-hours', 'live-24-7')", name=op.f("ck_communes_forfait")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communes")),
        sa.UniqueConstraint("name", name=op.f("uq_communes_name")),
        sa.UniqueConstraint("insee_code", name=op.f("uq_communes_insee_code")),
    )
    op.create_table(
        "layouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("columns", sa.Integer(), nullable=False),
        sa.Column("tiles", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_layouts")),
        sa.UniqueConstraint("name", name=op.f("uq_layouts_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(), nullable=False),
        sa.Column("full_name", sa.String(), nullable=False),
        sa.Column("employer", sa.String(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("agrement_ref", sa.String(), nullable=True),
        sa.Column("agrement_expiry", sa.Date(), nullable=True),
        sa.Column("agrement_status", sa.String(length=16), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=True),
        sa.CheckConstraint(
            "role IN ('operateur', 'chef-de-salle', 'policier-municipal', 'referent-requisitions',"
            " 'administrateur', 'dpo')",
            name=op.f("ck_users_role"),
        ),
        sa.CheckConstraint(
            "agrement_status IS NULL OR agrement_status IN ('active', 'suspended', 'expired')",
            name=op.f("ck_users_agrement_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("login", name=op.f("uq_users_login")),
    )
    op.create_table(
        "cameras",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("address", sa.String(), nullable=True),
        sa.Column("onvif_host", sa.String(), nullable=True),
        sa.Column("onvif_port", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(), nullable=True),
        sa.Column("credential_ref", sa.String(), nullable=True),
        sa.Column("main_uri", sa.Text(), nullable=True),
        sa.Column("sub_uri", sa.Text(), nullable=True),
        sa.Column("snapshot_uri", sa.Text(), nullable=True),
        sa.Column("main_profile", sa.String(), nullable=True),
        sa.Column("sub_profile", sa.String(), nullable=True),
        sa.Column("ptz", sa.Boolean(), nullable=False),
        sa.Column("manufacturer", sa.String(), nullable=True),
        sa.Column("model", sa.String(), nullable=True),
        sa.Column("firmware", sa.String(), nullable=True),
        sa.Column("serial", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("number BETWEEN 1 AND 999999", name=op.f("ck_cameras_number")),
        sa.ForeignKeyConstraint(
            ["commune_id"],
            ["communes.id"],
            name=op.f("fk_cameras_commune_id_communes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cameras")),
        sa.UniqueConstraint("number", name=op.f("uq_cameras_number")),
    )
    op.create_index(op.f("ix_cameras_commune_id"), "cameras", ["commune_id"])
    op.create_table(
        "user_communes",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_communes_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["commune_id"],
            ["communes.id"],
            name=op.f("fk_user_communes_commune_id_communes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("user_id", "commune_id", name=op.f("pk_user_communes")),
    )
    op.create_index(op.f("ix_user_communes_commune_id"), "user_communes", ["commune_id"])
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("layout_name", sa.String(), nullable=False),
        sa.Column("cameras", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_saved_views_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sa.UniqueConstraint("name", "owner_id", name=op.f("uq_saved_views_name_owner_id")),
    )
    op.create_index(op.f("ix_saved_views_owner_id"), "saved_views", ["owner_id"])
    op.create_index(
        "uq_saved_views_shared_name",
        "saved_views",
        ["name"],
        unique=True,
        sqlite_where=_SHARED,
        postgresql_where=_SHARED,
    )


def downgrade() -> None:
    op.drop_index("uq_saved_views_shared_name", table_name="saved_views")
    op.drop_index(op.f("ix_saved_views_owner_id"), table_name="saved_views")
    op.drop_table("saved_views")
    op.drop_index(op.f("ix_user_communes_commune_id"), table_name="user_communes")
    op.drop_table("user_communes")
    op.drop_index(op.f("ix_cameras_commune_id"), table_name="cameras")
    op.drop_table("cameras")
    op.drop_table("users")
    op.drop_table("layouts")
    op.drop_table("communes")
