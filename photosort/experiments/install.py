"""--install: make an experiment's best configuration the library's sorter.

Only what the library's Sorter can run today: one frozen backbone at its native size + the
head. The head trained in the experiment is saved as is (thresholds from the validation
photos, whose scores become the model's held-out scores for the threshold sliders).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from photosort.catalog import Catalog, ModelVersionRecord
from photosort.errors import PhotosortError
from photosort.experiments.runner import ExperimentResult
from photosort.registration import register_photos
from photosort.training.held_out import HeldOut
from photosort.training.saving import save_model


def install_best(catalog: Catalog, result: ExperimentResult, folders_root: Path) -> tuple[ModelVersionRecord, str]:
    """Save the best installable configuration as the current sorter; returns (version, spec).
    Categories the library lacks are added with a folder under folders_root (as import does)."""
    done = [r for r in result.rows if r.get("status") == "done" and r["params"]["installable"]]
    if not done:
        raise PhotosortError("No configuration the library's sorter can run finished "
                             "(it runs one frozen backbone at its native size + the head).")
    row = max(done, key=lambda r: r["macro_f1"])
    spec = row["config"]
    outcome, config = result.outcomes[spec], result.configs[spec]
    existing = {c.name for c in catalog.categories()}
    for name in outcome.categories:
        if name not in existing:
            catalog.add_category(name, folders_root / name)
    data = result.data
    val_rows = [r for r in data.rows("val")]
    if len(val_rows) != len(outcome.val_labels):
        raise PhotosortError(f"'{spec}' dropped categories: install a configuration that keeps them all.")
    records, _ = register_photos(catalog, [data.paths[r] for r in val_rows])
    by_path = {rec.path: rec.id for rec in records}
    keep = [i for i, r in enumerate(val_rows) if data.paths[r].absolute() in by_path]
    thresholds = {name: row["categories"][name]["threshold"] for name in outcome.categories}
    held_out = HeldOut(
        photo_ids=[by_path[data.paths[val_rows[i]].absolute()] for i in keep],
        labels=outcome.val_labels[keep].astype(bool),
        scores=outcome.val_scores[keep].astype(np.float32),
        categories=list(outcome.categories),
    )
    metrics = {k: row[k] for k in ("categories", "micro_f1", "macro_f1")}
    metrics["experiment"] = spec
    category_ids = [catalog.category(name).id for name in outcome.categories]
    version = save_model(catalog, outcome.model, config.backbones[0], list(outcome.categories), category_ids,
                         thresholds, metrics, False, held_out)
    catalog.set_thresholds(thresholds)
    return version, spec
