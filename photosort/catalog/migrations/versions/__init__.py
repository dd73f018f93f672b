"""Alembic revision scripts (Alembic loads them from this folder by file name)."""
