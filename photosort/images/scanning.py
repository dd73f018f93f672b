"""Finding photos: which file names are photos, and walking a folder tree for them."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from photosort.errors import ImageError
from photosort.images.reading import os_reason

log = logging.getLogger(__name__)

# Lower-case suffixes photosort treats as photos.
PHOTO_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".bmp", ".heic", ".heif"}
)


def is_photo_path(path: str | Path) -> bool:
    """True for a non-hidden file name with a photo extension (case-insensitive)."""
    name = Path(path).name
    return not name.startswith(".") and Path(name).suffix.lower() in PHOTO_EXTENSIONS


def iter_photos(
    root: str | Path,
    exclude: Iterable[str | Path] = (),
    on_skip: Callable[[Path, str], None] | None = None,
) -> Iterator[Path]:
    """Recursively yield photo files under root, sorted, skipping hidden files/dirs and any
    directory in ``exclude`` (e.g. category folders inside the camera roll). A photo-named
    entry that is no regular file (a broken link, a named pipe) and a folder that cannot be
    read are passed over, each told to ``on_skip(path, reason)`` when given."""
    root = Path(root)
    try:
        entries = _sorted_entries(root)
    except OSError as err:
        reason = "no such folder" if isinstance(err, FileNotFoundError) else os_reason(err)
        raise ImageError(root, reason) from err
    excluded = {Path(p).resolve() for p in exclude}
    yield from _walk(entries, excluded, seen={_identity(root)}, on_skip=on_skip or _log_skip)


def _sorted_entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as it:
        return sorted(it, key=lambda entry: entry.name)


def _identity(folder: Path) -> tuple[int, int]:
    st = folder.stat()
    return st.st_dev, st.st_ino


def _log_skip(path: Path, reason: str) -> None:
    log.warning("skipping %s: %s", path, reason)


def _walk(
    entries: list[os.DirEntry[str]],
    excluded: set[Path],
    seen: set[tuple[int, int]],
    on_skip: Callable[[Path, str], None],
) -> Iterator[Path]:
    """Depth-first in name order, which is the order of sorted(paths). ``seen`` holds every
    folder visited (device, inode): a symlink back up the tree, or a second link to the same
    folder, is not walked again."""
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            if not entry.is_dir():  # follows links; a broken link is neither dir nor file
                if not is_photo_path(entry.name):
                    continue
                if entry.is_file():  # regular files only
                    yield path
                elif entry.is_symlink() and not path.exists():
                    on_skip(path, "broken link (the file it points to is missing)")
                else:
                    on_skip(path, "not a regular file")
                continue
            identity = _identity(path)
            if identity in seen or path.resolve() in excluded:
                continue
            seen.add(identity)
            children = _sorted_entries(path)
        except OSError as err:  # an unreadable subfolder is skipped, not fatal
            on_skip(path, os_reason(err))
            continue
        yield from _walk(children, excluded, seen, on_skip)
