"""Repositories: the only way the rest of vmwall reads and writes the database.

Each takes a ``Database``, runs every call in its own transaction, and speaks vmwall.model types.
Lookups by id raise NotFoundError; lookups by natural key (``get_by_*``) return None when absent.
"""

from vmwall.store.repositories.cameras import CameraRepository
from vmwall.store.repositories.communes import CommuneRepository
from vmwall.store.repositories.layouts import LayoutRepository, SavedViewRepository
from vmwall.store.repositories.users import UserRepository

__all__ = [
    "CameraRepository",
    "CommuneRepository",
    "LayoutRepository",
    "SavedViewRepository",
    "UserRepository",
]
