"""The one journaled copy path: every photo photosort writes (a sort's copy, a crashed copy
redone, an original put back by undo, a review correction) goes through ``journaled_copy``;
new bytes made from a photo (its faces blurred) through ``journaled_derive``, the same steps.

The sequence: a temporary name in the destination folder → a pending journal entry naming
it → write, sync and verify → publish under the final name without ever replacing a file (a
name another program takes meanwhile: the next free one) → the entry marked done. A crash at
any point leaves either a temporary file the journal names (recovery removes it and copies
again) or a published file the journal names (recovery checks its bytes and marks it done).
Also here: the journaled folder creation and removal that go with copies.
"""

from __future__ import annotations

from pathlib import Path

from photosort import images
from photosort.catalog import Catalog
from photosort.sorting import files
from photosort.sorting.states import COPY, DERIVE, DONE, FAILED, MKDIR, PLACEHOLDER, REMOVE


def journaled_copy(
    catalog: Catalog,
    run_id: int,
    src: Path,
    dest: Path,
    content_hash: str,
    size: int,
    *,
    mtime: float | None = None,
    photo_id: int | None = None,
    category_id: int | None = None,
    op: str = COPY,
    exact: bool = False,
) -> Path:
    """Copy src (which must hold content_hash/size) to dest, journaled under run_id; returns
    the final path. With ``mtime`` (src's when it was hashed) the copy is compared byte for
    byte with src (fast); without it the copy's hash is checked. If dest's name is taken
    meanwhile, the next free name after src's is used — or, with ``exact``, FileExistsError
    is raised (undo puts an original back under its own name or not at all). Raises
    OSError or files.CopyError, with the entry marked failed and no temporary file left."""
    return _journaled_write(catalog, run_id, op, src, dest, content_hash, size, src.name, exact,
                            lambda tmp: files.write_temp(src, tmp, content_hash, size, mtime),
                            photo_id, category_id)


def journaled_derive(
    catalog: Catalog, run_id: int, src: Path, dest: Path, data: bytes, *,
    photo_id: int | None = None, category_id: int | None = None,
) -> Path:
    """Write ``data`` (bytes made from src, e.g. its faces blurred) as a new file at dest,
    journaled as DERIVE with the hash and size of the bytes written: undo removes the file
    while it still holds them, and the written file is verified against that hash. The same
    temp → verify → publish-without-replacing steps as journaled_copy; src is only read."""
    digest, size = images.hash_bytes(data), len(data)
    return _journaled_write(catalog, run_id, DERIVE, src, dest, digest, size, dest.name, False,
                            lambda tmp: _write_data(data, tmp, digest, size), photo_id, category_id)


def _journaled_write(catalog: Catalog, run_id: int, op: str, src: Path, dest: Path, content_hash: str,
                     size: int, name: str, exact: bool, write, photo_id: int | None,
                     category_id: int | None) -> Path:
    """The sequence itself: a temporary name → a pending journal entry naming it → ``write(tmp)``
    (which syncs and verifies) → publish without replacing → the entry marked done."""
    tmp = files.temp_path(dest.parent)
    entry = catalog.journal(run_id, op, src, dest, tmp, photo_id, category_id, content_hash, size)
    try:
        write(tmp)
        files.crash_point("temp-written")
        dest = _publish(catalog, entry.id, tmp, dest, name, content_hash, size, exact)
        files.crash_point("published")
    except (OSError, files.CopyError) as exc:
        catalog.update_file_op(entry.id, state=FAILED, error=files.reason(exc))
        raise
    finally:
        tmp.unlink(missing_ok=True)
    catalog.update_file_op(entry.id, state=DONE, dest=dest, error="")  # dest: the name it really got
    files.crash_point("copied")
    return dest


def _write_data(data: bytes, tmp: Path, digest: str, size: int) -> None:
    """Write new bytes to tmp, sync them, and check the file holds exactly them (by hash)."""
    try:
        with open(tmp, "xb") as fp:
            fp.write(data)
        files.fsync_path(tmp)
        if not files.has_content(tmp, digest, size):
            raise files.CopyError("the written copy did not read back as written")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _publish(catalog: Catalog, entry_id: int, tmp: Path, dest: Path, name: str, content_hash: str, size: int,
             exact: bool) -> Path:
    def reserving(final: Path) -> None:  # recovery then knows an empty file there is our placeholder
        catalog.update_file_op(entry_id, dest=final, error=PLACEHOLDER)

    taken: set[Path] = set()
    while True:
        try:
            files.publish(tmp, dest, reserving)
            return dest
        except FileExistsError:  # another program took the name just now: never replace it
            if exact:
                raise
            taken.add(dest)
            dest, _ = files.pick_name(dest.parent, name, content_hash, size, taken)


def journaled_mkdir(catalog: Catalog, run_id: int, folder: Path, category_id: int | None = None) -> bool:
    """Create a missing folder (and its missing parents), journaled from the first folder it
    had to create, so undo removes them again if they are empty. False if it was there."""
    if folder.is_dir():
        return False
    top = next(p for p in [*reversed(folder.parents), folder] if not p.exists())  # first missing one
    entry = catalog.journal(run_id, MKDIR, top, folder, category_id=category_id)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        catalog.update_file_op(entry.id, state=FAILED, error=files.reason(exc))
        raise
    catalog.update_file_op(entry.id, state=DONE)
    return True


def journaled_remove(catalog: Catalog, run_id: int, path: Path, kept: Path, content_hash: str, size: int,
                     photo_id: int | None = None) -> None:
    """Remove path, only while it and the copy that stays (``kept``, where undo takes the
    bytes back from) both hold exactly these bytes; files.CopyError otherwise."""
    entry = catalog.journal(run_id, REMOVE, path, kept, photo_id=photo_id, content_hash=content_hash, size=size)
    if not (files.has_content(kept, content_hash, size) and files.has_content(path, content_hash, size)):
        catalog.update_file_op(entry.id, state=FAILED, error="changed since it was read")
        raise files.CopyError("it changed since it was read, or its copy could not be verified")
    files.crash_point("remove-journaled")
    try:
        files.remove_file(path)
    except OSError as exc:
        catalog.update_file_op(entry.id, state=FAILED, error=files.reason(exc))
        raise
    files.crash_point("removed")
    catalog.update_file_op(entry.id, state=DONE)
