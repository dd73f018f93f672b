"""Backbone embeddings of photos and views, cached in the experiment's output folder.

Catalog-free: one ``cache/emb-<backbone>-<size>.npz`` per backbone and input size, keyed by
content hash, view and augmentation, so configurations (and reruns) share embeddings.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from photosort.atomic import write_atomically
from photosort.experiments.pixels import OVERSAMPLE_VIEW, PixelStore, view_of
from photosort.progress import StopFn, check_stop

CHUNK = 32


def aug_for(view: int, aug: str) -> str:
    """Oversampling copies are augmented even when a configuration's views are not."""
    return "basic" if aug == "none" and view >= OVERSAMPLE_VIEW else aug


class EmbeddingCache:
    def __init__(self, folder: Path, store: PixelStore):
        self.folder, self.store = Path(folder), store
        self._tables: dict[tuple[str, int], dict[str, np.ndarray]] = {}
        self.seconds_per_image: dict[tuple[str, int], float] = {}  # measured when embedding

    def _table(self, backbone: str, size: int) -> dict[str, np.ndarray]:
        if (backbone, size) not in self._tables:
            table: dict[str, np.ndarray] = {}
            path = self._path(backbone, size)
            if path.is_file():
                try:
                    with np.load(path, allow_pickle=False) as saved:
                        table = dict(zip((str(k) for k in saved["keys"]), saved["vectors"]))
                except (OSError, ValueError, KeyError):
                    table = {}  # a damaged cache is rebuilt
            self._tables[backbone, size] = table
        return self._tables[backbone, size]

    def _path(self, backbone: str, size: int) -> Path:
        return self.folder / f"emb-{backbone}-{size}.npz"

    def _key(self, row: int, view: int, aug: str) -> str:
        return f"{self.store.hashes[row]}:{view}:{aug_for(view, aug) if view else '-'}"

    def embeddings(self, backbone: str, size: int | None, pairs, aug: str,
                   should_stop: StopFn | None = None, on_chunk=None) -> np.ndarray:
        """(len(pairs), D) float32 for (row, view) pairs; missing ones embedded and saved."""
        from photosort import backbones

        embedder = backbones.get_embedder(backbone, size)
        size = embedder.input_size
        table = self._table(backbone, size)
        keys = [self._key(r, v, aug) for r, v in pairs]
        missing = [(k, p) for k, p in dict(zip(keys, pairs)).items() if k not in table]
        for start in range(0, len(missing), CHUNK):
            check_stop(should_stop)
            chunk = missing[start : start + CHUNK]
            pix = [self.store.get([r], size)[0] for _, (r, _) in chunk]
            batch = np.stack([view_of(p, v, self.store.seed(r), aug_for(v, aug)) for p, (_, (r, v)) in zip(pix, chunk)])
            began = time.perf_counter()
            vectors = embedder.embed(batch)
            self.seconds_per_image[backbone, size] = (time.perf_counter() - began) / len(batch)
            table.update({k: vec for (k, _), vec in zip(chunk, vectors)})
            if on_chunk:
                on_chunk(min(start + CHUNK, len(missing)), len(missing))
        if missing:
            self.save(backbone, size)
        return np.stack([table[k] for k in keys]).astype(np.float32)

    def save(self, backbone: str, size: int) -> None:
        table = self._table(backbone, size)
        self.folder.mkdir(parents=True, exist_ok=True)

        def write(partial: Path) -> None:
            with open(partial, "wb") as out:
                np.savez(out, keys=np.array(list(table), dtype=str), vectors=np.stack(list(table.values())))

        write_atomically(self._path(backbone, size), write)
