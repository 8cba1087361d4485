"""Alembic migrations of the vmwall schema (run programmatically by ``vmwall.store.migrate``)."""
