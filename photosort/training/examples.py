"""The labelled examples a sorter learns from: checked, embedded with their augmented views.

Embeddings come from the catalog's cache (by content hash, backbone and view) where possible;
only photos missing a view are read, augmented and embedded, and their vectors cached.
"""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from photosort import images
from photosort.catalog import Catalog, LabelledPhoto
from photosort.errors import CategoryError, ImageError, NotEnoughExamples
from photosort.progress import Progress, ProgressFn, StopFn, check_stop
from photosort.training.augmentation import augment

log = logging.getLogger(__name__)

MIN_EXAMPLES = 5  # per category: fewer cannot be split into training and held-out photos
AUGMENTED_VIEWS = 4  # embeddings per photo besides the original (rotation, flip, colour, zoom)
EMBED_CHUNK = 32  # photos read and embedded per step (each with all its views)


@dataclass
class Examples:
    photos: list[LabelledPhoto]
    labels: np.ndarray  # (N, C) 0/1
    embeddings: np.ndarray  # (V + 1, N, D): view 0 is the photo itself


def fewest_positives(labels: np.ndarray) -> int:
    return int(labels.sum(axis=0).min())


def check_examples(categories: list[str], labelled: list[LabelledPhoto], skipped=()) -> None:
    if not categories:
        raise CategoryError("There are no categories yet: add one with 'photosort category add'.")
    counts = {name: 0 for name in categories}
    for item in labelled:
        for name, positive in item.labels.items():
            if positive and name in counts:
                counts[name] += 1
    short = [f"'{name}' has {n}" for name, n in counts.items() if n < MIN_EXAMPLES]
    note = f" ({len(skipped)} example photos could not be read)" if skipped else ""
    if short:
        raise NotEnoughExamples(
            f"Each category needs at least {MIN_EXAMPLES} example photos: {', '.join(short)}{note}."
        )
    # a sigmoid learns "is it X?" only if it also sees photos that are not X
    lonely = [name for name, n in counts.items() if len(labelled) - n < MIN_EXAMPLES]
    if lonely:
        raise NotEnoughExamples(
            f"'{lonely[0]}' needs at least {MIN_EXAMPLES} photos that are not in it: add another "
            f"category, or label some photos as not '{lonely[0]}' (negative examples){note}."
        )


def embed_examples(
    catalog: Catalog,
    labelled: list[LabelledPhoto],
    categories: list[str],
    backbone: str,
    views: int,
    progress: ProgressFn,
    should_stop: StopFn | None,
) -> tuple[Examples, list[tuple[Path, str]]]:
    """Embeddings of every example and its augmented views, from the cache where possible."""
    from photosort import backbones

    hashes = [item.photo.content_hash for item in labelled]
    cached = [catalog.get_embeddings(hashes, backbone, view) for view in range(views + 1)]
    missing = [item for item in labelled if any(item.photo.content_hash not in c for c in cached)]
    skipped: list[tuple[Path, str]] = []
    total = len(missing) * (views + 1)
    progress(Progress("embedding", 0, total, f"{len(labelled) - len(missing)} of {len(labelled)} photos cached"))
    if missing:
        embedder = backbones.get_embedder(backbone)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
            for start in range(0, len(missing), EMBED_CHUNK):
                check_stop(should_stop)
                chunk = missing[start : start + EMBED_CHUNK]
                loaded = list(pool.map(lambda item: views_of(item, embedder.input_size, views), chunk))
                ok = [(item, pix) for item, pix in zip(chunk, loaded) if not isinstance(pix, str)]
                skipped += [(item.photo.path, pix) for item, pix in zip(chunk, loaded) if isinstance(pix, str)]
                if ok:
                    vectors = embedder.embed(np.concatenate([pix for _, pix in ok]))
                    vectors = vectors.reshape(len(ok), views + 1, -1)
                    for view in range(views + 1):
                        fresh = {item.photo.content_hash: vectors[i, view] for i, (item, _) in enumerate(ok)}
                        catalog.put_embeddings(backbone, view, fresh)
                        cached[view].update(fresh)
                done = min(start + EMBED_CHUNK, len(missing)) * (views + 1)
                rate = done / max(time.monotonic() - started, 1e-6)
                progress(Progress("embedding", done, total, chunk[-1].photo.path.name, {"images_per_s": rate}))
    for path, reason in skipped:
        log.warning("skipped example %s: %s", path, reason)
    usable = [item for item in labelled if all(item.photo.content_hash in c for c in cached)]
    labels = np.array(
        [[1.0 if item.labels.get(name) else 0.0 for name in categories] for item in usable], dtype=np.float32
    ).reshape(len(usable), len(categories))
    embeddings = np.stack(
        [np.stack([cached[v][item.photo.content_hash] for item in usable]) for v in range(views + 1)]
    ) if usable else np.zeros((views + 1, 0, 0), dtype=np.float32)
    return Examples(usable, labels, embeddings), skipped


def views_of(item: LabelledPhoto, size: int, views: int) -> np.ndarray | str:
    """(views + 1, S, S, 3) pixels of a photo and its augmented views, or why it can't be read."""
    try:
        rgb = images.load_rgb(item.photo.path, size)
    except ImageError as exc:
        return exc.reason
    seed = int(item.photo.content_hash[:8], 16)  # same views for the same content, every time
    return np.stack([augment(rgb, view, seed) for view in range(views + 1)])


def pixels(examples: Examples, rows: np.ndarray, views: int, size: int = images.INPUT_SIZE) -> np.ndarray:
    """float32 size×size pixels of the given photos, all of view 0 first, then view 1, ... (as
    labels are tiled); size is the backbone's input (Lite1 240, Lite2 260)."""
    stacks = []
    for row in rows:
        item = examples.photos[row]
        found = views_of(item, size, views)
        if isinstance(found, str):  # readable when embedded a moment ago, not now
            raise ImageError(item.photo.path, found)
        stacks.append(found)
    return np.stack(stacks, axis=1).reshape(-1, *stacks[0].shape[1:]).astype(np.float32)
