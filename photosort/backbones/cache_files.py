"""Files in the backbone cache (converted weights, TFLite models), written atomically."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from photosort import config

log = logging.getLogger(__name__)


def backbones_cache_dir() -> Path:
    return config.cache_dir() / "backbones"


def write_atomically(path: Path, write: Callable[[Path], object], suffix: str = "") -> bool:
    """Call write(temp path), then rename the temp file to `path`: a crash or a second process
    never leaves a half-written file under the real name. `suffix` ends the temp name (Keras
    insists on .weights.h5). A cache that cannot be written only costs speed: logged, False."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp{suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        os.replace(tmp, path)
        return True
    except OSError as exc:
        log.warning("Could not write cache file %s: %s", path, exc)
        tmp.unlink(missing_ok=True)
        return False
