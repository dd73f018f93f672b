"""Which shared photos the tests train on."""

from __future__ import annotations

from pathlib import Path

TRAIN_CATEGORIES = ("forest", "sea", "street")
TRAIN_PER_CATEGORY = 15


def scene_photos(datasets_dir: Path, category: str, start: int, stop: int) -> list[Path]:
    """A stable slice of one scenes category (sorted by name)."""
    return sorted((datasets_dir / "scenes" / category).glob("*.jpg"))[start:stop]
