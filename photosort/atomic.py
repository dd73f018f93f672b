"""Writing a whole file atomically: the settings file, the backbone caches and saved models.

A reader (or the next start after a crash or power cut) sees the old file or the new one,
never half of one. Photos are not written here: they are never replaced at all
(``sorting.copying``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: str | Path, write: Callable[[Path], object], suffix: str = "") -> Path:
    """Call ``write(temp path)``, flush the temp file to disk, then rename it to ``path``
    (replacing the old file in one step). The temp name is unique, in the same folder (a
    rename across file systems is not atomic) and ends with ``suffix`` (Keras insists on
    ".keras" or ".weights.h5"). The temp file never survives a failure; the error is raised."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{uuid.uuid4().hex[:12]}.tmp{suffix}")
    try:
        write(tmp)
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync(path.parent)  # the new name itself survives a power cut
    return path


def _fsync(path: Path) -> None:
    """Flush a file (or, where the OS allows, a folder's entries) to disk."""
    if path.is_dir() and os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
