"""The data store: the only package that imports SQLAlchemy or Alembic.

    from vmwall.store import open_database, CameraRepository
    with open_database() as db:             # $VMWALL_DB_URL, else the SQLite file; schema upgraded
        cameras = CameraRepository(db).list()

ORM rows never leave this package: repositories return vmwall.model objects.
"""

from vmwall.store.db import Database, default_sqlite_path, open_database, resolve_database_url
from vmwall.store.errors import (
    DatabaseUnavailableError,
    DuplicateError,
    NotFoundError,
    SchemaError,
    StoreError,
)
from vmwall.store.repositories import (
    AccountRepository,
    AuditRepository,
    BookmarkRepository,
    CameraRepository,
    CommuneRepository,
    ConflictError,
    JournalRepository,
    JournalStore,
    LayoutRepository,
    PtzLockRepository,
    SavedViewRepository,
    UserRepository,
)

__all__ = [
    "AccountRepository",
    "AuditRepository",
    "BookmarkRepository",
    "CameraRepository",
    "CommuneRepository",
    "ConflictError",
    "Database",
    "DatabaseUnavailableError",
    "DuplicateError",
    "JournalRepository",
    "JournalStore",
    "LayoutRepository",
    "NotFoundError",
    "PtzLockRepository",
    "SavedViewRepository",
    "SchemaError",
    "StoreError",
    "UserRepository",
    "default_sqlite_path",
    "open_database",
    "resolve_database_url",
]
