"""The PTZ control locks (revision 0002): one row per camera whose PTZ someone holds.

A row is a lease: ``until`` is when it lapses unless renewed. A lapsed row means "free" to every
reader; the next holder overwrites it. ``version`` grows on every write, for compare-and-set.
The camera is named by its catalogue number (what every console shows), which cascades if the
camera is renumbered or removed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vmwall.store.tables import Base
from vmwall.store.types import UtcDateTime


class PtzLockRow(Base):
    __tablename__ = "ptz_locks"
    __table_args__ = (CheckConstraint("until > since", name="lease"),)

    camera: Mapped[int] = mapped_column(
        ForeignKey("cameras.number", ondelete="CASCADE", onupdate="CASCADE"), primary_key=True
    )
    login: Mapped[str] = mapped_column(String)
    full_name: Mapped[str] = mapped_column(String)
    role: Mapped[str] = mapped_column(String(32))
    console: Mapped[str] = mapped_column(String)
    priority: Mapped[int] = mapped_column(Integer)
    session: Mapped[str] = mapped_column(String(64))
    since: Mapped[datetime] = mapped_column(UtcDateTime())
    until: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    version: Mapped[int] = mapped_column(Integer)
