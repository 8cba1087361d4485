"""Pure domain types. No I/O, no library types: everything else speaks in these."""

from vmwall.model.camera import Camera, StreamKind
from vmwall.model.commune import MAX_RETENTION_DAYS, Commune, Forfait
from vmwall.model.errors import ValidationError
from vmwall.model.layout import Layout, SavedView, Tile
from vmwall.model.ptz import PtzCapabilities, PtzPosition, PtzPreset
from vmwall.model.user import AgrementStatus, Permission, Role, User, permissions_of

__all__ = [
    "MAX_RETENTION_DAYS",
    "AgrementStatus",
    "Camera",
    "Commune",
    "Forfait",
    "Layout",
    "Permission",
    "PtzCapabilities",
    "PtzPosition",
    "PtzPreset",
    "Role",
    "SavedView",
    "StreamKind",
    "Tile",
    "User",
    "ValidationError",
    "permissions_of",
]
