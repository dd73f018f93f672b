"""Alembic migrations of the catalog schema, shipped inside the package (env.py, versions/).

They run on open (``catalog/migrate.py``), programmatically: no alembic.ini at run time. To add
a revision: write ``versions/NNNN_what.py`` with ``down_revision`` = the current head, bump
``SCHEMA_VERSION`` (schema.py) and ``HEAD`` (migrate.py), and update the meta row in it.
"""
