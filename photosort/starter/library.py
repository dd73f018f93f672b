"""Which of a library's categories are starters: kept in starters.json beside the catalog
until the catalog has a column for it (a schema change the migrations own). A starter category
with no trained head of its own is scored by starter_scores."""

from __future__ import annotations

import json
from pathlib import Path

from photosort.atomic import write_atomically

FILE_NAME = "starters.json"


def starter_categories(library_dir: str | Path) -> list[str]:
    """The starter kinds adopted as categories in this library (names as the STARTERS spell them)."""
    path = Path(library_dir) / FILE_NAME
    try:
        names = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def mark_starters(library_dir: str | Path, names: list[str]) -> None:
    current = starter_categories(library_dir)
    merged = current + [n for n in names if n not in current]
    write_atomically(Path(library_dir) / FILE_NAME, lambda tmp: tmp.write_text(json.dumps(merged), encoding="utf-8"))


def unmark_starters(library_dir: str | Path, names: list[str]) -> None:
    kept = [n for n in starter_categories(library_dir) if n not in names]
    write_atomically(Path(library_dir) / FILE_NAME, lambda tmp: tmp.write_text(json.dumps(kept), encoding="utf-8"))
