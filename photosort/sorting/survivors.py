"""The last-copy rule: undo never deletes the last copy of a photo's bytes.

Runs lean on each other: a ``--move`` sort removes an original once *some* verified copy holds
its bytes — often a copy an earlier run made; a sort counts a photo as placed when an earlier
run's copy is already in the folder; a review correction keeps another copy as the surviving
one. So before undo removes a run's copies of some bytes, it looks for a file that keeps those
bytes (anywhere the journal or the catalog knows them: originals, other runs' copies). If there
is none, it first puts back an original that a later run's --move removed (that run's move of
the photo is then taken back too); if no original can go back, it keeps one copy, in the state
HELD, and removes it later, once another copy exists again (e.g. when the run that relied on
it is undone and its original comes back).
"""

from __future__ import annotations

import os
from pathlib import Path

from photosort.catalog import Catalog, FileOpRecord
from photosort.sorting import files
from photosort.sorting.copying import journaled_copy
from photosort.sorting.states import DECIDE, DONE, HELD, REMOVE, RESTORE, UNDONE


def known_places(catalog: Catalog, content_hash: str) -> list[Path]:
    """Every path the journal has seen holding these bytes (originals, copies, put-back
    files), not checked. Only the journal's: a file elsewhere with the same bytes (another
    folder once registered) is not one the person counts on for this photo."""
    places: list[Path] = []
    for op in catalog.file_ops_for_hashes([content_hash]):
        places += [p for p in (op.src, op.dest) if p and str(p) not in ("", ".")]
    return list(dict.fromkeys(places))


def survivor(catalog: Catalog, content_hash: str, size: int, leaving: set[Path]) -> Path | None:
    """A file the journal knows, not among ``leaving`` (about to be removed), that holds
    exactly these bytes. A registered photo unchanged since it was read (same size and mtime,
    the sort's own test) counts without being read again, so undoing a big sort stays quick."""
    places = [p for p in known_places(catalog, content_hash) if p not in leaving]
    registered = {r.path: r for r in catalog.photos_by_hash(content_hash)}
    for path in places:
        record = registered.get(path)
        try:
            st = path.stat()
        except OSError:
            continue
        if record is not None and record.size == size and (st.st_size, st.st_mtime) == (record.size, record.mtime):
            return path
        if files.has_content(path, content_hash, size):
            return path
    return None


def put_back_original(catalog: Catalog, run_id: int, content_hash: str, size: int,
                      sources: list[Path]) -> FileOpRecord | None:
    """Put back an original that another run's --move removed, copied (journaled as a restore
    of ``run_id``) from one of ``sources``; that run's removal and its decision about these
    bytes are marked undone (the photo may be sorted again). Returns the removal taken back,
    or None if no original could go back (its name taken, its folder gone, no source)."""
    source = next((p for p in sources if files.has_content(p, content_hash, size)), None)
    if source is None:
        return None
    for op in catalog.file_ops_for_hashes([content_hash], op=REMOVE, state=DONE):
        if op.run_id == run_id or os.path.lexists(op.src) or not op.src.parent.is_dir():
            continue
        try:
            journaled_copy(catalog, run_id, source, op.src, content_hash, size, photo_id=op.photo_id,
                           op=RESTORE, exact=True)
        except (OSError, files.CopyError):
            continue  # try another original, else the copy is kept
        catalog.update_file_op(op.id, state=UNDONE, error=f"put back by undoing run {run_id}")
        forget_decisions(catalog, content_hash, run_id)
        return op
    return None


def forget_decisions(catalog: Catalog, content_hash: str, except_run: int) -> None:
    """Other runs' "this photo is sorted" for these bytes no longer hold once their copy or
    their move is taken back: the next sort looks at the photo again (it never copies the same
    bytes into a folder twice, so this costs a re-read at most)."""
    for op in catalog.file_ops_for_hashes([content_hash], op=DECIDE, state=DONE):
        if op.run_id != except_run:
            catalog.update_file_op(op.id, state=UNDONE, error=f"its copy was taken back by undoing run {except_run}")


def relying_runs(catalog: Catalog, content_hash: str, run_id: int) -> list[int]:
    """Other runs that still count on these bytes being sorted (their move or decision)."""
    ops = catalog.file_ops_for_hashes([content_hash], state=DONE)
    return sorted({op.run_id for op in ops if op.run_id != run_id and op.op in (REMOVE, DECIDE)})


def release_held(catalog: Catalog, content_hashes: set[str], summary) -> None:
    """Remove copies an earlier undo held as the last copy of their photo, now that another
    copy of their bytes exists again (an original put back, a new copy)."""
    held = [op for op in catalog.file_ops_for_hashes(content_hashes, state=HELD) if op.dest]
    for op in held:
        if not os.path.lexists(op.dest):
            catalog.update_file_op(op.id, state=UNDONE, error="already gone")
            continue
        if not files.has_content(op.dest, op.content_hash, op.size):
            continue  # changed since: the person's file now
        if survivor(catalog, op.content_hash, op.size, {op.dest}) is None:
            continue
        try:
            files.remove_file(op.dest)
        except OSError as exc:
            summary.errors.append((op.dest, f"copy not removed: {files.reason(exc)}"))
            continue
        catalog.update_file_op(op.id, state=UNDONE, error="removed: no longer the last copy")
        forget_decisions(catalog, op.content_hash, op.run_id)
        summary.removed += 1
        summary.notes.append(f"Removed {op.dest}, which undoing run {op.run_id} had kept as the last copy "
                             "of its photo: another copy exists again.")
