"""Any file name the OS allows, stored losslessly in a text column.

A POSIX file name is bytes; Python hands it out as ``str`` with undecodable bytes turned into
lone surrogates (``os.fsdecode``), which SQLite's UTF-8 text cannot hold. Such a path is stored
as ``ENCODED_PREFIX + base64(os.fsencode(path))``: the prefix starts with NUL, which no real
path (and no other text photosort stores there) can contain, so the form is injective. Every
path that is valid UTF-8 — newlines, any length, NFC or NFD — is stored unchanged, so rows
written by older photosorts stay valid without rewriting.
"""

from __future__ import annotations

import base64
import os

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

ENCODED_PREFIX = "\x00b64:"


def encode_path(text: str) -> str:
    """The stored form of a path (or any text that may carry one)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: bytes that were not UTF-8 on disk
        return ENCODED_PREFIX + base64.b64encode(os.fsencode(text)).decode("ascii")
    return text


def decode_path(stored: str | None) -> str | None:
    """The path a stored form came from: ``os.fsencode`` of it gives the original bytes."""
    if stored is not None and stored.startswith(ENCODED_PREFIX):
        return os.fsdecode(base64.b64decode(stored[len(ENCODED_PREFIX):]))
    return stored


class PathText(TypeDecorator):
    """A VARCHAR column (same DDL as ``String``) holding any path losslessly."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encode_path(str(value))

    def process_result_value(self, value, dialect):
        return decode_path(value)
