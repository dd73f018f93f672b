"""Index the journal's photo_id and category_id (schema_version 2).

Why: both are foreign keys with ON DELETE SET NULL and had no index, so forgetting photos or
removing a category scanned the whole journal once per deleted row; undo and review also
look entries up by photo.

Revision ID: 0002_journal_fk_indexes
Revises: 0001_baseline
Create Date: 2025-12-02
"""

from alembic import op

revision = "0002_journal_fk_indexes"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_file_ops_photo_id", "file_ops", ["photo_id"])
    op.create_index("ix_file_ops_category_id", "file_ops", ["category_id"])
    op.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_index("ix_file_ops_category_id", "file_ops")
    op.drop_index("ix_file_ops_photo_id", "file_ops")
    op.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
