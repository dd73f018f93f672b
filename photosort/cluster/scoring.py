"""Scoring on a Ray cluster: the same batches of Scored that predictor.predict_paths yields,
so sorting.sort_paths takes it as its scorer and everything after the scores (the run, the
journal, the copies, resume and undo) is the local sort's own code.

Ray Data reads, decodes, embeds and scores on an actor pool (each actor loads the sorter once)
and streams the results back in the paths' order; only this driver writes the catalog: the
photos' rows, the embedding cache and every score, one transaction per batch as locally.
"""

from __future__ import annotations

import functools
import logging
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


def cluster_scorer(workers: int | None = None, cache_embeddings: bool = True):
    """A scorer for sort_paths/sort_folder (this process must be connected: connect()).
    cache_embeddings=False: a one-pass archive need not keep 5 KB per photo in the catalog."""
    return functools.partial(score_on_cluster, workers=workers, cache_embeddings=cache_embeddings)


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
    does. workers: actors in the pool (default: one per machine, holding its CPUs)."""
    ray = require_ray()
    paths = [Path(p).absolute() for p in paths]
    if not paths:
        return
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # batches come back in the paths' order
    context.enable_progress_bars = False  # the caller draws its own
    logging.getLogger("ray.data").setLevel(logging.WARNING)  # nor its plan and log paths at each sort
    workers, cpus = _pool_size(ray, workers)
    items = ray.data.from_items([{"path": str(p)} for p in paths],
                                override_num_blocks=-(-len(paths) // batch_size))
    scored = items.map_batches(
        ScoringWorker,
        fn_constructor_kwargs={
            "version": sorter.version, "must_read": [os.path.commonpath(paths)],
            "starters": sorter.starters, "names": sorter.names,  # the driver's columns, exactly
        },
        batch_size=batch_size,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=min(workers, -(-len(paths) // batch_size))),
        num_cpus=cpus,
        # A lost worker (process or machine) is restarted and its batch run again: Ray Data's
        # own default for actor pools (max_restarts=-1, max_task_retries=-1; passing them
        # explicitly is deprecated since 2.60). tests/test_cluster.py kills one to check.
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


def _pool_size(ray, workers: int | None) -> tuple[int, int]:
    """(actors, CPUs each). By default one actor per machine holding all its CPUs: the
    embedder runs one thread per core and the reading threads overlap storage with it, as a
    local sort does on one machine (two 1-CPU actors on 2 cores cost ~2x the CPU per photo)."""
    nodes = [n["Resources"]["CPU"] for n in ray.nodes() if n.get("Alive") and n["Resources"].get("CPU")]
    if not nodes:
        raise PhotosortError("The Ray cluster has no machine with a CPU to score on.")
    if workers is None:
        return len(nodes), max(1, int(min(nodes)))
    return workers, max(1, int(sum(nodes)) // workers)


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
