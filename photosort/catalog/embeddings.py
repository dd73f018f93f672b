"""The embeddings table: a backbone's vector per view of a photo's content, keyed by content
hash (so duplicate files share one), stored as little-endian float32 bytes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from photosort.catalog.engine import CatalogEngine, chunks
from photosort.catalog.schema import Embedding


class EmbeddingsMixin(CatalogEngine):
    def get_embeddings(self, hashes: Sequence[str], backbone: str, view: int = 0) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._reading() as s:
            for chunk in chunks(list(set(hashes))):
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
        """One cached embedding, or None. A plain read connection rather than a session: sorting
        asks this from its reading threads once per new photo (~0.1 ms), never waiting for a writer."""
        with self.read_engine.connect() as conn:
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
        with self._reading() as s:
            q = select(func.count()).select_from(Embedding)
            if backbone is not None:
                q = q.where(Embedding.backbone == backbone)
            return s.scalar(q)
