"""Main courante, incident bookmarks and the audit trail.

Revision ID: 0004
Revises: 0003
Create Date: 2025-03-01

Written by hand. The default typology is frozen here as it was at this revision. Text search: a
pg_trgm GIN index on PostgreSQL (the extension is created if missing: it is a trusted extension, so
the database owner may create it), an FTS5 trigram table kept in step by triggers on SQLite (3.34+).
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from alembic import op

from vmwall.store.errors import SchemaError

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_UTC = sa.DateTime(timezone=True)
_GENESIS = "0" * 64

_CATEGORIES = (
    ("rixe", "Rixe"),
    ("vol", "Vol"),
    ("degradation", "Dégradation"),
    ("accident-circulation", "Accident de la circulation"),
    ("stationnement-genant", "Stationnement gênant"),
    ("depot-sauvage", "Dépôt sauvage"),
    ("personne-vulnerable", "Personne vulnérable"),
    ("rassemblement", "Rassemblement"),
    ("incendie", "Incendie"),
    ("appui-police", "Appui police"),
    ("levee-de-doute", "Levée de doute"),
    ("objet-suspect", "Objet suspect"),
    ("malaise", "Malaise / secours à personne"),
    ("incivilite", "Incivilité"),
    ("autre", "Autre"),
)

_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE journal_entries_fts USING fts5("
    "search_text, content='journal_entries', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER journal_entries_fts_ai AFTER INSERT ON journal_entries BEGIN"
    " INSERT INTO journal_entries_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER journal_entries_fts_ad AFTER DELETE ON journal_entries BEGIN"
    " INSERT INTO journal_entries_fts(journal_entries_fts, rowid, search_text)"
    " VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER journal_entries_fts_au AFTER UPDATE OF search_text ON journal_entries BEGIN"
    " INSERT INTO journal_entries_fts(journal_entries_fts, rowid, search_text)"
    " VALUES ('delete', old.id, old.search_text);"
    " INSERT INTO journal_entries_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
)
_SQLITE_FTS_DROP = (
    "DROP TRIGGER IF EXISTS journal_entries_fts_au",
    "DROP TRIGGER IF EXISTS journal_entries_fts_ad",
    "DROP TRIGGER IF EXISTS journal_entries_fts_ai",
    "DROP TABLE IF EXISTS journal_entries_fts",
)


def _dialect() -> str:
    return op.get_bind().dialect.name


def _create_journal() -> None:
    categories = op.create_table(
        "journal_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_categories")),
        sa.UniqueConstraint("code", name=op.f("uq_journal_categories_code")),
    )
    assert categories is not None
    op.bulk_insert(
        categories,
        [
            {"code": code, "label": label, "active": True, "position": position}
            for position, (code, label) in enumerate(_CATEGORIES)
        ],
    )
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("workstation", sa.String(length=64), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("recorded_at", _UTC, nullable=False),
        sa.Column("edited_at", _UTC, nullable=True),
        sa.Column("edited_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_journal_entries_status")),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_journal_entries_revision")),
        sa.ForeignKeyConstraint(
            ["commune_id"],
            ["communes.id"],
            name=op.f("fk_journal_entries_commune_id_communes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["journal_categories.id"],
            name=op.f("fk_journal_entries_category_id_journal_categories"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
        sa.UniqueConstraint("uid", name=op.f("uq_journal_entries_uid")),
    )
    op.create_index("ix_journal_entries_at_id", "journal_entries", ["at", "id"])
    op.create_index("ix_journal_entries_commune_id_at", "journal_entries", ["commune_id", "at", "id"])
    op.create_index("ix_journal_entries_category_id_at", "journal_entries", ["category_id", "at", "id"])
    op.create_index("ix_journal_entries_status_at", "journal_entries", ["status", "at", "id"])
    op.create_index("ix_journal_entries_operator_at", "journal_entries", ["operator", "at", "id"])
    op.create_table(
        "journal_entry_cameras",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("camera_number", sa.Integer(), nullable=False),
        sa.Column("at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_journal_entry_cameras_entry_id_journal_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "camera_number", name=op.f("pk_journal_entry_cameras")),
    )
    op.create_index(
        "ix_journal_entry_cameras_camera_at", "journal_entry_cameras", ["camera_number", "at", "entry_id"]
    )
    op.create_table(
        "journal_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "kind IN ('police-requested', 'police-on-site', 'police-gone')",
            name=op.f("ck_journal_follow_ups_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_journal_follow_ups_entry_id_journal_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_follow_ups")),
    )
    op.create_index(op.f("ix_journal_follow_ups_entry_id"), "journal_follow_ups", ["entry_id"])
    op.create_table(
        "journal_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("replaced_at", _UTC, nullable=False),
        sa.Column("replaced_by", sa.String(length=64), nullable=False),
        sa.Column("changed", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_journal_revisions_entry_id_journal_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_revisions")),
        sa.UniqueConstraint("entry_id", "revision", name=op.f("uq_journal_revisions_entry_id_revision")),
    )
    op.create_table(
        "journal_ops",
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("applied_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_journal_ops")),
    )


def _create_bookmarks() -> None:
    op.create_table(
        "bookmarks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("start", _UTC, nullable=False),
        sa.Column("end", _UTC, nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("entry_uid", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("workstation", sa.String(length=64), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("edited_at", _UTC, nullable=True),
        sa.Column("edited_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint('"end" IS NULL OR "end" >= start', name=op.f("ck_bookmarks_span")),
        sa.ForeignKeyConstraint(
            ["entry_uid"],
            ["journal_entries.uid"],
            name=op.f("fk_bookmarks_entry_uid_journal_entries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookmarks")),
        sa.UniqueConstraint("uid", name=op.f("uq_bookmarks_uid")),
    )
    op.create_index("ix_bookmarks_start_id", "bookmarks", ["start", "id"])
    op.create_index(op.f("ix_bookmarks_entry_uid"), "bookmarks", ["entry_uid"])
    op.create_table(
        "bookmark_cameras",
        sa.Column("bookmark_id", sa.Integer(), nullable=False),
        sa.Column("camera_number", sa.Integer(), nullable=False),
        sa.Column("start", _UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["bookmark_id"],
            ["bookmarks.id"],
            name=op.f("fk_bookmark_cameras_bookmark_id_bookmarks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("bookmark_id", "camera_number", name=op.f("pk_bookmark_cameras")),
    )
    op.create_index(
        "ix_bookmark_cameras_camera_start", "bookmark_cameras", ["camera_number", "start", "bookmark_id"]
    )


def _create_audit() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("recorded_at", _UTC, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("camera", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("workstation", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("uid", name=op.f("uq_audit_log_uid")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_camera_at", "audit_log", ["camera", "at"])
    op.create_index("ix_audit_log_action_at", "audit_log", ["action", "at"])
    op.create_index("ix_audit_log_actor_at", "audit_log", ["actor", "at"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    assert head is not None
    op.bulk_insert(head, [{"id": 1, "seq": 0, "row_hash": _GENESIS}])


def _create_text_search() -> None:
    bind = op.get_bind()
    if _dialect() == "postgresql":
        available = bind.execute(
            sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        ).scalar()
        if not available:
            raise SchemaError(
                "PostgreSQL lacks the pg_trgm extension (journal text search): install the server's"
                " contrib package (Debian: postgresql-contrib, part of postgresql)"
            )
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        op.create_index(
            "ix_journal_entries_search_trgm",
            "journal_entries",
            ["search_text"],
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )
    elif _dialect() == "sqlite":
        if sqlite3.sqlite_version_info < (3, 34, 0):
            raise SchemaError(
                f"SQLite {sqlite3.sqlite_version} has no trigram full-text search (3.34 or newer needed)"
            )
        for statement in _SQLITE_FTS:
            bind.exec_driver_sql(statement)


def upgrade() -> None:
    _create_journal()
    _create_bookmarks()
    _create_audit()
    _create_text_search()


def downgrade() -> None:
    if _dialect() == "sqlite":
        for statement in _SQLITE_FTS_DROP:
            op.get_bind().exec_driver_sql(statement)
    else:
        op.drop_index("ix_journal_entries_search_trgm", table_name="journal_entries")
    op.drop_table("audit_head")
    op.drop_index("ix_audit_log_actor_at", table_name="audit_log")
    op.drop_index("ix_audit_log_action_at", table_name="audit_log")
    op.drop_index("ix_audit_log_camera_at", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_bookmark_cameras_camera_start", table_name="bookmark_cameras")
    op.drop_table("bookmark_cameras")
    op.drop_index(op.f("ix_bookmarks_entry_uid"), table_name="bookmarks")
    op.drop_index("ix_bookmarks_start_id", table_name="bookmarks")
    op.drop_table("bookmarks")
    op.drop_table("journal_ops")
    op.drop_table("journal_revisions")
    op.drop_index(op.f("ix_journal_follow_ups_entry_id"), table_name="journal_follow_ups")
    op.drop_table("journal_follow_ups")
    op.drop_index("ix_journal_entry_cameras_camera_at", table_name="journal_entry_cameras")
    op.drop_table("journal_entry_cameras")
    op.drop_index("ix_journal_entries_operator_at", table_name="journal_entries")
    op.drop_index("ix_journal_entries_status_at", table_name="journal_entries")
    op.drop_index("ix_journal_entries_category_id_at", table_name="journal_entries")
    op.drop_index("ix_journal_entries_commune_id_at", table_name="journal_entries")
    op.drop_index("ix_journal_entries_at_id", table_name="journal_entries")
    op.drop_table("journal_entries")
    op.drop_table("journal_categories")
