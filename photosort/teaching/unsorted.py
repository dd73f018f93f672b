"""The photos a sort sent to no folder, each with the category it came closest to.

Read-only over the journal and the recorded predictions: a sort writes a 'decide' entry for
every photo whose decision it carried out and a 'copy' entry for every copy, so the photos
decided without a copy are the ones that matched nothing. These are the next examples to give:
selected and put in a category, or made into a new one.
"""

from __future__ import annotations

from dataclasses import dataclass

from photosort.catalog import Catalog, PhotoRecord, RunRecord
from photosort.errors import PhotosortError
from photosort.sorting.states import COPY_OPS, DECIDE, DRY_RUN, PENDING, SORT_KINDS


@dataclass(frozen=True)
class Unsorted:
    photo: PhotoRecord
    best: str | None  # the category it scored highest for (None: no score recorded)
    score: float | None
    threshold: float | None  # that category's threshold now: how far it fell short


def last_sort(catalog: Catalog) -> RunRecord:
    runs = [r for r in catalog.runs() if r.kind in SORT_KINDS and r.status != DRY_RUN]
    if not runs:
        raise PhotosortError("No sort has run in this library yet: 'photosort sort SOURCE' first.")
    return runs[-1]


def unsorted_photos(catalog: Catalog, run_id: int | None = None) -> tuple[RunRecord, list[Unsorted]]:
    """(the run, its photos that went to no folder, closest to a category first)."""
    run = catalog.run(run_id) if run_id is not None else last_sort(catalog)
    if run is None:
        raise PhotosortError(f"There is no run {run_id}; 'photosort history' lists them.")
    if run.kind not in SORT_KINDS:
        raise PhotosortError(f"Run {run.id} is a {run.kind}, not a sort.")
    if run.status == DRY_RUN:
        raise PhotosortError(f"Run {run.id} was a dry run: it recorded no decisions.")
    ops = catalog.file_ops(run.id)
    copied = {op.photo_id for op in ops if op.op in COPY_OPS and op.state != PENDING}
    decided = sorted({op.photo_id for op in ops if op.op == DECIDE and op.state != PENDING and op.photo_id is not None}
                     - copied)
    photos = {p.id: p for p in catalog.photos(decided)}
    scores = catalog.scores(run.model_version_id, decided) if run.model_version_id else {}
    thresholds = {c.name: c.threshold for c in catalog.categories()}
    out = []
    for pid in decided:
        if pid not in photos:
            continue  # forgotten by the catalog since
        by_cat = scores.get(pid, {})
        best = max(by_cat, key=by_cat.get) if by_cat else None
        out.append(Unsorted(photos[pid], best, by_cat.get(best) if best else None, thresholds.get(best)))
    out.sort(key=lambda u: (u.score is None, -(u.score or 0) + (u.threshold or 0), str(u.photo.path)))
    return run, out
