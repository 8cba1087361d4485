"""Repositories: the only way the rest of vmwall reads and writes the database.

Each takes a ``Database``, runs every call in its own transaction, and speaks vmwall.model types.
Lookups by id raise NotFoundError; lookups by natural key (``get_by_*``) return None when absent.
"""

from vmwall.store.repositories.accounts import AccountRepository
from vmwall.store.repositories.audit import AuditFilter, AuditRepository, PurgeResult
from vmwall.store.repositories.bookmarks import BookmarkRepository
from vmwall.store.repositories.cameras import CameraRepository
from vmwall.store.repositories.communes import CommuneRepository
from vmwall.store.repositories.journal import ConflictError, JournalRepository
from vmwall.store.repositories.journal_writes import JournalStore, WriteTransaction
from vmwall.store.repositories.layouts import LayoutRepository, SavedViewRepository
from vmwall.store.repositories.ptz_locks import PtzLockRepository
from vmwall.store.repositories.users import UserRepository

__all__ = [
    "AccountRepository",
    "AuditFilter",
    "AuditRepository",
    "BookmarkRepository",
    "CameraRepository",
    "CommuneRepository",
    "ConflictError",
    "JournalRepository",
    "JournalStore",
    "LayoutRepository",
    "PtzLockRepository",
    "PurgeResult",
    "SavedViewRepository",
    "UserRepository",
    "WriteTransaction",
]
