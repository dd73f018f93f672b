"""Measure a trained sorter on a labelled dataset: per-category precision, recall, F1."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from photosort import metrics
from photosort.catalog import Catalog
from photosort.datasets import read_dataset
from photosort.predictor import Sorter, predict_paths
from photosort.progress import ProgressFn, StopFn


def evaluate(
    catalog: Catalog,
    dataset: str | Path,
    version_id: int | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> dict:
    """Score every photo of a dataset (folder tree or CSV) with the sorter, at the thresholds
    in force, without recording anything in the catalog.

    Returns metrics.report(...) plus "model_version", "photos", "skipped" and
    "unknown_categories" (dataset categories the sorter was not trained on; ignored).
    """
    data = read_dataset(dataset)
    sorter = Sorter.load(catalog, version_id)
    by_id = sorter.thresholds(catalog)
    thresholds = {name: by_id[cid] for name, cid in zip(sorter.categories, sorter.category_ids)}  # report by name
    scored = [
        result
        for batch in predict_paths(
            catalog, sorter, [item.path for item in data.items],
            on_progress=on_progress, should_stop=should_stop, record=False,
        )
        for result in batch
    ]
    usable = [(item, s) for item, s in zip(data.items, scored) if s.scores is not None]
    labels = np.array(
        [[1.0 if name in item.labels else 0.0 for name in sorter.categories] for item, _ in usable],
        dtype=np.float32,
    ).reshape(len(usable), len(sorter.categories))
    scores = np.array([s.scores for _, s in usable], dtype=np.float32).reshape(labels.shape)
    result = metrics.report(sorter.categories, labels, scores, thresholds)
    result["model_version"] = sorter.version.id
    result["photos"] = len(usable)
    result["skipped"] = [[str(s.path), s.error] for s in scored if s.scores is None] + [
        [str(path), reason] for path, reason in data.problems
    ]
    result["unknown_categories"] = sorted(set(data.categories) - set(sorter.categories))
    return result
