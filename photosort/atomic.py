"""Writing a whole file atomically: the settings file, the backbone caches and saved models.

A reader (or the next start after a crash or power cut) sees the old file or the new one,
never half of one. Photos are not written here: they are never replaced at all
(``sorting.copying``).
"""

from __future__ import annotations

import errno
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
        fsync_path(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_path(path.parent)  # the new name itself survives a power cut
    return path


# fsync's answers that mean "this file system (or this handle) cannot sync that", not "it failed"
_CANNOT_SYNC = {errno.EBADF, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's entry to disk, as far as the platform allows: a file is
    synced through a read-only handle, or else a writable one (Windows cannot sync a read-only
    handle); a folder only on POSIX, and not at all where its file system refuses
    (EINVAL/EBADF on some network and FUSE file systems)."""
    is_dir = path.is_dir()
    if is_dir and os.name != "posix":
        return
    for flags in (os.O_RDONLY,) if is_dir else (os.O_RDONLY, os.O_WRONLY):
        try:
            fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
        except PermissionError:
            continue
        try:
            os.fsync(fd)
            return
        except OSError as exc:
            if exc.errno not in _CANNOT_SYNC:
                raise
        finally:
            os.close(fd)
