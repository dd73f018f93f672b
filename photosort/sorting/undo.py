"""Taking a sort back, and the list of past runs.

Undo removes only the copies a run made whose bytes are still exactly what it wrote (anything
changed since is the person's now: kept and reported); after a --move it first puts each
original back, copied the same safe way from a verified copy. Re-running an interrupted undo
finishes it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from photosort.catalog import Catalog, FileOpRecord, RunRecord
from photosort.errors import PhotosortError
from photosort.sorting import files
from photosort.sorting.copying import journaled_copy
from photosort.sorting.journal import library_lock, recover, run_lock
from photosort.sorting.states import (
    COPY, COPY_OPS, DECIDE, DERIVE, DONE, DRY_RUN, HELD, KEPT, MKDIR, REMOVE, RESTORE, RUN_KINDS, RUNNING, SORT_KINDS,
    UNDOING, UNDONE,
)
from photosort.sorting.survivors import (
    forget_decisions, known_places, put_back_original, release_held, relying_runs, survivor,
)


@dataclass
class UndoSummary:
    run_id: int
    removed: int = 0  # copies deleted
    restored: int = 0  # originals put back after a --move (this run's, or a later run's it relied on)
    kept: list[tuple[Path, str]] = field(default_factory=list)  # copies left in place, with why
    errors: list[tuple[Path, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id,
            "removed": self.removed,
            "restored": self.restored,
            "kept": [{"path": str(p), "reason": r} for p, r in self.kept],
            "errors": [{"path": str(p), "reason": r} for p, r in self.errors],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class RunInfo:
    """One past run for ``photosort history``."""

    id: int
    kind: str
    source: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    model_version_id: int | None
    dry_run: bool
    move: bool
    scanned: int
    sorted: int
    copies: int  # copies made (a dry run: that it would have made)
    unsorted: int
    skipped: int
    errors: int

    def to_json(self) -> dict:
        data = dict(self.__dict__)
        data["started_at"] = self.started_at.isoformat(timespec="seconds")
        data["finished_at"] = self.finished_at.isoformat(timespec="seconds") if self.finished_at else None
        return data


def history(catalog: Catalog) -> list[RunInfo]:
    """Every sort, watch and review run, oldest first, with its counts."""
    return [_run_info(catalog, run) for run in catalog.runs() if run.kind in RUN_KINDS]


def _run_info(catalog: Catalog, run: RunRecord) -> RunInfo:
    summary = run.summary
    made = [op for op in catalog.file_ops(run.id) if op.op in COPY_OPS and op.state in (DONE, UNDONE, KEPT, HELD)]
    return RunInfo(
        id=run.id,
        kind=run.kind,
        source=run.source,
        status=run.status,
        started_at=run.started_at,
        finished_at=run.finished_at,
        model_version_id=run.model_version_id,
        dry_run=bool(run.options.get("dry_run")),
        move=bool(run.options.get("move")),
        scanned=summary.get("scanned", 0),
        sorted=summary.get("sorted", 0),
        copies=summary.get("copies", 0) if run.options.get("dry_run") else len(made),
        unsorted=summary.get("unsorted", 0),
        skipped=len(summary.get("skipped", [])),
        errors=len(summary.get("errors", [])),
    )


def undo_run(catalog: Catalog, run_id: int | None = None) -> UndoSummary:
    """Undo a sort, watch or review run (the latest sort or watch by default): put back the
    files it removed (originals a --move removed, copies a review removed), remove the copies it
    made that are unchanged, and the folders it created if they are empty again.

    It never deletes the last copy of a photo's bytes: where a later run relies on one of this
    run's copies (its --move removed the original, or it counted the photo as placed), the
    original is put back first, or, where it cannot be, the copy is kept (see survivors.py);
    the summary says which."""
    with library_lock(catalog):
        return _undo_run(catalog, run_id)


def _undo_run(catalog: Catalog, run_id: int | None) -> UndoSummary:
    notes = recover(catalog)
    run = _run_to_undo(catalog, run_id)
    lock = run_lock(catalog, run)
    if not lock.acquire():
        raise PhotosortError(f"Run {run.id} is still in progress; stop it before undoing it.")
    try:
        catalog.set_run_status(run.id, UNDOING)
        summary = UndoSummary(run.id, notes=notes)
        ops = catalog.file_ops(run.id)
        keep = _restore_originals(catalog, run, ops, summary)
        _remove_copies(catalog, run, ops, keep, summary)
        release_held(catalog, {op.content_hash for op in ops if op.content_hash}, summary)
        _remove_folders(catalog, ops)
        catalog.set_file_ops_state(run.id, DECIDE, DONE, UNDONE)  # these photos may be sorted again
        catalog.set_run_status(run.id, UNDONE)
    finally:
        lock.release()
    return summary


def last_undoable_run(catalog: Catalog) -> RunRecord | None:
    """The run ``undo`` takes back by default: the latest finished sort or watch that changed
    any file (a re-run that copied nothing, or a watcher still running, is passed over)."""
    for run in reversed(catalog.runs()):
        if (run.kind in SORT_KINDS and run.status not in (UNDONE, DRY_RUN, RUNNING, UNDOING)
                and _changed_files(catalog, run)):
            return run
    return None


def _run_to_undo(catalog: Catalog, run_id: int | None) -> RunRecord:
    if run_id is None:
        run = last_undoable_run(catalog)
        if run is None:
            raise PhotosortError("There is no sort to undo.")
        return run
    run = catalog.run(run_id)
    if run is None or run.kind not in RUN_KINDS:
        raise PhotosortError(f"There is no sort run {run_id}; 'photosort history' lists them.")
    if run.status == DRY_RUN:
        raise PhotosortError(f"Run {run_id} was a dry run: it changed no files, so there is nothing to undo.")
    return run


def _changed_files(catalog: Catalog, run: RunRecord) -> bool:
    return any(op.op in (*COPY_OPS, REMOVE, MKDIR) for op in catalog.file_ops(run.id, state=DONE))


def _restore_originals(catalog: Catalog, run: RunRecord, ops: list[FileOpRecord], summary: UndoSummary) -> set[str]:
    """Put back the files this run removed (originals a --move removed, copies a review
    removed); returns the contents whose copies must stay because they could not be put back."""
    keep: set[str] = set()
    for op in ops:
        if op.op != REMOVE or op.state != DONE:
            continue
        made_by = _made_by_undone_run(catalog, op)
        if made_by is not None:  # a review took out a copy whose sort was undone since: it stays out
            catalog.update_file_op(op.id, state=UNDONE, error=f"its sort (run {made_by}) was undone")
            continue
        try:
            if _restore(catalog, run, op, [op.dest, *known_places(catalog, op.content_hash)]):
                summary.restored += 1
            catalog.update_file_op(op.id, state=UNDONE)
        except (OSError, files.CopyError) as exc:
            keep.add(op.content_hash)
            summary.errors.append((op.src, f"original not put back, its copies kept: {files.reason(exc)}"))
    return keep


def _made_by_undone_run(catalog: Catalog, op: FileOpRecord) -> int | None:
    """The undone run that made the copy a review removed (None: an original, or a live copy)."""
    made = [m for m in catalog.file_ops_for_hashes([op.content_hash], op=COPY) if m.dest == op.src and m.id < op.id]
    if not made or made[-1].run_id == op.run_id:  # the newest copy to that name before the removal
        return None
    source = catalog.run(made[-1].run_id)
    return source.id if source is not None and source.status == UNDONE else None


def _restore(catalog: Catalog, run: RunRecord, op: FileOpRecord, sources: list[Path]) -> bool:
    """Copy a moved original back from a verified copy; False if it is already back."""
    if files.has_content(op.src, op.content_hash, op.size):
        return False
    if os.path.lexists(op.src):
        raise files.CopyError("a different file now has its name")
    source = next((p for p in sources if p and files.has_content(p, op.content_hash, op.size)), None)
    if source is None:
        raise files.CopyError("no unchanged copy is left to restore it from")
    op.src.parent.mkdir(parents=True, exist_ok=True)
    journaled_copy(catalog, run.id, source, op.src, op.content_hash, op.size, photo_id=op.photo_id, op=RESTORE,
                   exact=True)  # under its own name or not at all
    return True


def _remove_copies(catalog: Catalog, run: RunRecord, ops: list[FileOpRecord], keep: set[str],
                   summary: UndoSummary) -> None:
    """Remove the run's unchanged copies, bytes by bytes, never the last copy of a photo."""
    by_hash: dict[str, list[FileOpRecord]] = {}
    for op in ops:
        if op.op == COPY and op.state == DONE:
            by_hash.setdefault(op.content_hash, []).append(op)
        elif op.op == DERIVE and op.state == DONE and _still_ours(catalog, op, summary):
            _remove_copy(catalog, op, summary)  # new bytes (faces blurred): never a photo's last copy
    for content_hash, copies in by_hash.items():
        if content_hash in keep:
            summary.kept += [(op.dest, "kept: its original could not be put back") for op in copies]
            continue
        removable = [op for op in copies if _still_ours(catalog, op, summary)]
        if not removable:
            continue
        size = removable[0].size
        leaving = {op.dest for op in removable}
        if survivor(catalog, content_hash, size, leaving) is None:
            _last_copy(catalog, run, removable, leaving, summary)
        for op in removable:
            _remove_copy(catalog, op, summary)
        if removable:
            forget_decisions(catalog, content_hash, run.id)


def _remove_copy(catalog: Catalog, op: FileOpRecord, summary: UndoSummary) -> None:
    try:
        files.remove_file(op.dest)
    except OSError as exc:
        summary.errors.append((op.dest, f"copy not removed: {files.reason(exc)}"))
        return
    files.crash_point("undo-removed")  # a re-run finds it gone and marks it undone
    catalog.update_file_op(op.id, state=UNDONE)
    summary.removed += 1


def _still_ours(catalog: Catalog, op: FileOpRecord, summary: UndoSummary) -> bool:
    """True if the copy is there, unchanged; a gone or changed one is journaled and passed over."""
    if not os.path.lexists(op.dest):
        catalog.update_file_op(op.id, state=UNDONE, error="already gone")
        return False
    if not files.has_content(op.dest, op.content_hash, op.size):
        summary.kept.append((op.dest, "changed since the sort: kept"))
        catalog.update_file_op(op.id, state=KEPT, error="changed since the sort")
        return False
    return True


def _last_copy(catalog: Catalog, run: RunRecord, removable: list[FileOpRecord], leaving: set[Path],
               summary: UndoSummary) -> None:
    """These copies are the last of their photo's bytes: put an original a later run removed
    back first, or else keep one copy (taken out of ``removable``)."""
    first = removable[0]
    relying = relying_runs(catalog, first.content_hash, run.id)
    later = f"run {', '.join(map(str, relying))}" if relying else "nothing else"
    put_back = put_back_original(catalog, run.id, first.content_hash, first.size, sorted(leaving))
    if put_back is not None:
        summary.restored += 1
        summary.notes.append(f"Put {put_back.src} back first: run {put_back.run_id}'s --move had removed it "
                             f"and relied on {first.dest}, the last copy of its photo.")
        return
    removable.remove(first)
    why = f"kept: the last copy of this photo ({later} relies on it)"
    catalog.update_file_op(first.id, state=HELD, error=why)
    summary.kept.append((first.dest, why))


def _remove_folders(catalog: Catalog, ops: list[FileOpRecord]) -> None:
    """Remove the folders the run created (up to the first one it had to create), if empty."""
    for op in reversed(ops):
        if op.op != MKDIR or op.state != DONE:
            continue
        folder = op.dest
        while folder is not None:
            try:
                os.rmdir(folder)
            except OSError:  # not empty (or already gone): the person's files stay
                break
            folder = None if folder == op.src else folder.parent
        catalog.update_file_op(op.id, state=UNDONE)
