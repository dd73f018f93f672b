"""What runs on a Ray worker: a callable class that Ray Data's actor pool builds once per
worker (loading the sorter from the model file the library's catalog names) and calls on
batches of paths. It reads, decodes, embeds and scores; it never touches the catalog, which
only the driver writes.

Rows out, one per path: the content hash, the header facts (pickled PhotoInfo), the embedding
(for the driver's embedding cache), every category's score, and an error reason ("" if none).
"""

from __future__ import annotations

import os
import pickle
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from photosort import images
from photosort.catalog import ModelVersionRecord
from photosort.errors import ImageError, PhotosortError
from photosort.predictor import Sorter

# Test hook: a worker that finds this file removes it and dies at once (os._exit), as a
# machine lost mid-job would; Ray restarts the actor and retries the batch.
CRASH_MARKER_ENV = "PHOTOSORT_TEST_CLUSTER_CRASH"

SHARED_STORAGE = ("the photos and the library's models folder must be on shared storage, "
                  "at the same path on every machine of the cluster")


def unreadable(path: Path, exc: OSError) -> PhotosortError:
    return PhotosortError(
        f"The cluster worker on {socket.gethostname()} cannot read {path} "
        f"({exc.strerror or exc}): {SHARED_STORAGE}."
    )


class ScoringWorker:
    """One per Ray worker process: the sorter is loaded once, then scores batch after batch."""

    def __init__(self, version: ModelVersionRecord, must_read: list[str], starters: list = (), names: dict | None = None):
        for path in [version.file, *map(Path, must_read)]:
            try:
                os.stat(path)
            except OSError as exc:
                raise unreadable(Path(path), exc) from None
        self.sorter = Sorter.from_version(version, starters, names)  # the driver's columns, exactly
        self.host = socket.gethostname()
        # each file read and decoded on its own thread while others wait on storage, as the
        # local sort's reading threads do (the actor holds the node's CPUs by default)
        self.pool = ThreadPoolExecutor(max_workers=(os.cpu_count() or 2) + 1, thread_name_prefix="photosort-read")

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        _crash_if_asked()
        paths = [Path(str(p)) for p in batch["path"]]
        reads = list(self.pool.map(self._read, paths))
        fresh = [i for i, r in enumerate(reads) if r["pixels"] is not None]
        dim, count = self.sorter.embedder.embedding_dim, len(self.sorter.categories)
        embeddings = np.zeros((len(paths), dim), np.float32)
        scores = np.zeros((len(paths), count), np.float32)
        if fresh:
            embeddings[fresh] = self.sorter.embed(np.stack([reads[i]["pixels"] for i in fresh]))
            scores[fresh] = self.sorter.scores_from_embeddings(embeddings[fresh])
        return {
            "path": np.array([str(p) for p in paths], dtype=object),
            "digest": np.array([r["digest"] for r in reads], dtype=object),
            "info": np.array([r["info"] for r in reads], dtype=object),
            "embedding": embeddings,
            "scores": scores,
            "error": np.array([r["error"] for r in reads], dtype=object),
        }

    def _read(self, path: Path) -> dict:
        """One file, as predictor's reading threads read a new one: whole, once (streamed
        above READ_WHOLE_LIMIT), then decoded at the backbone's input size."""
        row = {"digest": "", "info": b"", "pixels": None, "error": ""}
        try:
            if path.stat().st_size <= images.READ_WHOLE_LIMIT:
                photo = images.read_photo(path)
                info, digest, data = photo.info, photo.content_hash, photo.data
            else:
                info, digest, data = images.photo_info(path), images.content_hash(path), None
            row["pixels"] = images.load_rgb(path, self.sorter.input_size, data=data)
            row["digest"], row["info"] = digest, pickle.dumps(info)
        except ImageError as exc:
            row["error"] = exc.reason
        except OSError as exc:  # e.g. a folder the driver sees and this machine does not
            row["error"] = f"{exc.strerror or exc} (on cluster worker {self.host})"
        return row


def _crash_if_asked() -> None:
    marker = os.environ.get(CRASH_MARKER_ENV)
    if marker:
        try:
            os.remove(marker)  # only the one worker that removes it dies
        except OSError:
            return
        os._exit(1)
