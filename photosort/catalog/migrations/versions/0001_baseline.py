"""Baseline: the schema of photosort at commit c985203 (schema_version 1), statement for statement.

Libraries made before photosort used Alembic are stamped at this revision without running it;
a new library runs it. The DDL is frozen text, not today's models, so it never drifts.

Revision ID: 0001_baseline
Revises:
Create Date: 2025-12-02
"""

from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

# sqlite_master.sql of a library created by the code at c985203, in creation order
DDL = [
    'CREATE TABLE meta (\n\t"key" VARCHAR NOT NULL, \n\tvalue VARCHAR NOT NULL, \n\tPRIMARY KEY ("key")\n)',
    'CREATE TABLE photos (\n\tid INTEGER NOT NULL, \n\tpath VARCHAR NOT NULL, \n\tcontent_hash VARCHAR NOT NULL, \n\tsize INTEGER NOT NULL, \n\tmtime FLOAT NOT NULL, \n\ttaken_at DATETIME, \n\twidth INTEGER, \n\theight INTEGER, \n\tadded_at DATETIME NOT NULL, \n\tPRIMARY KEY (id), \n\tUNIQUE (path)\n)',
    'CREATE INDEX ix_photos_content_hash ON photos (content_hash)',
    'CREATE TABLE categories (\n\tid INTEGER NOT NULL, \n\tname VARCHAR NOT NULL, \n\tfolder VARCHAR NOT NULL, \n\tthreshold FLOAT NOT NULL, \n\tcreated_at DATETIME NOT NULL, \n\tPRIMARY KEY (id), \n\tUNIQUE (name)\n)',
    'CREATE TABLE embeddings (\n\tcontent_hash VARCHAR NOT NULL, \n\tbackbone VARCHAR NOT NULL, \n\t"view" INTEGER NOT NULL, \n\tdim INTEGER NOT NULL, \n\tvector BLOB NOT NULL, \n\tPRIMARY KEY (content_hash, backbone, "view")\n)',
    'CREATE TABLE model_versions (\n\tid INTEGER NOT NULL, \n\tcreated_at DATETIME NOT NULL, \n\tbackbone VARCHAR NOT NULL, \n\tfine_tuned BOOLEAN NOT NULL, \n\tcategories JSON NOT NULL, \n\tthresholds JSON NOT NULL, \n\tmetrics JSON NOT NULL, \n\tfile VARCHAR NOT NULL, \n\tPRIMARY KEY (id)\n)',
    'CREATE TABLE labels (\n\tphoto_id INTEGER NOT NULL, \n\tcategory_id INTEGER NOT NULL, \n\tpositive BOOLEAN NOT NULL, \n\tcreated_at DATETIME NOT NULL, \n\tPRIMARY KEY (photo_id, category_id), \n\tFOREIGN KEY(photo_id) REFERENCES photos (id) ON DELETE CASCADE, \n\tFOREIGN KEY(category_id) REFERENCES categories (id) ON DELETE CASCADE\n)',
    'CREATE INDEX ix_labels_category_id ON labels (category_id)',
    'CREATE TABLE predictions (\n\tphoto_id INTEGER NOT NULL, \n\tmodel_version_id INTEGER NOT NULL, \n\tcategory_id INTEGER NOT NULL, \n\tscore FLOAT NOT NULL, \n\tpredicted_at DATETIME NOT NULL, \n\tPRIMARY KEY (photo_id, model_version_id, category_id), \n\tFOREIGN KEY(photo_id) REFERENCES photos (id) ON DELETE CASCADE, \n\tFOREIGN KEY(model_version_id) REFERENCES model_versions (id) ON DELETE CASCADE, \n\tFOREIGN KEY(category_id) REFERENCES categories (id) ON DELETE CASCADE\n)',
    'CREATE INDEX ix_predictions_category ON predictions (category_id, model_version_id, score, photo_id)',
    'CREATE TABLE runs (\n\tid INTEGER NOT NULL, \n\tkind VARCHAR NOT NULL, \n\tsource VARCHAR NOT NULL, \n\tstarted_at DATETIME NOT NULL, \n\tfinished_at DATETIME, \n\tstatus VARCHAR NOT NULL, \n\tmodel_version_id INTEGER, \n\toptions JSON NOT NULL, \n\tsummary JSON NOT NULL, \n\tPRIMARY KEY (id), \n\tFOREIGN KEY(model_version_id) REFERENCES model_versions (id) ON DELETE SET NULL\n)',
    'CREATE TABLE file_ops (\n\tid INTEGER NOT NULL, \n\trun_id INTEGER NOT NULL, \n\top VARCHAR NOT NULL, \n\tphoto_id INTEGER, \n\tcategory_id INTEGER, \n\tsrc VARCHAR NOT NULL, \n\tdest VARCHAR NOT NULL, \n\ttmp VARCHAR NOT NULL, \n\tcontent_hash VARCHAR NOT NULL, \n\tsize INTEGER NOT NULL, \n\tstate VARCHAR NOT NULL, \n\terror VARCHAR NOT NULL, \n\tcreated_at DATETIME NOT NULL, \n\tupdated_at DATETIME NOT NULL, \n\tPRIMARY KEY (id), \n\tFOREIGN KEY(run_id) REFERENCES runs (id) ON DELETE CASCADE, \n\tFOREIGN KEY(photo_id) REFERENCES photos (id) ON DELETE SET NULL, \n\tFOREIGN KEY(category_id) REFERENCES categories (id) ON DELETE SET NULL\n)',
    'CREATE INDEX ix_file_ops_op_state ON file_ops (op, state)',
    'CREATE INDEX ix_file_ops_content_hash ON file_ops (content_hash)',
    'CREATE INDEX ix_file_ops_run_id ON file_ops (run_id)',
]
TABLES = ('meta', 'photos', 'categories', 'embeddings', 'model_versions', 'labels', 'predictions', 'runs', 'file_ops')


def upgrade() -> None:
    for statement in DDL:
        op.execute(statement)
    op.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE {table}")
