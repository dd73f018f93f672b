"""Which of a library's categories are starters, and which kind each one is scored as: kept in
starters.json beside the catalog, {category id: starter kind}, until the catalog has a column
for it (a schema change the migrations own). Keyed by id, never by name: a person may rename a
starter category ("cats" -> "Our cats") and it keeps sorting. A starter category with no
trained head of its own is scored by starter_scores."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from photosort.atomic import write_atomically

FILE_NAME = "starters.json"


def _read(library_dir: str | Path) -> dict[int, str] | list[str]:
    try:
        data = json.loads((Path(library_dir) / FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if isinstance(data, list):  # the first format: category names (read, never written)
        return [n for n in data if isinstance(n, str)]
    if not isinstance(data, dict):
        return {}
    return {int(k): v for k, v in data.items() if str(k).isdigit() and isinstance(v, str)}


def starter_ids(library_dir: str | Path) -> dict[int, str]:
    """{category id: starter kind} as stored (a file in the first, by-name format gives {})."""
    data = _read(library_dir)
    return data if isinstance(data, dict) else {}


def starter_kinds(library_dir: str | Path, categories: Iterable) -> dict[str, str]:
    """{category name now: starter kind} for the library's starter categories that still exist.
    categories: the catalog's CategoryRecords (id, name)."""
    data = _read(library_dir)
    records = list(categories)
    if isinstance(data, list):
        return {c.name: c.name for c in records if c.name in data}
    return {c.name: data[c.id] for c in records if c.id in data}


def _write(library_dir: str | Path, mapping: dict[int, str]) -> None:
    text = json.dumps({str(k): v for k, v in sorted(mapping.items())})
    write_atomically(Path(library_dir) / FILE_NAME, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def mark_starters(library_dir: str | Path, kinds_by_id: dict[int, str]) -> None:
    """Record categories (by id) as starters of the given kinds."""
    _write(library_dir, {**starter_ids(library_dir), **kinds_by_id})


def unmark_starters(library_dir: str | Path, category_ids: Iterable[int]) -> None:
    drop = set(category_ids)
    _write(library_dir, {k: v for k, v in starter_ids(library_dir).items() if k not in drop})
