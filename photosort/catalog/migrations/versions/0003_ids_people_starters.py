"""Category ids in models, people, starter categories, faces (schema_version 3).

Why:
- model_versions.category_ids: a model refers to its categories by id (aligned with its
  ``categories`` names, which stay as they were at training time, for display), so renaming
  a category keeps the trained sorter working. NULL for models saved before: the loader maps
  their names to ids once.
- categories.person / categories.faces: a category can be a person (scored from faces) and
  can ask for faces blurred or pixelated on its copies ("keep", "blur", "pixelate").
- categories.starter: the starter kind (photosort.starter) a category was adopted from, NULL
  for a taught one; identified by the category's id, never its name.
- labels.face: on a person's example, the face a person clicked as theirs (index into the
  photo's detected faces), NULL when chosen automatically.
- faces: every photo's detected faces (boxes, landmarks, scores, embeddings) by content hash
  and detector, as embeddings are, so a photo is searched for faces once.

Revision ID: 0003_ids_people_starters
Revises: 0002_journal_fk_indexes
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_ids_people_starters"
down_revision = "0002_journal_fk_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("model_versions") as batch:
        batch.add_column(sa.Column("category_ids", sa.JSON(), nullable=True))
    with op.batch_alter_table("categories") as batch:
        batch.add_column(sa.Column("person", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("faces", sa.String(), nullable=False, server_default="keep"))
        batch.add_column(sa.Column("starter", sa.String(), nullable=True))
    with op.batch_alter_table("labels") as batch:
        batch.add_column(sa.Column("face", sa.Integer(), nullable=True))
    op.create_table(
        "faces",
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("detector", sa.String(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("content_hash", "detector"),
    )
    op.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_table("faces")
    with op.batch_alter_table("labels") as batch:
        batch.drop_column("face")
    with op.batch_alter_table("categories") as batch:
        batch.drop_column("starter")
        batch.drop_column("faces")
        batch.drop_column("person")
    with op.batch_alter_table("model_versions") as batch:
        batch.drop_column("category_ids")
    op.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
