"""The schema as SQLAlchemy ORM rows. Rows never leave vmwall.store: repositories convert them.

Any change here needs a new Alembic revision in ``migrations/versions`` (a test compares the two).
There is deliberately no password column for cameras: ``credential_ref`` names a keyring entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from vmwall.model import MAX_RETENTION_DAYS, AgrementStatus, Forfait, Role
from vmwall.model.camera import MAX_CAMERA_NUMBER

# Deterministic constraint names, so that migrations can name what they alter or drop on every
# backend (SQLite batch mode needs them).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


metadata = Base.metadata


def _one_of(column: str, values: Iterable[str]) -> str:
    quoted = []
    for value in values:
        if "'" in value:
            raise ValueError(f"quote in enumerated value {value!r}")
        quoted.append(f"'{value}'")
    return f"{column} IN ({', '.join(quoted)})"


def _now() -> datetime:
    return datetime.now(UTC)


class CommuneRow(Base):
    __tablename__ = "communes"
    __table_args__ = (
        CheckConstraint(f"retention_days BETWEEN 1 AND {MAX_RETENTION_DAYS}", name="retention_days"),
        CheckConstraint(_one_of("forfait", Forfait), name="forfait"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    insee_code: Mapped[str] = mapped_column(String(5), unique=True)
    forfait: Mapped[str] = mapped_column(String(32))
    retention_days: Mapped[int]
    authorisation_ref: Mapped[str | None] = mapped_column(String)
    authorisation_expiry: Mapped[date | None]
    live_hours: Mapped[str | None] = mapped_column(String(11))


class CameraRow(Base):
    __tablename__ = "cameras"
    __table_args__ = (CheckConstraint(f"number BETWEEN 1 AND {MAX_CAMERA_NUMBER}", name="number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String)
    # RESTRICT: a commune that still has cameras cannot be deleted.
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="RESTRICT"), index=True)
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    address: Mapped[str | None] = mapped_column(String)
    onvif_host: Mapped[str | None] = mapped_column(String)
    onvif_port: Mapped[int | None]
    username: Mapped[str | None] = mapped_column(String)
    credential_ref: Mapped[str | None] = mapped_column(String)  # keyring entry, never a password
    main_uri: Mapped[str | None] = mapped_column(Text)
    sub_uri: Mapped[str | None] = mapped_column(Text)
    snapshot_uri: Mapped[str | None] = mapped_column(Text)
    main_profile: Mapped[str | None] = mapped_column(String)
    sub_profile: Mapped[str | None] = mapped_column(String)
    ptz: Mapped[bool] = mapped_column(default=False)
    manufacturer: Mapped[str | None] = mapped_column(String)
    model: Mapped[str | None] = mapped_column(String)
    firmware: Mapped[str | None] = mapped_column(String)
    serial: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class LayoutRow(Base):
    __tablename__ = "layouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    rows: Mapped[int]
    columns: Mapped[int]
    tiles: Mapped[str] = mapped_column(Text)  # JSON: [{"row", "column", "row_span", "column_span"}]


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_one_of("role", Role), name="role"),
        CheckConstraint(
            f"agrement_status IS NULL OR {_one_of('agrement_status', AgrementStatus)}", name="agrement_status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String, unique=True)
    full_name: Mapped[str] = mapped_column(String)
    employer: Mapped[str] = mapped_column(String)
    role: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    agrement_ref: Mapped[str | None] = mapped_column(String)
    agrement_expiry: Mapped[date | None]
    agrement_status: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool]
    password_hash: Mapped[str | None] = mapped_column(String)  # scrypt hash, never a password
    # 0003 (accounts): training and charter gate the image rights; password and login state.
    training_date: Mapped[date | None]
    charter_date: Mapped[date | None]
    credential_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_logins: Mapped[int] = mapped_column(default=0, server_default=text("0"))


class UserCommuneRow(Base):
    """The commune scope of a user (no rows = every commune)."""

    __tablename__ = "user_communes"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # RESTRICT: deleting a commune must not silently empty a scope, which would mean "all communes".
    commune_id: Mapped[int] = mapped_column(
        ForeignKey("communes.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class SavedViewRow(Base):
    __tablename__ = "saved_views"
    __table_args__ = (
        UniqueConstraint("name", "owner_id"),
        # NULLs are distinct in a UNIQUE constraint: shared views (owner NULL) need their own index.
        Index(
            "uq_saved_views_shared_name",
            "name",
            unique=True,
            sqlite_where=text("owner_id IS NULL"),
            postgresql_where=text("owner_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String)
    layout_name: Mapped[str] = mapped_column(String)  # layouts also ship as files: no foreign key
    cameras: Mapped[str] = mapped_column(Text)  # JSON: camera number or null, one per tile
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


# Tables of later features live in modules of their own; importing them registers them in `metadata`.
from vmwall.store import tables_ptz as _tables_ptz  # noqa: E402, F401
