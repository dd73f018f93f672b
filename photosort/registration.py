"""Registering photos in the catalog: each file read once (content hash and header facts, by
the same read path sorting uses), the rows written in batches. The catalog itself reads no
files; this is where photosort learns what a file is before labelling or listing it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from photosort import images
from photosort.catalog import Catalog, PhotoRecord
from photosort.errors import Cancelled, ImageError
from photosort.progress import Progress, ProgressFn, StopFn, check_stop

BATCH = 256  # photos per transaction: few commits, yet a cancelled run keeps what it read

_Entry = tuple[Path, str, images.PhotoInfo]  # what catalog.upsert_photos takes


def register_photo(catalog: Catalog, path: str | Path) -> PhotoRecord:
    """Register a photo, or refresh it if it changed on disk. Raises ImageError."""
    path = _absolute(path)
    known = catalog.photo_by_path(path)
    found = _read(path, known)
    return found if isinstance(found, PhotoRecord) else catalog.upsert_photos([found])[0]


def register_photos(
    catalog: Catalog,
    paths: Iterable[str | Path],
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> tuple[list[PhotoRecord], list[tuple[Path, str]]]:
    """Register many photos; returns (records in the order given, skipped as (path, reason)).
    Photos the catalog saw with the same size and mtime are not read again. Cancelling
    (``should_stop``) raises Cancelled after writing what was already read."""
    given = [Path(p) for p in paths]
    records: list[PhotoRecord] = []
    skipped: list[tuple[Path, str]] = []
    for start in range(0, len(given), BATCH):
        batch = given[start : start + BATCH]
        known = catalog.photos_by_paths([_absolute(p) for p in batch])  # one query per batch
        found: list[PhotoRecord | _Entry] = []
        try:
            for done, path in enumerate(batch, start + 1):
                check_stop(should_stop)
                absolute = _absolute(path)
                try:
                    found.append(_read(absolute, known.get(absolute)))
                except ImageError as exc:
                    skipped.append((path, exc.reason))
                if on_progress:
                    on_progress(Progress("reading", done, len(given), f"Reading {path.name}"))
        except Cancelled:
            _write(catalog, found)  # keep what was read, as registering one by one did
            raise
        records += _write(catalog, found)
    return records, skipped


def _read(path: Path, known: PhotoRecord | None) -> PhotoRecord | _Entry:
    """The catalog's record if the file is unchanged since it was seen (same size and mtime:
    nothing read), else what to write: (path, content hash, header facts). Raises ImageError."""
    try:
        stat = path.stat()
    except OSError:
        stat = None  # images.read_photo says why, in its words (missing, broken link, ...)
    try:
        if stat is not None and known is not None and (known.size, known.mtime) == (stat.st_size, stat.st_mtime):
            return known
        if stat is None or stat.st_size <= images.READ_WHOLE_LIMIT:
            photo = images.read_photo(path)  # one read: hash and header
            return path, photo.content_hash, photo.info
        # too big to hold at once: streamed, as sorting does
        return path, images.content_hash(path), images.photo_info(path)
    except OSError as exc:
        raise ImageError(path, exc.strerror or "cannot read file") from exc


def _write(catalog: Catalog, found: list[PhotoRecord | _Entry]) -> list[PhotoRecord]:
    """Records for ``found`` in order, new and changed photos upserted in one transaction."""
    entries = [item for item in found if not isinstance(item, PhotoRecord)]
    written = iter(catalog.upsert_photos(entries))
    return [item if isinstance(item, PhotoRecord) else next(written) for item in found]


def _absolute(path: str | Path) -> Path:
    return Path(path).expanduser().absolute()
