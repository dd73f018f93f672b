"""The model_versions and predictions tables: trained sorters, every score they gave, and
the category listing ("this category's photos, best first") read from those scores."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from photosort.catalog.categories import category_row
from photosort.catalog.engine import CatalogEngine, chunks
from photosort.catalog.paths import decode_path
from photosort.catalog.records import ModelVersionRecord, PhotoRecord
from photosort.catalog.schema import Category, ModelVersion, Prediction, utcnow


class ModelsMixin(CatalogEngine):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            self._map_model_category_ids()  # models saved before ids: mapped once, before any rename
        except BaseException:
            self.engine.dispose()
            raise

    # -- model versions -----------------------------------------------------------------

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
            category_ids=list(row.category_ids or []),
        )

    def _map_model_category_ids(self) -> None:
        """Give every model saved before category ids (category_ids NULL) its ids, found by
        name once and written back: from then on a rename no longer loses its columns. A name
        no category has any more maps to None (its column sorts nothing)."""
        with self._reading() as s:
            if s.scalar(select(func.count()).where(ModelVersion.category_ids.is_(None))) == 0:
                return
        with self._session() as s:
            ids = dict(s.execute(select(Category.name, Category.id)).all())
            for row in s.scalars(select(ModelVersion).where(ModelVersion.category_ids.is_(None))):
                row.category_ids = [ids.get(name) for name in row.categories]

    def _model_rows(self, rows: list[ModelVersion]) -> list[ModelVersionRecord]:
        if any(row.category_ids is None for row in rows):  # e.g. NULLed since the catalog opened
            self._map_model_category_ids()
            with self._reading() as s:
                rows = [s.get(ModelVersion, row.id) for row in rows]
                return [self._model_record(row) for row in rows]
        return [self._model_record(row) for row in rows]

    def add_model_version(
        self,
        backbone: str,
        categories: list[str],
        thresholds: dict[str, float],
        metrics: dict,
        file: str | Path,
        fine_tuned: bool = False,
        category_ids: Sequence[int] | None = None,
    ) -> ModelVersionRecord:
        """Register a trained model; ``file`` lies in models_dir. It becomes the current one.
        ``category_ids`` are its columns' categories (aligned with ``categories``, the names at
        training); without them, the categories now bearing those names."""
        file = Path(file)
        relative = file.relative_to(self.models_dir) if file.is_absolute() else file
        # JSON round trip: refuse NaN/inf and numpy types early, with a clear error
        metrics = json.loads(json.dumps(metrics, allow_nan=False, default=float))
        with self._session() as s:
            if category_ids is None:
                by_name = dict(s.execute(select(Category.name, Category.id)).all())
                category_ids = [by_name.get(name) for name in categories]
            if len(category_ids) != len(categories):
                raise ValueError("category_ids must be aligned with categories")
            row = ModelVersion(
                backbone=backbone,
                fine_tuned=fine_tuned,
                categories=list(categories),
                category_ids=[None if i is None else int(i) for i in category_ids],
                thresholds={k: float(v) for k, v in thresholds.items()},
                metrics=metrics,
                file=str(relative),
            )
            s.add(row)
            s.flush()
            return self._model_record(row)

    def model_versions(self) -> list[ModelVersionRecord]:
        with self._reading() as s:
            rows = list(s.scalars(select(ModelVersion).order_by(ModelVersion.id)))
        return self._model_rows(rows)

    def model_version(self, version_id: int) -> ModelVersionRecord | None:
        with self._reading() as s:
            row = s.get(ModelVersion, version_id)
        return self._model_rows([row])[0] if row else None

    def current_model(self) -> ModelVersionRecord | None:
        """The newest trained model, or None before the first training."""
        with self._reading() as s:
            row = s.scalar(select(ModelVersion).order_by(ModelVersion.id.desc()).limit(1))
        return self._model_rows([row])[0] if row else None

    # -- predictions --------------------------------------------------------------------

    def record_predictions(
        self, model_version_id: int, categories: Sequence[int | str | None], scores: dict[int, Sequence[float]]
    ) -> None:
        """Record every score of every photo: ``scores[photo_id][i]`` is for ``categories[i]``,
        a category id (a name: the category bearing it now; None: a column of no category).

        One transaction for the whole batch; categories removed meanwhile (even during a sort)
        are skipped.
        """
        if not scores:
            return
        with self._session() as s:
            present = dict(s.execute(select(Category.id, Category.name)).all())
            by_name = {name: cid for cid, name in present.items()}
            ids = [by_name.get(c) if isinstance(c, str) else c for c in categories]
            now = utcnow()
            rows = [
                {
                    "photo_id": photo_id,
                    "model_version_id": model_version_id,
                    "category_id": cid,
                    "score": float(photo_scores[i]),
                    "predicted_at": now,
                }
                for photo_id, photo_scores in scores.items()
                for i, cid in enumerate(ids)
                if cid in present
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
        with self._reading() as s:
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
        with self._reading() as s:
            base = (
                select(Prediction.photo_id, Category.name, Prediction.score)
                .join(Category, Category.id == Prediction.category_id)
                .where(Prediction.model_version_id == model_version_id)
            )
            queries = [base] if photo_ids is None else [
                base.where(Prediction.photo_id.in_(chunk)) for chunk in chunks(list(photo_ids))
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
        with self._reading() as s:
            cat = category_row(s, category)
            version = model_version_id or s.scalar(select(func.max(ModelVersion.id)))
            if version is None:
                return []
            threshold = cat.threshold if min_score is None else min_score
            # Raw SQL on the covering index ix_predictions_category, rows turned into records by
            # hand: a big camera roll puts tens of thousands of photos in one category, and
            # SQLAlchemy's per-row processing would cost several times SQLite's own work (so paths
            # are decoded by hand too: catalog/paths.py).
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
            (PhotoRecord(pid, decode_path(path), digest, size, mtime, parse(taken) if taken else None, width, height), score)
            for pid, path, digest, size, mtime, taken, width, height, score in rows
        ]
