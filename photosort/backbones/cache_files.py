"""Files in the backbone cache (converted weights, TFLite models), written atomically."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from photosort import atomic, config

log = logging.getLogger(__name__)


def backbones_cache_dir() -> Path:
    return config.cache_dir() / "backbones"


def write_atomically(path: Path, write: Callable[[Path], object], suffix: str = "") -> bool:
    """``atomic.write_atomically`` for the cache: a cache that cannot be written only costs
    speed, so the failure is logged and False returned instead of raised."""
    try:
        atomic.write_atomically(path, write, suffix)
        return True
    except OSError as exc:
        log.warning("Could not write cache file %s: %s", path, exc)
        return False
