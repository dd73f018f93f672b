"""Saving a trained sorter: the .keras file, its held-out scores beside it, then its catalog row."""

from __future__ import annotations

import math
import time
import uuid

import numpy as np

from photosort.atomic import write_atomically
from photosort.catalog import Catalog, ModelVersionRecord
from photosort.training.held_out import HeldOut, write_held_out


def save_model(
    catalog: Catalog, model, backbone: str, categories: list[str], category_ids: list[int],
    thresholds: dict[str, float], result: dict, fine_tuned: bool, held_out: HeldOut,
) -> ModelVersionRecord:
    """Write the .keras file atomically, write the held-out scores
    beside it, then register it: a version in the catalog always has its files. Its columns
    are ``category_ids`` (``categories``: their names now, for display)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    final = catalog.models_dir / f"sorter-{stamp}-{uuid.uuid4().hex[:6]}.keras"
    write_atomically(final, model.save, suffix=".keras")  # keras insists on the suffix
    write_held_out(final, held_out)
    return catalog.add_model_version(
        backbone=backbone,
        categories=categories,
        category_ids=category_ids,
        thresholds=thresholds,
        metrics=finite(result),
        file=final,
        fine_tuned=fine_tuned,
    )


def finite(value):
    """JSON-safe copy: numpy scalars to floats, NaN/inf to None."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value
