"""Review and correct: what a category's folder received, least confident first, and the
correction of a photo that went to the wrong folder — a journaled run of its own (kind
"review"), so ``photosort undo RUN`` takes it back like a sort.

A correction copies the photo to the right category's folder (through the one copy path),
removes the wrong copy (only while its bytes are still what sorting wrote, and only while
another verified copy of them exists, so no photo is ever lost), and labels the photo: a
negative example of the wrong category, a positive one of the right one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from photosort.catalog import Catalog
from photosort.catalog.records import ReceivedCopy
from photosort.errors import CategoryError, PhotosortError
from photosort.sorting import files
from photosort.sorting.copying import journaled_copy, journaled_mkdir, journaled_remove
from photosort.sorting.journal import RunLock, library_lock
from photosort.sorting.states import COPY, DONE, FAILED, REVIEW


def received(catalog: Catalog, category: str) -> list[ReceivedCopy]:
    """The copies sorting (or a correction) made into a category's folder that are still there,
    least confident first (where mistakes are likeliest). CategoryError for an unknown one."""
    return [copy for copy in catalog.received(category) if copy.dest.is_file()]


@dataclass(frozen=True)
class Correction:
    """What one correction did."""

    name: str  # the photo's file name
    wrong: str
    right: str | None
    removed: bool  # False: its copy was changed since sorting, so it was kept
    copy: Path | None = None  # the new copy (in right's folder, or the original's when put back)
    put_back: bool = False  # no other copy of these bytes existed: the photo went back to its roll
    run_id: int | None = None  # the review run, for undo (None: no file was touched)

    def line(self) -> str:
        """One line for the status bar or the terminal."""
        moved = f" and copied to {self.right}" if self.right else ""
        if self.put_back and self.copy:
            moved = f" and put back in {self.copy.parent}"
        kept = "" if self.removed else " (its copy was changed since sorting, so it was kept)"
        return f"{self.name}: removed from {self.wrong}{moved}{kept}; it is now an example for the next training."


def correct(catalog: Catalog, copy: ReceivedCopy, wrong: str, right: str | None = None) -> Correction:
    """Take a copy out of category ``wrong``'s folder (into ``right``'s, if given) and label its
    photo accordingly. A copy changed since sorting is the person's: kept, only labelled.
    Raises CategoryError for an unknown category, PhotosortError (one line) if a file
    operation fails; the journal then records how far it got."""
    catalog.category(wrong)  # CategoryError if unknown
    target = catalog.category(right) if right else None
    if right == wrong:
        raise CategoryError(f"{copy.dest.name} is already in '{wrong}'; pick another category.")
    correction = Correction(copy.dest.name, wrong, right, removed=False)
    if files.has_content(copy.dest, copy.content_hash, copy.size):
        with library_lock(catalog):
            correction = _move_out(catalog, copy, correction, target.id if target else None,
                                   target.folder if target else None)
    if copy.photo_id is not None:
        catalog.label(wrong, [copy.photo_id], positive=False)
        if right:
            catalog.label(right, [copy.photo_id], positive=True)
    return correction


def _move_out(catalog: Catalog, copy: ReceivedCopy, correction: Correction, right_id: int | None,
              right_folder: Path | None) -> Correction:
    """The file part of a correction, as one journaled review run."""
    source = catalog.run(copy.run_id)
    lock = RunLock(catalog)
    lock.acquire()  # a fresh lock: always free; it tells recovery this run is alive
    run = catalog.start_run(REVIEW, copy.dest, source.model_version_id if source else None,
                            {"lock": lock.token, "wrong": correction.wrong, "right": correction.right})
    new: Path | None = None
    put_back = False
    try:
        if right_folder is not None:
            journaled_mkdir(catalog, run.id, right_folder, right_id)
            kept, new = _copy_into(catalog, run.id, copy, right_folder, right_id)
        else:
            kept = _other_copy(catalog, copy)
            if kept is None:  # the only copy of this photo (a --move sort): back where it came from
                if not copy.src.parent.is_dir():
                    raise files.CopyError("it is the only copy of this photo and its original folder is gone")
                kept, new = _copy_into(catalog, run.id, copy, copy.src.parent, None)
                put_back = True
        journaled_remove(catalog, run.id, copy.dest, kept, copy.content_hash, copy.size, copy.photo_id)
    except BaseException as exc:
        catalog.finish_run(run.id, FAILED)
        if isinstance(exc, (OSError, files.CopyError)):
            raise PhotosortError(f"Could not correct {copy.dest.name}: {files.reason(exc)}.") from exc
        raise
    finally:
        lock.release()
    catalog.finish_run(run.id, DONE, {"scanned": 1, "sorted": int(right_folder is not None), "copies": int(bool(new))})
    return Correction(correction.name, correction.wrong, correction.right, True, new or kept, put_back, run.id)


def _copy_into(catalog: Catalog, run_id: int, copy: ReceivedCopy, folder: Path,
               category_id: int | None) -> tuple[Path, Path | None]:
    """(the file in folder holding these bytes, the new copy or None if they were there)."""
    dest, present = files.pick_name(folder, copy.dest.name, copy.content_hash, copy.size)
    if present:
        return dest, None
    made = journaled_copy(catalog, run_id, copy.dest, dest, copy.content_hash, copy.size,
                          photo_id=copy.photo_id, category_id=category_id)
    return made, made


def _other_copy(catalog: Catalog, copy: ReceivedCopy) -> Path | None:
    """Another file holding exactly these bytes (the original, or another journaled copy)."""
    candidates = [copy.src]
    for op in catalog.file_ops_for_hashes([copy.content_hash], op=COPY, state=DONE):
        candidates += [op.src, op.dest]
    return next((p for p in candidates
                 if p and p != copy.dest and files.has_content(p, copy.content_hash, copy.size)), None)
