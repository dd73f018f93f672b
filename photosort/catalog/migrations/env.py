"""Alembic's environment, run by ``catalog/migrate.py`` with a connection already open.

The caller holds that connection in one ``BEGIN IMMEDIATE`` transaction (foreign keys off, so a
table rebuilt in batch mode does not cascade), so every revision of an upgrade commits or rolls
back together and a second photosort opening the library meanwhile waits, then finds nothing
to do.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=None,  # revisions are explicit DDL, never generated from today's models
    render_as_batch=True,  # SQLite alters most columns by rebuilding the table
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
