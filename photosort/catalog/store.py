"""The Catalog: every SQL statement photosort runs lives here.

One SQLite file per library (``<library>/catalog.sqlite``), in WAL mode with foreign keys on.
A short session per call keeps the catalog safe to use from worker threads.
"""

from __future__ import annotations

import json
from datetime import datetime
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, delete, event, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from photosort import images
from photosort.catalog.records import (
    CategoryRecord,
    FileOpRecord,
    LabelledPhoto,
    ModelVersionRecord,
    PhotoRecord,
    ReceivedCopy,
    RunRecord,
)
from photosort.catalog.schema import (
    SCHEMA_VERSION,
    Base,
    Category,
    Embedding,
    FileOp,
    Label,
    Meta,
    ModelVersion,
    Photo,
    Prediction,
    Run,
    utcnow,
)
from photosort.errors import CategoryError, ImageError, PhotosortError
from photosort.progress import Progress, ProgressFn, StopFn, check_stop

DB_NAME = "catalog.sqlite"
MODELS_DIR = "models"
_CHUNK = 500  # rows per IN (...) query; SQLite's variable limit is well above this


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _photo_record(row: Photo) -> PhotoRecord:
    return PhotoRecord(
        id=row.id,
        location=row.path,
        content_hash=row.content_hash,
        size=row.size,
        mtime=row.mtime,
        taken_at=row.taken_at,
        width=row.width,
        height=row.height,
    )


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


class Catalog:
    """A photosort library: its catalog database and its models folder."""

    def __init__(self, library_dir: str | Path):
        self.library_dir = Path(library_dir).expanduser().resolve()
        try:
            self.library_dir.mkdir(parents=True, exist_ok=True)
            self.models_dir.mkdir(exist_ok=True)
        except OSError as exc:
            raise PhotosortError(f"Cannot create the library folder {self.library_dir}: {exc.strerror or exc}") from exc
        self.engine = create_engine(
            f"sqlite:///{self.db_path}",
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._migrate()

    # -- housekeeping -------------------------------------------------------------------

    @property
    def db_path(self) -> Path:
        return self.library_dir / DB_NAME

    @property
    def models_dir(self) -> Path:
        return self.library_dir / MODELS_DIR

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Catalog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def _migrate(self) -> None:
        Base.metadata.create_all(self.engine)
        with self._session() as s:
            row = s.get(Meta, "schema_version")
            if row is None:
                s.add(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
            elif int(row.value) > SCHEMA_VERSION:
                raise PhotosortError(
                    f"This library was written by a newer photosort (schema {row.value}); "
                    "please upgrade photosort."
                )

    def schema_version(self) -> int:
        with self._session() as s:
            return int(s.get(Meta, "schema_version").value)

    # -- photos -------------------------------------------------------------------------

    def add_photo(self, path: str | Path) -> PhotoRecord:
        """Register a photo (or refresh it if it changed on disk). Raises ImageError."""
        path = Path(path).expanduser().absolute()
        key = str(path)
        try:
            stat = path.stat()
        except OSError as exc:
            raise ImageError(path, exc.strerror or "cannot read file") from exc
        with self._session() as s:
            row = s.scalar(select(Photo).where(Photo.path == key))
            if row is not None and row.size == stat.st_size and row.mtime == stat.st_mtime:
                return _photo_record(row)  # unchanged: skip hashing and header reads
        info = images.photo_info(path)
        digest = images.content_hash(path)
        with self._session() as s:
            row = s.scalar(select(Photo).where(Photo.path == key))
            if row is None:
                row = Photo(path=key)
                s.add(row)
            row.content_hash = digest
            row.size = info.size
            row.mtime = info.mtime
            row.taken_at = info.taken_at
            row.width = info.width
            row.height = info.height
            s.flush()
            return _photo_record(row)

    def add_photos(
        self,
        paths: Iterable[str | Path],
        on_progress: ProgressFn | None = None,
        should_stop: StopFn | None = None,
    ) -> tuple[list[PhotoRecord], list[tuple[Path, str]]]:
        """Register many photos; returns (records, skipped as (path, reason))."""
        paths = list(paths)
        added: list[PhotoRecord] = []
        skipped: list[tuple[Path, str]] = []
        for done, path in enumerate(paths, 1):
            check_stop(should_stop)
            try:
                added.append(self.add_photo(path))
            except ImageError as exc:
                skipped.append((Path(path), exc.reason))
            if on_progress:
                on_progress(Progress("reading", done, len(paths), f"Reading {Path(path).name}"))
        return added, skipped

    def photos_by_paths(self, paths: Sequence[str | Path]) -> dict[Path, PhotoRecord]:
        """Known photos among ``paths`` (absolute), keyed by path, in a few queries."""
        keys = [str(Path(p).absolute()) for p in paths]
        found: dict[Path, PhotoRecord] = {}
        with self._session() as s:
            for chunk in _chunks(keys):
                for row in s.scalars(select(Photo).where(Photo.path.in_(chunk))):
                    found[Path(row.path)] = _photo_record(row)
        return found

    def upsert_photos(self, entries: Sequence[tuple[Path, str, "images.PhotoInfo"]]) -> list[PhotoRecord]:
        """Insert or refresh many photos, given (path, content hash, info) read elsewhere
        (e.g. by decoding threads), in one transaction. Returns records in the same order."""
        if not entries:
            return []
        rows = [
            {
                "path": str(Path(path).absolute()),
                "content_hash": digest,
                "size": info.size,
                "mtime": info.mtime,
                "taken_at": info.taken_at,
                "width": info.width,
                "height": info.height,
                "added_at": utcnow(),
            }
            for path, digest, info in entries
        ]
        stmt = sqlite_insert(Photo)
        stmt = stmt.on_conflict_do_update(
            index_elements=["path"],
            set_={k: stmt.excluded[k] for k in ("content_hash", "size", "mtime", "taken_at", "width", "height")},
        )
        with self._session() as s:
            s.execute(stmt, rows)  # executemany: one compiled statement for the whole batch
        by_path = self.photos_by_paths([r["path"] for r in rows])
        return [by_path[Path(r["path"])] for r in rows]

    def photo(self, photo_id: int) -> PhotoRecord | None:
        with self._session() as s:
            row = s.get(Photo, photo_id)
            return _photo_record(row) if row else None

    def photo_by_path(self, path: str | Path) -> PhotoRecord | None:
        with self._session() as s:
            row = s.scalar(select(Photo).where(Photo.path == str(Path(path).absolute())))
            return _photo_record(row) if row else None

    def photos_by_hash(self, content_hash: str) -> list[PhotoRecord]:
        with self._session() as s:
            rows = s.scalars(select(Photo).where(Photo.content_hash == content_hash))
            return [_photo_record(r) for r in rows]

    def photos(self, ids: Sequence[int] | None = None) -> list[PhotoRecord]:
        with self._session() as s:
            if ids is None:
                return [_photo_record(r) for r in s.scalars(select(Photo).order_by(Photo.id))]
            found: list[PhotoRecord] = []
            for chunk in _chunks(list(ids)):
                found += [_photo_record(r) for r in s.scalars(select(Photo).where(Photo.id.in_(chunk)))]
            return found

    def photo_count(self) -> int:
        with self._session() as s:
            return s.scalar(select(func.count()).select_from(Photo))

    def remove_photos(self, ids: Sequence[int]) -> None:
        """Forget photos (labels and predictions go with them); files are not touched."""
        with self._session() as s:
            for chunk in _chunks(list(ids)):
                s.execute(delete(Photo).where(Photo.id.in_(chunk)))

    # -- categories ---------------------------------------------------------------------

    def _category_row(self, s: Session, name: str) -> Category:
        row = s.scalar(select(Category).where(Category.name == name))
        if row is None:
            known = ", ".join(c.name for c in s.scalars(select(Category).order_by(Category.name)))
            raise CategoryError(f"No category named '{name}'" + (f" (have: {known})." if known else "."))
        return row

    def add_category(self, name: str, folder: str | Path, threshold: float = 0.5) -> CategoryRecord:
        name = name.strip()
        if not name:
            raise CategoryError("A category needs a name.")
        if "/" in name or "\\" in name or name in {".", ".."}:
            raise CategoryError(f"'{name}' cannot be a category name (no slashes).")
        with self._session() as s:
            if s.scalar(select(Category).where(Category.name == name)) is not None:
                raise CategoryError(f"A category named '{name}' already exists.")
            s.add(Category(name=name, folder=str(Path(folder).expanduser().absolute()), threshold=threshold))
        return self.category(name)

    def rename_category(self, old: str, new: str) -> CategoryRecord:
        new = new.strip()
        with self._session() as s:
            row = self._category_row(s, old)
            if not new or "/" in new or "\\" in new:
                raise CategoryError(f"'{new}' cannot be a category name.")
            if new != old and s.scalar(select(Category).where(Category.name == new)) is not None:
                raise CategoryError(f"A category named '{new}' already exists.")
            row.name = new
        return self.category(new)

    def remove_category(self, name: str) -> None:
        """Remove a category and its labels; its folder and the files in it are kept."""
        with self._session() as s:
            s.delete(self._category_row(s, name))

    def set_folder(self, name: str, folder: str | Path) -> CategoryRecord:
        with self._session() as s:
            self._category_row(s, name).folder = str(Path(folder).expanduser().absolute())
        return self.category(name)

    def set_threshold(self, name: str, threshold: float) -> CategoryRecord:
        if not 0.0 <= threshold <= 1.0:
            raise CategoryError(f"A threshold must be between 0 and 1, not {threshold}.")
        with self._session() as s:
            self._category_row(s, name).threshold = float(threshold)
        return self.category(name)

    def set_thresholds(self, thresholds: dict[str, float]) -> None:
        with self._session() as s:
            for name, value in thresholds.items():
                row = s.scalar(select(Category).where(Category.name == name))
                if row is not None:
                    row.threshold = float(value)

    def categories(self) -> list[CategoryRecord]:
        with self._session() as s:
            counts = {
                (cid, bool(pos)): n
                for cid, pos, n in s.execute(
                    select(Label.category_id, Label.positive, func.count()).group_by(
                        Label.category_id, Label.positive
                    )
                )
            }
            return [
                CategoryRecord(
                    id=c.id,
                    name=c.name,
                    folder=Path(c.folder),
                    threshold=c.threshold,
                    positives=counts.get((c.id, True), 0),
                    negatives=counts.get((c.id, False), 0),
                )
                for c in s.scalars(select(Category).order_by(Category.name))
            ]

    def category(self, name: str) -> CategoryRecord:
        for record in self.categories():
            if record.name == name:
                return record
        with self._session() as s:
            self._category_row(s, name)  # raises the helpful error
        raise AssertionError("unreachable")

    # -- labels -------------------------------------------------------------------------

    def label(self, category: str, photo_ids: Iterable[int], positive: bool = True) -> int:
        """Make photos examples of a category (or explicit negatives); returns how many."""
        ids = sorted(set(photo_ids))
        with self._session() as s:
            cat = self._category_row(s, category)
            if ids:
                now = utcnow()
                stmt = sqlite_insert(Label).on_conflict_do_update(
                    index_elements=["photo_id", "category_id"], set_={"positive": positive}
                )
                s.execute(stmt, [
                    {"photo_id": pid, "category_id": cat.id, "positive": positive, "created_at": now} for pid in ids
                ])
        return len(ids)

    def unlabel(self, category: str, photo_ids: Iterable[int]) -> None:
        ids = list(set(photo_ids))
        with self._session() as s:
            cat = self._category_row(s, category)
            for chunk in _chunks(ids):
                s.execute(delete(Label).where(Label.category_id == cat.id, Label.photo_id.in_(chunk)))

    def examples(self, category: str, positive: bool = True) -> list[PhotoRecord]:
        with self._session() as s:
            cat = self._category_row(s, category)
            rows = s.scalars(
                select(Photo)
                .join(Label, Label.photo_id == Photo.id)
                .where(Label.category_id == cat.id, Label.positive == positive)
                .order_by(Photo.path)
            )
            return [_photo_record(r) for r in rows]

    def labelled_photos(self) -> list[LabelledPhoto]:
        """Every photo with at least one label, with its labels by category name."""
        with self._session() as s:
            rows = s.execute(
                select(Photo, Category.name, Label.positive)
                .join(Label, Label.photo_id == Photo.id)
                .join(Category, Category.id == Label.category_id)
                .order_by(Photo.id)
            )
            grouped: dict[int, tuple[PhotoRecord, dict[str, bool]]] = {}
            for photo, name, positive in rows:
                entry = grouped.setdefault(photo.id, (_photo_record(photo), {}))
                entry[1][name] = bool(positive)
            return [LabelledPhoto(photo=p, labels=labels) for p, labels in grouped.values()]

    # -- embeddings ---------------------------------------------------------------------

    def get_embeddings(self, hashes: Sequence[str], backbone: str, view: int = 0) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._session() as s:
            for chunk in _chunks(list(set(hashes))):
                rows = s.execute(
                    select(Embedding.content_hash, Embedding.vector).where(
                        Embedding.backbone == backbone,
                        Embedding.view == view,
                        Embedding.content_hash.in_(chunk),
                    )
                )
                for digest, blob in rows:
                    found[digest] = np.frombuffer(blob, dtype="<f4").copy()
        return found

    def embedding(self, content_hash: str, backbone: str, view: int = 0) -> np.ndarray | None:
        """One cached embedding, or None. A plain connection rather than a session: sorting
        asks this from its reading threads once per new photo (~0.1 ms)."""
        with self.engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT vector FROM embeddings WHERE content_hash = ? AND backbone = ? AND view = ?",
                (content_hash, backbone, view),
            ).first()
        return None if row is None else np.frombuffer(row[0], dtype="<f4").copy()

    def put_embeddings(self, backbone: str, view: int, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        rows = [
            {
                "content_hash": digest,
                "backbone": backbone,
                "view": view,
                "dim": int(vec.shape[-1]),
                "vector": np.asarray(vec, dtype="<f4").tobytes(),
            }
            for digest, vec in vectors.items()
        ]
        stmt = sqlite_insert(Embedding)
        stmt = stmt.on_conflict_do_update(
            index_elements=["content_hash", "backbone", "view"],
            set_={"vector": stmt.excluded.vector, "dim": stmt.excluded.dim},
        )
        with self._session() as s:
            s.execute(stmt, rows)

    def embedding_count(self, backbone: str | None = None) -> int:
        with self._session() as s:
            q = select(func.count()).select_from(Embedding)
            if backbone is not None:
                q = q.where(Embedding.backbone == backbone)
            return s.scalar(q)

    # -- models -------------------------------------------------------------------------

    def _model_record(self, row: ModelVersion) -> ModelVersionRecord:
        return ModelVersionRecord(
            id=row.id,
            created_at=row.created_at,
            backbone=row.backbone,
            fine_tuned=row.fine_tuned,
            categories=list(row.categories),
            thresholds=dict(row.thresholds),
            metrics=dict(row.metrics or {}),
            file=self.models_dir / row.file,
        )

    def add_model_version(
        self,
        backbone: str,
        categories: list[str],
        thresholds: dict[str, float],
        metrics: dict,
        file: str | Path,
        fine_tuned: bool = False,
    ) -> ModelVersionRecord:
        """Register a trained model; ``file`` lies in models_dir. It becomes the current one."""
        file = Path(file)
        relative = file.relative_to(self.models_dir) if file.is_absolute() else file
        # JSON round trip: refuse NaN/inf and numpy types early, with a clear error
        metrics = json.loads(json.dumps(metrics, allow_nan=False, default=float))
        with self._session() as s:
            row = ModelVersion(
                backbone=backbone,
                fine_tuned=fine_tuned,
                categories=list(categories),
                thresholds={k: float(v) for k, v in thresholds.items()},
                metrics=metrics,
                file=str(relative),
            )
            s.add(row)
            s.flush()
            return self._model_record(row)

    def model_versions(self) -> list[ModelVersionRecord]:
        with self._session() as s:
            return [self._model_record(r) for r in s.scalars(select(ModelVersion).order_by(ModelVersion.id))]

    def model_version(self, version_id: int) -> ModelVersionRecord | None:
        with self._session() as s:
            row = s.get(ModelVersion, version_id)
            return self._model_record(row) if row else None

    def current_model(self) -> ModelVersionRecord | None:
        """The newest trained model, or None before the first training."""
        with self._session() as s:
            row = s.scalar(select(ModelVersion).order_by(ModelVersion.id.desc()).limit(1))
            return self._model_record(row) if row else None

    # -- predictions --------------------------------------------------------------------

    def record_predictions(
        self, model_version_id: int, categories: Sequence[str], scores: dict[int, Sequence[float]]
    ) -> None:
        """Record every score of every photo: ``scores[photo_id][i]`` is for ``categories[i]``.

        One transaction for the whole batch; categories removed since training are skipped.
        """
        if not scores:
            return
        with self._session() as s:
            ids = dict(s.execute(select(Category.name, Category.id).where(Category.name.in_(list(categories)))).all())
            now = utcnow()
            rows = [
                {
                    "photo_id": photo_id,
                    "model_version_id": model_version_id,
                    "category_id": ids[name],
                    "score": float(photo_scores[i]),
                    "predicted_at": now,
                }
                for photo_id, photo_scores in scores.items()
                for i, name in enumerate(categories)
                if name in ids
            ]
            if rows:
                stmt = sqlite_insert(Prediction)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["photo_id", "model_version_id", "category_id"],
                    set_={"score": stmt.excluded.score, "predicted_at": stmt.excluded.predicted_at},
                )
                s.execute(stmt, rows)

    def predictions(self, photo_id: int, model_version_id: int | None = None) -> dict[str, float]:
        """A photo's scores by category name (current model unless one is named)."""
        with self._session() as s:
            version = model_version_id or s.scalar(select(func.max(ModelVersion.id)))
            rows = s.execute(
                select(Category.name, Prediction.score)
                .join(Category, Category.id == Prediction.category_id)
                .where(Prediction.photo_id == photo_id, Prediction.model_version_id == version)
            )
            return {name: score for name, score in rows}

    def scores(self, model_version_id: int, photo_ids: Sequence[int] | None = None) -> dict[int, dict[str, float]]:
        """Recorded scores of many photos: {photo_id: {category: score}}."""
        result: dict[int, dict[str, float]] = {}
        with self._session() as s:
            base = (
                select(Prediction.photo_id, Category.name, Prediction.score)
                .join(Category, Category.id == Prediction.category_id)
                .where(Prediction.model_version_id == model_version_id)
            )
            queries = [base] if photo_ids is None else [
                base.where(Prediction.photo_id.in_(chunk)) for chunk in _chunks(list(photo_ids))
            ]
            for query in queries:
                for photo_id, name, score in s.execute(query):
                    result.setdefault(photo_id, {})[name] = score
        return result

    def photos_in_category(
        self,
        category: str,
        model_version_id: int | None = None,
        min_score: float | None = None,
        limit: int | None = None,
    ) -> list[tuple[PhotoRecord, float]]:
        """Photos the model puts in a category (score ≥ the category's threshold unless
        min_score is given), best first."""
        with self._session() as s:
            cat = self._category_row(s, category)
            version = model_version_id or s.scalar(select(func.max(ModelVersion.id)))
            if version is None:
                return []
            threshold = cat.threshold if min_score is None else min_score
            # Raw SQL on the covering index ix_predictions_category, rows turned into records by
            # hand: a big camera roll puts tens of thousands of photos in one category, and
            # SQLAlchemy's per-row processing would cost several times SQLite's own work.
            cursor = s.connection().connection.dbapi_connection.cursor()  # plain sqlite3 tuples
            rows = cursor.execute(
                "SELECT p.id, p.path, p.content_hash, p.size, p.mtime, p.taken_at, p.width, p.height,"
                " pr.score FROM predictions pr JOIN photos p ON p.id = pr.photo_id"
                " WHERE pr.category_id = ? AND pr.model_version_id = ? AND pr.score >= ?"
                " ORDER BY pr.score DESC" + (" LIMIT ?" if limit else ""),
                (cat.id, version, threshold, limit) if limit else (cat.id, version, threshold),
            ).fetchall()
        parse = datetime.fromisoformat
        return [
            (PhotoRecord(pid, path, digest, size, mtime, parse(taken) if taken else None, width, height), score)
            for pid, path, digest, size, mtime, taken, width, height, score in rows
        ]

    # -- runs and the file-operation journal ---------------------------------------------

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

    def journal(self, run_id: int, op: str, src: str | Path, dest: str | Path = "", tmp: str | Path = "",
                photo_id: int | None = None, category_id: int | None = None,
                content_hash: str = "", size: int = 0) -> FileOpRecord:
        """Write a pending file operation to the journal *before* doing it."""
        with self._session() as s:
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

    # -- sorting support (sorting.py) --------------------------------------------------------

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
            for chunk in _chunks(sorted(set(content_hashes))):
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

    # --- TEMP (received): replaced by the catalog branch at merge ---
    def received(self, category: str) -> list[ReceivedCopy]:
        """Copies made into this category's folder whose journal entry is op='copy',
        state='done' and category_id = the category's id; one per dest path (the newest entry);
        least confident first (score ascending, unknown scores last). ONE SQL query (join
        file_ops -> runs for the model version -> predictions for the score), no Python scan
        of the journal. Raises CategoryError for an unknown category."""
        with self._session() as s:
            cat = self._category_row(s, category)
            cursor = s.connection().connection.dbapi_connection.cursor()
            rows = cursor.execute(
                "WITH newest AS (SELECT f.*, ROW_NUMBER() OVER (PARTITION BY f.dest ORDER BY f.id DESC) AS n"
                "  FROM file_ops f WHERE f.op = 'copy' AND f.state = 'done' AND f.category_id = ?)"
                " SELECT c.id, c.run_id, c.dest, c.src, c.photo_id, c.content_hash, c.size, pr.score"
                " FROM newest c JOIN runs r ON r.id = c.run_id"
                " LEFT JOIN predictions pr ON pr.photo_id = c.photo_id"
                "  AND pr.model_version_id = r.model_version_id AND pr.category_id = c.category_id"
                " WHERE c.n = 1 ORDER BY pr.score IS NULL, pr.score, c.id",
                (cat.id,),
            ).fetchall()
        return [ReceivedCopy(op_id, run_id, Path(dest), Path(src), photo_id, digest, size, score)
                for op_id, run_id, dest, src, photo_id, digest, size, score in rows]
    # --- end TEMP (received) ---


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (GUI) don't block the writer (sorter)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses at most the last commit
    cursor.close()
