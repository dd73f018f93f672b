"""Scoring on a Ray cluster: the same batches of Scored that predictor.predict_paths yields,
so sorting.sort_paths takes it as its scorer and everything after the scores (the run, the
journal, the copies, resume and undo) is the local sort's own code.

Ray Data reads, decodes, embeds and scores on an actor pool (each actor loads the sorter once)
and streams the results back in the paths' order; only this driver writes the catalog: the
photos' rows, the embedding cache and every score, one transaction per batch as locally.
"""

from __future__ import annotations

import functools
import os
import pickle
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from photosort.catalog import Catalog, PhotoRecord
from photosort.cluster.connection import require_ray
from photosort.cluster.worker import ScoringWorker
from photosort.errors import PhotosortError
from photosort.predictor import Scored, Sorter
from photosort.progress import StopFn, check_stop

# A worker's "cannot read" message, found again inside whatever Ray wraps it in.
_WORKER_ERROR = re.compile(r"The cluster worker on \S+ cannot read .*?same path on every machine of the cluster\.")


def cluster_scorer(workers: int | None = None):
    """A scorer for sort_paths/sort_folder (this process must be connected: connected())."""
    return functools.partial(score_on_cluster, workers=workers)


def score_on_cluster(
    catalog: Catalog,
    sorter: Sorter,
    paths: Iterable[str | Path],
    batch_size: int = 32,
    should_stop: StopFn | None = None,
    workers: int | None = None,
    cache_embeddings: bool = True,
) -> Iterator[list[Scored]]:
    """Score photos on the connected Ray cluster, recording as predict_paths(record=True)
    does. workers: actors in the pool (default: one per CPU of the cluster)."""
    ray = require_ray()
    paths = [Path(p).absolute() for p in paths]
    if not paths:
        return
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # batches come back in the paths' order
    context.enable_progress_bars = False  # the caller draws its own
    workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    items = ray.data.from_items([{"path": str(p)} for p in paths],
                                override_num_blocks=-(-len(paths) // batch_size))
    scored = items.map_batches(
        ScoringWorker,
        fn_constructor_kwargs={"version": sorter.version, "must_read": [os.path.commonpath(paths)]},
        batch_size=batch_size,
        batch_format="numpy",
        concurrency=min(workers, -(-len(paths) // batch_size)),
        num_cpus=1,
        # a lost worker (process or machine) is restarted and its batch run again
        max_restarts=-1,
        max_task_retries=-1,
    )
    batches = scored.iter_batches(batch_size=batch_size, batch_format="numpy", prefetch_batches=2)
    try:
        for out in batches:
            check_stop(should_stop)
            yield _record(catalog, sorter, out, cache_embeddings)
    except PhotosortError:
        raise
    except Exception as exc:  # Ray's wrapping of a worker's error: keep our one line if it is there
        found = _WORKER_ERROR.search(str(exc))
        if found:
            raise PhotosortError(found.group(0)) from None
        raise
    finally:
        close = getattr(batches, "close", None)
        if close:
            close()


def _record(catalog: Catalog, sorter: Sorter, out: dict[str, np.ndarray], cache: bool) -> list[Scored]:
    """One batch from the workers into the catalog, as predictor._score_batch records one:
    new or changed photos upserted, unchanged ones kept, embeddings cached, every score."""
    paths = [Path(str(p)) for p in out["path"]]
    errors = [str(e) or None for e in out["error"]]
    good = [i for i, e in enumerate(errors) if e is None]
    known = catalog.photos_by_paths([paths[i] for i in good])
    records: dict[int, PhotoRecord] = {}
    changed = []
    for i in good:
        info, record = pickle.loads(out["info"][i]), known.get(paths[i])
        if record and (record.size, record.mtime) == (info.size, info.mtime):
            records[i] = record
        else:
            changed.append((i, (paths[i], str(out["digest"][i]), info)))
    if changed:
        upserted = catalog.upsert_photos([entry for _, entry in changed])
        records.update({i: r for (i, _), r in zip(changed, upserted)})
    if cache and good:
        catalog.put_embeddings(sorter.embedding_key, 0, {records[i].content_hash: out["embedding"][i] for i in good})
    if good:
        catalog.record_predictions(sorter.version.id, sorter.categories,
                                   {records[i].id: out["scores"][i] for i in good})
    return [
        Scored(paths[i], records.get(i), out["scores"][i] if errors[i] is None else None, errors[i])
        for i in range(len(paths))
    ]
