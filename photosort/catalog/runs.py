"""The runs and file_ops tables: each sort (or other batch of file operations) and its
journal, written before every file operation and updated after, for resume, undo and review."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import and_, func, select, update

from photosort.catalog.categories import category_row
from photosort.catalog.engine import CatalogEngine, chunks
from photosort.catalog.records import FileOpRecord, ReceivedCopy, RunRecord
from photosort.catalog.schema import Category, FileOp, Prediction, Run, utcnow
from photosort.errors import CategoryError


def _run_record(row: Run) -> RunRecord:
    return RunRecord(
        id=row.id,
        kind=row.kind,
        source=row.source,
        started_at=row.started_at,
        finished_at=row.finished_at,
        status=row.status,
        model_version_id=row.model_version_id,
        options=dict(row.options or {}),
        summary=dict(row.summary or {}),
    )


def _file_op_record(row: FileOp) -> FileOpRecord:
    return FileOpRecord(
        id=row.id,
        run_id=row.run_id,
        op=row.op,
        photo_id=row.photo_id,
        category_id=row.category_id,
        src=Path(row.src),
        dest=Path(row.dest) if row.dest else None,
        tmp=Path(row.tmp) if row.tmp else None,
        content_hash=row.content_hash,
        size=row.size,
        state=row.state,
        error=row.error,
    )


class RunsMixin(CatalogEngine):
    # -- runs ---------------------------------------------------------------------------

    def start_run(self, kind: str, source: str | Path = "", model_version_id: int | None = None,
                  options: dict | None = None) -> RunRecord:
        with self._session() as s:
            row = Run(kind=kind, source=str(source), model_version_id=model_version_id,
                      options=dict(options or {}), summary={}, status="running")
            s.add(row)
            s.flush()
            return _run_record(row)

    def finish_run(self, run_id: int, status: str, summary: dict | None = None) -> RunRecord:
        with self._session() as s:
            row = s.get(Run, run_id)
            row.status = status
            row.finished_at = utcnow()
            if summary is not None:
                row.summary = json.loads(json.dumps(summary, default=str))
            s.flush()
            return _run_record(row)

    def set_run_status(self, run_id: int, status: str) -> None:
        with self._session() as s:
            s.execute(update(Run).where(Run.id == run_id).values(status=status))

    def run(self, run_id: int) -> RunRecord | None:
        with self._session() as s:
            row = s.get(Run, run_id)
            return _run_record(row) if row else None

    def runs(self, kind: str | None = None) -> list[RunRecord]:
        with self._session() as s:
            query = select(Run).order_by(Run.id)
            if kind:
                query = query.where(Run.kind == kind)
            return [_run_record(r) for r in s.scalars(query)]

    # -- the file-operation journal -----------------------------------------------------

    def journal(self, run_id: int, op: str, src: str | Path, dest: str | Path = "", tmp: str | Path = "",
                photo_id: int | None = None, category_id: int | None = None,
                content_hash: str = "", size: int = 0) -> FileOpRecord:
        """Write a pending file operation to the journal *before* doing it. CategoryError if
        ``category_id`` names a category removed meanwhile (e.g. during a sort)."""
        with self._session() as s:
            if category_id is not None and s.get(Category, category_id) is None:
                raise CategoryError(f"The category with id {category_id} has been removed.")
            row = FileOp(run_id=run_id, op=op, src=str(src), dest=str(dest or ""), tmp=str(tmp or ""),
                         photo_id=photo_id, category_id=category_id, content_hash=content_hash,
                         size=size, state="pending")
            s.add(row)
            s.flush()
            return _file_op_record(row)

    def update_file_op(self, op_id: int, **changes) -> None:
        """Record what happened to a journaled operation (state, dest, error, ...)."""
        allowed = {"state", "dest", "tmp", "error", "content_hash", "size"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)} of a file operation")
        values = {k: (str(v) if k in {"dest", "tmp"} else v) for k, v in changes.items()}
        with self._session() as s:
            s.execute(update(FileOp).where(FileOp.id == op_id).values(**values, updated_at=utcnow()))

    def file_ops(self, run_id: int | None = None, state: str | None = None) -> list[FileOpRecord]:
        with self._session() as s:
            query = select(FileOp).order_by(FileOp.id)
            if run_id is not None:
                query = query.where(FileOp.run_id == run_id)
            if state is not None:
                query = query.where(FileOp.state == state)
            return [_file_op_record(r) for r in s.scalars(query)]

    def file_ops_for_hashes(
        self,
        content_hashes: Iterable[str],
        op: str | None = None,
        state: str | None = None,
        run_ids: Iterable[int] | None = None,
    ) -> list[FileOpRecord]:
        """Journal entries about any of these contents (where a photo was already copied, which
        photos a run already decided), optionally of one kind, state and set of runs."""
        runs = None if run_ids is None else list(run_ids)
        found: list[FileOpRecord] = []
        with self._session() as s:
            for chunk in chunks(sorted(set(content_hashes))):
                query = select(FileOp).where(FileOp.content_hash.in_(chunk)).order_by(FileOp.id)
                if op is not None:
                    query = query.where(FileOp.op == op)
                if state is not None:
                    query = query.where(FileOp.state == state)
                if runs is not None:
                    query = query.where(FileOp.run_id.in_(runs))
                found += [_file_op_record(r) for r in s.scalars(query)]
        return found

    def journal_done(self, run_id: int, op: str, entries: Sequence[dict]) -> None:
        """Record many already-finished entries (FileOp fields: src, photo_id, content_hash,
        size, ...) in one transaction: a sort's per-photo decisions, written once per batch."""
        if not entries:
            return
        with self._session() as s:
            s.add_all([FileOp(run_id=run_id, op=op, state="done", **entry) for entry in entries])

    def set_file_ops_state(self, run_id: int, op: str, state: str, new_state: str) -> int:
        """Move every ``op`` entry of a run from ``state`` to ``new_state``; returns how many."""
        with self._session() as s:
            result = s.execute(
                update(FileOp)
                .where(FileOp.run_id == run_id, FileOp.op == op, FileOp.state == state)
                .values(state=new_state, updated_at=utcnow())
            )
            return result.rowcount

    # -- review -------------------------------------------------------------------------

    def received(self, category: str) -> list[ReceivedCopy]:
        """Copies made into this category's folder (journal entries op='copy', state='done' for
        the category), one per dest path (the newest entry), each with the category's score
        under the model of the run that made it; least confident first, unknown scores last.
        Raises CategoryError for an unknown category. Whether the file is still there is for
        the caller to see (sorting/review.py)."""
        done_copies = and_(FileOp.op == "copy", FileOp.state == "done", FileOp.category_id == Category.id)
        newest = (  # the newest copy to each dest of the category
            select(func.max(FileOp.id).label("id"))
            .join(Category, done_copies)
            .where(Category.name == category)
            .group_by(FileOp.dest)
            .subquery()
        )
        query = (  # one statement: journal -> its run's model -> that model's score for the photo
            select(FileOp.id, FileOp.run_id, FileOp.dest, FileOp.src, FileOp.photo_id,
                   FileOp.content_hash, FileOp.size, Prediction.score)
            .join(newest, newest.c.id == FileOp.id)
            .join(Run, Run.id == FileOp.run_id)
            .outerjoin(Prediction, and_(
                Prediction.photo_id == FileOp.photo_id,
                Prediction.model_version_id == Run.model_version_id,
                Prediction.category_id == FileOp.category_id,
            ))
            .order_by(Prediction.score.is_(None), Prediction.score, FileOp.id)
        )
        with self._session() as s:
            rows = s.execute(query).all()
            if not rows:
                category_row(s, category)  # an unknown category is an error, not an empty list
        return [
            ReceivedCopy(op_id, run_id, Path(dest), Path(src), photo_id, digest, size, score)
            for op_id, run_id, dest, src, photo_id, digest, size, score in rows
        ]
