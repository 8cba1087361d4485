"""Alembic revisions, one file each, applied in order by ``vmwall.store.migrate``."""
