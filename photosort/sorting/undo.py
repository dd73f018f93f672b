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
from photosort.sorting.journal import recover, run_lock
from photosort.sorting.states import (
    COPY, COPY_OPS, DECIDE, DONE, DRY_RUN, KEPT, MKDIR, REMOVE, RESTORE, RUN_KINDS, RUNNING, SORT_KINDS, UNDOING, UNDONE,
)


@dataclass
class UndoSummary:
    run_id: int
    removed: int = 0  # copies deleted
    restored: int = 0  # originals put back after a --move
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
    made = [op for op in catalog.file_ops(run.id) if op.op in COPY_OPS and op.state in (DONE, UNDONE, KEPT)]
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
    made that are unchanged, and the folders it created if they are empty again."""
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
        _remove_copies(catalog, ops, keep, summary)
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
    """Put back the originals a --move removed; returns the contents whose copies must stay
    because their original could not be put back."""
    copies: dict[str, list[Path]] = {}
    for op in ops:
        if op.op == COPY and op.state == DONE:
            copies.setdefault(op.content_hash, []).append(op.dest)
    keep: set[str] = set()
    for op in ops:
        if op.op != REMOVE or op.state != DONE:
            continue
        try:
            if _restore(catalog, run, op, [op.dest, *copies.get(op.content_hash, [])]):
                summary.restored += 1
            catalog.update_file_op(op.id, state=UNDONE)
        except (OSError, files.CopyError) as exc:
            keep.add(op.content_hash)
            summary.errors.append((op.src, f"original not put back, its copies kept: {files.reason(exc)}"))
    return keep


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


def _remove_copies(catalog: Catalog, ops: list[FileOpRecord], keep: set[str], summary: UndoSummary) -> None:
    for op in ops:
        if op.op not in COPY_OPS or op.state != DONE:  # a derived copy: checked against its own bytes
            continue
        if op.content_hash in keep:
            summary.kept.append((op.dest, "kept: its original could not be put back"))
        elif not os.path.lexists(op.dest):
            catalog.update_file_op(op.id, state=UNDONE, error="already gone")
        elif not files.has_content(op.dest, op.content_hash, op.size):
            summary.kept.append((op.dest, "changed since the sort: kept"))
            catalog.update_file_op(op.id, state=KEPT, error="changed since the sort")
        else:
            try:
                files.remove_file(op.dest)
            except OSError as exc:
                summary.errors.append((op.dest, f"copy not removed: {files.reason(exc)}"))
                continue
            catalog.update_file_op(op.id, state=UNDONE)
            summary.removed += 1


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
