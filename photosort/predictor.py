"""A trained sorter, loaded and ready to score photos: the one fast path that sorting, the
watcher, evaluation and the GUI all use.

Flow of a batch: each new or changed file read once, whole, on a reading thread: content hash,
header facts, a cached embedding looked up by hash, else the pixels decoded at reduced size
from the bytes already read → backbone embedder → sigmoid head → every score recorded in one
transaction. The next batches are read while this one runs through the network.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from photosort import images
from photosort.catalog import Catalog, ModelVersionRecord, PhotoRecord
from photosort.errors import ImageError, NoModelError, PhotosortError
from photosort.progress import Progress, ProgressFn, StopFn, check_stop

log = logging.getLogger(__name__)

READ_AHEAD = 2  # batches read while the current one is scored

NO_MODEL_MESSAGE = "No trained sorter yet: label examples and run 'photosort train' first."


@dataclass(frozen=True)
class Scored:
    """One photo's result from predict_paths: scores (aligned with Sorter.categories), or
    error (a one-line reason) when the file could not be read; record is None then."""

    path: Path
    record: PhotoRecord | None
    scores: np.ndarray | None
    error: str | None = None


def load_keras_model(path: Path):
    """Load a saved .keras model (standard layers only, so no custom objects are needed)."""
    import keras

    if not path.is_file():
        raise PhotosortError(f"The model file {path} is missing; train the sorter again.")
    try:
        return keras.models.load_model(path, compile=False)
    except Exception as exc:  # a damaged file must not crash the app
        raise PhotosortError(f"The model file {path} cannot be read ({exc}); train the sorter again.") from exc


class Sorter:
    """One model version: backbone embedder + sigmoid head, with its categories.

    Its columns are category ids (``category_ids``); ``categories`` are those categories'
    names as they are now, for display. A category renamed since training keeps its column;
    one removed since is dropped from the columns (scores, names and ids stay aligned)."""

    def __init__(self, version: ModelVersionRecord, embedder, head, embedding_key: str,
                 starters: Sequence[tuple[int, str]] = (), names: Mapping[int, str] | None = None,
                 persons=None, face_features: bool = False):
        """head None: a headless version (no trained head yet). starters: (category id,
        starter kind) of starter categories with no head column of their own, scored by
        photosort.starter after the head's columns. names: the categories there are now, by
        id (default: the version's own names at training). persons: people.PersonColumns of
        the person categories, scored from faces: a person the head has a column for has
        that column overwritten, a new one is appended. face_features: the head also takes
        the photo's face features (photosort.people.features) after the embedding."""
        self.version = version
        head_ids = _head_ids(version)
        if names is None:
            names = {cid: name for cid, name in zip(head_ids, version.categories) if cid is not None}
        starters = [(cid, kind) for cid, kind in starters if cid in names]
        self._head_columns = [i for i, cid in enumerate(head_ids) if cid in names]
        self._all_head_columns = len(self._head_columns) == len(head_ids)
        self.category_ids: list[int] = [head_ids[i] for i in self._head_columns] + [cid for cid, _ in starters]
        persons = persons if persons is not None and all(cid in names for cid in persons.ids) else None
        self._persons, self._person_columns = persons, []
        for cid in persons.ids if persons is not None else []:
            if cid not in self.category_ids:
                self.category_ids.append(cid)
            self._person_columns.append(self.category_ids.index(cid))
        self.categories: list[str] = [names[cid] for cid in self.category_ids]
        self.backbone: str = version.backbone
        self.embedder = embedder
        self.input_size: int = embedder.input_size
        self.embedding_key = embedding_key
        self._head = _compiled(head) if head is not None else None
        self.starters = list(starters)  # (category id, kind) scored after the head's columns
        self.names = dict(names)  # the categories there are now, by id
        self._starter_columns = _starter_columns([kind for _, kind in starters])
        self.face_features = face_features
        self._fusion = version.metrics.get("face_fusion") if face_features else None  # people.fusion.FUSION_KEY
        self.needs_identities = bool(self._person_columns)  # faces embedded (SFace)
        self.needs_faces = face_features or self.needs_identities  # faces looked for at all

    @classmethod
    def load(cls, catalog: Catalog, version_id: int | None = None) -> "Sorter":
        """The current (or given) model version; raises NoModelError if none is trained."""
        version = catalog.model_version(version_id) if version_id else catalog.current_model()
        if version is None:
            raise NoModelError(NO_MODEL_MESSAGE)
        names = {c.id: c.name for c in catalog.categories()}
        starters = _headless_starters(catalog, version, names)
        return cls.from_version(version, starters, names, _person_columns(catalog))

    @classmethod
    def from_version(cls, version: ModelVersionRecord, starters: Sequence[tuple[int, str]] = (),
                     names: Mapping[int, str] | None = None, persons=None) -> "Sorter":
        """The sorter of a model version record, without a catalog (a cluster worker builds
        its own from the record and the model file it names, with the driver's ``starters``
        and ``names``; Sorter.load finds them, and the person columns, in the catalog)."""
        from photosort import backbones

        if version.metrics.get(STARTER_VERSION_KEY) or version.metrics.get(HEADLESS_KEY):
            return cls(version, backbones.get_embedder(version.backbone), None, version.backbone, starters, names,
                       persons)
        model = load_keras_model(version.file)
        features = bool(version.metrics.get(FACE_FEATURES_KEY))
        if version.fine_tuned:
            # the backbone itself was trained: its embeddings belong to this version alone
            embedder = backbones.Embedder.from_keras_model(
                model.get_layer("backbone"), cache_key=f"{version.backbone}-ft-{version.id}-{version.file.stat().st_mtime_ns}"
            )
            return cls(version, embedder, model.get_layer("head"), f"{version.backbone}#ft{version.id}", (), names,
                       persons)
        return cls(version, backbones.get_embedder(version.backbone), model, version.backbone, starters, names,
                   persons, features)

    def embed(self, batch: np.ndarray) -> np.ndarray:
        """uint8 (N, S, S, 3) -> float32 (N, D)."""
        return self.embedder.embed(batch)

    def scores_from_embeddings(self, embeddings: np.ndarray, photo_faces: Sequence | None = None) -> np.ndarray:
        """float32 (N, D) -> scores (N, C) in 0..1, C aligned with category_ids. photo_faces: each
        photo's photosort.faces.PhotoFaces (None: none found or unreadable), when needs_faces."""
        if len(embeddings) == 0:
            return np.zeros((0, len(self.categories)), dtype=np.float32)
        embeddings = np.asarray(embeddings, dtype=np.float32)
        photo_faces = [None] * len(embeddings) if photo_faces is None else photo_faces
        out = np.zeros((len(embeddings), len(self.category_ids)), dtype=np.float32)
        n_head = len(self._head_columns) if self._head is not None else 0
        if self._head is not None:
            inputs = embeddings
            if self.face_features:
                from photosort.people.features import feature_block

                inputs = np.concatenate([embeddings, feature_block(photo_faces, embeddings.shape[1])], axis=1)
            head = np.asarray(self._head(inputs), dtype=np.float32)
            if self._fusion is not None:  # late fusion with the face-features models, per head column
                from photosort.people import fusion

                head = fusion.fused(head, self._fusion, fusion.photo_features(photo_faces))
            out[:, :n_head] = head if self._all_head_columns else head[:, self._head_columns]
        if self._starter_columns:
            from photosort.starter import starter_scores

            n = len(self._starter_columns)
            out[:, n_head : n_head + n] = starter_scores(embeddings, self.backbone)[:, self._starter_columns]
        if self._persons is not None:  # overwrites a person's head column, if it has one
            out[:, self._person_columns] = self._persons.scores(photo_faces)
        return out

    def thresholds(self, catalog: Catalog) -> dict[int, float]:
        """The thresholds in force now by category id: the catalog's (which a person may have
        moved), else the model's own best-F1 choice for that column."""
        current = {c.id: c.threshold for c in catalog.categories()}
        chosen = self.version.chosen_thresholds()
        return {cid: current.get(cid, chosen.get(cid, 0.5)) for cid in self.category_ids}


def _head_ids(version: ModelVersionRecord) -> list[int | None]:
    """The category id of each column of the version's head (None: a category long gone)."""
    ids = list(version.category_ids)
    return ids if len(ids) == len(version.categories) else [None] * len(version.categories)


# -- starter categories (photosort.starter): scored before, or beside, a trained head --------

STARTER_VERSION_KEY = "starter"  # metrics flag of a version that has no head, only starters


def _headless_starters(catalog: Catalog, version: ModelVersionRecord, names: Mapping[int, str]) -> list[tuple[int, str]]:
    """(category id, starter kind) of the library's starter categories that this version has no
    head column for; none for a fine-tuned version (its embeddings no longer fit the ImageNet
    classifier). Starter categories are known by id (a renamed one stays a starter)."""
    if version.fine_tuned:
        return []
    from photosort.starter import STARTER_NAMES, starter_kinds

    kinds = catalog.starter_kinds()
    # starters.json of an older library (by id, or by name in the first format): each category
    # named there becomes that starter in the catalog, once (unless another already is that kind)
    by_name = {name: cid for cid, name in names.items()}
    for name, kind in starter_kinds(catalog.library_dir, catalog.categories()).items():
        cid = by_name.get(name)
        if cid is not None and cid not in kinds and kind not in kinds.values():
            catalog.set_starter(name, kind)
            kinds[cid] = kind
    trained = set(version.category_ids)
    return [(cid, kind) for cid, kind in sorted(kinds.items())
            if cid in names and cid not in trained and kind in STARTER_NAMES]


# -- people (photosort.people): person categories and face features ---------------------------

HEADLESS_KEY = "headless"  # metrics flag of a version with person categories only: no head file
FACE_FEATURES_KEY = "face_features"  # metrics flag: the head takes face features after the embedding


def _person_columns(catalog: Catalog):
    """The library's person categories by id, scored from faces (None: no face model loads)."""
    from photosort import people

    persons = people.person_categories(catalog)
    return people.PersonColumns.load(catalog, persons) if persons else None


def _starter_columns(starters: Sequence[str]) -> list[int]:
    if not starters:
        return []
    from photosort.starter import STARTER_NAMES

    return [STARTER_NAMES.index(name) for name in starters]


def _compiled(head):
    """The head as one traced graph: an eager Keras call of the averaged fold heads cost
    ~17 ms per batch of 32, most of it Python bookkeeping."""
    import tensorflow as tf

    dim = int(head.input_shape[-1])
    graph = tf.function(
        lambda x: head(x, training=False),
        autograph=False,
        input_signature=[tf.TensorSpec((None, dim), tf.float32)],
    )
    return lambda x: graph(x).numpy()


@dataclass
class _Read:
    """What a reading thread learned about one file."""

    path: Path
    known: PhotoRecord | None = None  # the catalog's record of this path, if any
    digest: str | None = None
    info: images.PhotoInfo | None = None  # set when the file is new or changed: to record
    pixels: np.ndarray | None = None
    embedding: np.ndarray | None = None
    error: str | None = None
    faces: object | None = None  # photosort.faces.PhotoFaces, when the sorter needs faces
    faces_fresh: bool = False  # detected now (to store), not read from the catalog


class _BatchReader:
    """Reads a batch of files on worker threads, each photo from start to end on one thread
    (no barrier between stages: a slow file holds up nothing but itself):

    - unchanged since the catalog last saw it (size and mtime): its hash is known, so its
      cached embedding, looked up for the whole batch at once, needs no read at all;
    - new or changed: read whole, once; the bytes in memory are hashed, their header parsed,
      the embedding cache asked, and only then decoded (at most one file's bytes per thread).
    """

    def __init__(self, catalog: Catalog, sorter: Sorter, use_cache: bool):
        self.catalog = catalog
        self.sorter = sorter
        self.use_cache = use_cache
        self.pool = ThreadPoolExecutor(max_workers=(os.cpu_count() or 2) + 1, thread_name_prefix="photosort-read")

    def read(self, paths: Sequence[Path]) -> list[_Read]:
        known = self.catalog.photos_by_paths(paths)
        items = [_Read(p, known=known.get(p)) for p in paths]
        cached: dict[str, np.ndarray] = {}
        if self.use_cache and known:
            cached = self.catalog.get_embeddings([r.content_hash for r in known.values()], self.sorter.embedding_key)
        stored = {}
        if self.sorter.needs_faces:  # faces only when some category needs them
            from photosort.people.detecting import stored_faces

            stored = stored_faces(self.catalog, [r.content_hash for r in known.values()], self.sorter.needs_identities)
        return list(self.pool.map(lambda item: self._read_one(item, cached, stored), items))

    def _read_one(self, item: _Read, cached: dict[str, np.ndarray], stored: dict) -> _Read:
        data = None
        try:
            stat = item.path.stat()
            if item.known and (item.known.size, item.known.mtime) == (stat.st_size, stat.st_mtime):
                item.digest = item.known.content_hash  # unchanged since last time: no need to re-hash
                item.embedding = cached.get(item.digest)
            elif stat.st_size <= images.READ_WHOLE_LIMIT:
                photo = images.read_photo(item.path)  # one read: hash, header and pixels
                item.info, item.digest, data = photo.info, photo.content_hash, photo.data
                item.embedding = self._cached_embedding(item.digest)  # e.g. a renamed photo
            else:  # too big to hold: streamed for the hash, read again to decode
                item.info = images.photo_info(item.path)
                item.digest = images.content_hash(item.path)
                item.embedding = self._cached_embedding(item.digest)
            size = self.sorter.input_size if item.embedding is None else None
            if self.sorter.needs_faces:  # one decode for the model input and the faces
                from photosort.people.detecting import read_with_faces

                item.pixels, item.faces, item.faces_fresh = read_with_faces(
                    self.catalog, item.path, item.digest, data, stored, self.sorter.needs_identities, size)
            elif size:
                item.pixels = images.load_rgb(item.path, size, data=data)
        except ImageError as exc:
            item.error = exc.reason
        except OSError as exc:
            item.error = exc.strerror or str(exc)
        return item

    def _cached_embedding(self, digest: str) -> np.ndarray | None:
        return self.catalog.embedding(digest, self.sorter.embedding_key) if self.use_cache else None

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def predict_paths(
    catalog: Catalog,
    sorter: Sorter,
    paths: Iterable[str | Path],
    batch_size: int = 32,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    record: bool = True,
    cache_embeddings: bool = True,
) -> Iterator[list[Scored]]:
    """Score photos in batches, yielding each batch's results as soon as it is done.

    record=True registers each photo in the catalog and records every score of every photo,
    one transaction per batch; record=False writes neither (evaluation). Embeddings are looked
    up and stored by content hash when cache_embeddings is set. Unreadable files come back with
    ``error`` set; the run goes on.
    """
    paths = [Path(p).absolute() for p in paths]
    batches = [paths[i : i + batch_size] for i in range(0, len(paths), batch_size)]
    reader = _BatchReader(catalog, sorter, use_cache=cache_embeddings)
    # Two batches are read ahead, so the reading threads never wait for the network or for
    # each other's last slow file (2,000 12-MP photos on 2 cores: 20.7 -> 25.3 photos/s).
    ahead = ThreadPoolExecutor(max_workers=READ_AHEAD, thread_name_prefix="photosort-prefetch")
    started = time.monotonic()
    done = 0
    try:
        pending = deque(ahead.submit(reader.read, batch) for batch in batches[:READ_AHEAD])
        for index in range(len(batches)):
            check_stop(should_stop)
            items = pending.popleft().result()
            if index + READ_AHEAD < len(batches):
                pending.append(ahead.submit(reader.read, batches[index + READ_AHEAD]))
            results = _score_batch(catalog, sorter, items, record, cache_embeddings)
            done += len(items)
            if on_progress:
                rate = done / max(time.monotonic() - started, 1e-6)
                on_progress(Progress("predicting", done, len(paths), items[-1].path.name, {"photos_per_s": rate}))
            yield results
    finally:
        ahead.shutdown(wait=True, cancel_futures=True)
        reader.close()


def _score_batch(catalog: Catalog, sorter: Sorter, items: list[_Read], record: bool, cache: bool) -> list[Scored]:
    fresh = [i for i in items if i.pixels is not None]
    if fresh:
        vectors = sorter.embed(np.stack([i.pixels for i in fresh]))
        for item, vector in zip(fresh, vectors):
            item.embedding = vector
            item.pixels = None  # free the pixels now: memory must not grow with the roll
        if cache:
            catalog.put_embeddings(sorter.embedding_key, 0, {i.digest: i.embedding for i in fresh})
    good = [i for i in items if i.error is None and i.embedding is not None]
    if sorter.needs_faces:
        from photosort.people.detecting import store_faces

        store_faces(catalog, {i.digest: i.faces for i in good if i.faces_fresh}, sorter.needs_identities)
    scores = sorter.scores_from_embeddings(np.stack([i.embedding for i in good]), [i.faces for i in good]) if good else []
    records: dict[Path, PhotoRecord] = {}
    if record and good:
        changed = [(i.path, i.digest, i.info) for i in good if i.info is not None]
        records = {r.path: r for r in catalog.upsert_photos(changed)}
        records.update({i.path: i.known for i in good if i.info is None})
        catalog.record_predictions(
            sorter.version.id, sorter.category_ids, {records[i.path].id: s for i, s in zip(good, scores)}
        )
    by_path = {i.path: s for i, s in zip(good, scores)}
    return [
        Scored(i.path, records.get(i.path), by_path.get(i.path), i.error if i.path not in by_path else None)
        for i in items
    ]
